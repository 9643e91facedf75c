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
});
