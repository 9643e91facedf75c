import { checkPing, DEFAULT_PING_LIMITS, newPingHistory, PingVerdict } from './pings';

const NOW = 1_800_000_000_000;
// 0.001 degree of latitude is about 111 m.
const LAT = 51.5;
const LNG = -0.12;

describe('checkPing', () => {
  it.each<[string, number, number, number, PingVerdict]>([
    ['a good ping', LAT, LNG, NOW, 'OK'],
    ['lat out of range', 91, LNG, NOW, 'VALIDATION'],
    ['lng out of range', LAT, -181, NOW, 'VALIDATION'],
    ['NaN lat', NaN, LNG, NOW, 'VALIDATION'],
    ['infinite lng', LAT, Infinity, NOW, 'VALIDATION'],
    ['ts in the future beyond the skew', LAT, LNG, NOW + 6_000, 'VALIDATION'],
    ['ts within the skew', LAT, LNG, NOW + 4_000, 'OK'],
    ['ts older than 30 s', LAT, LNG, NOW - 31_000, 'VALIDATION'],
    ['ts not a number', LAT, LNG, NaN, 'VALIDATION'],
  ])('first ping: %s -> %s', (_, lat, lng, ts, verdict) => {
    expect(checkPing(newPingHistory(), lat, lng, ts, NOW)).toBe(verdict);
  });

  it('accepts a car moving at city speed and refuses a 300 km jump', () => {
    const history = newPingHistory();
    expect(checkPing(history, LAT, LNG, NOW - 6_000, NOW - 6_000)).toBe('OK');
    // 40 m in 3 s = 48 km/h.
    expect(checkPing(history, LAT + 0.00036, LNG, NOW - 3_000, NOW - 3_000)).toBe('OK');
    // About 300 km north, 3 s later.
    expect(checkPing(history, LAT + 2.7, LNG, NOW, NOW)).toBe('IMPLAUSIBLE_LOCATION');
    // The refused ping is not remembered: the next one is judged from the last accepted one.
    expect(history.lastLat).toBeCloseTo(LAT + 0.00036, 8);
  });

  it('draws the plausibility line at 300 km/h', () => {
    const at = (kmh: number) => {
      const history = newPingHistory();
      checkPing(history, LAT, LNG, NOW - 10_000, NOW - 10_000);
      const degrees = ((kmh / 3.6) * 10) / 111_195; // metres in 10 s, as degrees of latitude
      return checkPing(history, LAT + degrees, LNG, NOW, NOW);
    };
    expect(at(290)).toBe('OK');
    expect(at(310)).toBe('IMPLAUSIBLE_LOCATION');
  });

  it('refuses a ping that moves the car back in time', () => {
    const history = newPingHistory();
    expect(checkPing(history, LAT, LNG, NOW, NOW)).toBe('OK');
    expect(checkPing(history, LAT + 0.001, LNG, NOW - 1_000, NOW + 300)).toBe(
      'IMPLAUSIBLE_LOCATION',
    );
    expect(checkPing(history, LAT, LNG, NOW - 1_000, NOW + 600)).toBe('OK');
  });

  it('allows 5 pings in any second and refuses the 6th', () => {
    const history = newPingHistory();
    const verdicts = Array.from({ length: 8 }, (_, i) =>
      checkPing(history, LAT, LNG, NOW + i * 10, NOW + i * 10),
    );
    expect(verdicts).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', ...Array(3).fill('RATE_LIMITED')]);
    // One second after the first ping its slot is free again, and only its slot.
    expect(checkPing(history, LAT, LNG, NOW + 1_000, NOW + 1_000)).toBe('OK');
    expect(checkPing(history, LAT, LNG, NOW + 1_001, NOW + 1_001)).toBe('RATE_LIMITED');
    expect(checkPing(history, LAT, LNG, NOW + 1_010, NOW + 1_010)).toBe('OK');
  });

  it('never rate-limits a driver pinging every 200 ms', () => {
    const history = newPingHistory();
    for (let i = 0; i < 50; i += 1) {
      const t = NOW + i * 200;
      expect(checkPing(history, LAT, LNG, t, t, DEFAULT_PING_LIMITS)).toBe('OK');
    }
  });
});
