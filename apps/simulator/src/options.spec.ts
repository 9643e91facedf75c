import { OptionsError, parseOptions } from './options';

describe('parseOptions', () => {
  it('has the documented defaults', () => {
    expect(parseOptions([], {})).toMatchObject({
      url: 'http://127.0.0.1:3000',
      drivers: 200,
      riders: 100,
      durationSeconds: 60,
      seed: 42,
      city: { lat: 51.5074, lng: -0.1278 },
      radiusKm: 8,
    });
  });

  it('takes flags over the environment, in both spellings', () => {
    const options = parseOptions(['--drivers', '5', '--seed=7'], {
      SIM_DRIVERS: '9',
      SIM_RIDERS: '3',
    });
    expect(options).toMatchObject({ drivers: 5, riders: 3, seed: 7 });
  });

  it('refuses hosts other than 127.0.0.1 and bad values', () => {
    expect(() => parseOptions(['--url', 'http://example.com'], {})).toThrow(OptionsError);
    expect(() => parseOptions(['--url', 'http://localhost:3000'], {})).toThrow(OptionsError);
    expect(() => parseOptions(['--drivers', '-1'], {})).toThrow(OptionsError);
    expect(() => parseOptions(['--bogus', '1'], {})).toThrow(OptionsError);
    expect(() => parseOptions(['--admin-email', 'a@b.c'], {})).toThrow(OptionsError);
  });

  it('takes a scenario and a time scale, and refuses real driving over 280 km/h', () => {
    const options = parseOptions(
      ['--scenario', 'rush-hour', '--time-scale', '12', '--speed-kmh', '19.2'],
      {},
    );
    expect(options).toMatchObject({ scenario: 'rush-hour', timeScale: 12, speedKmh: 19.2 });
    expect(parseOptions([], {}).timeScale).toBe(1);
    expect(() => parseOptions(['--scenario', 'monsoon'], {})).toThrow(OptionsError);
    expect(() => parseOptions(['--time-scale', '14', '--speed-kmh', '30'], {})).toThrow(
      /300 km\/h/,
    );
  });
});
