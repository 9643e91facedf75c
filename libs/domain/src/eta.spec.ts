import { DEFAULT_ETA_MODEL, etaSeconds, etaSecondsForDistance } from './eta';

describe('ETA', () => {
  it('stretches the straight line by the road factor and divides by the city speed', () => {
    // 1 km straight -> 1.3 km of road at 25 km/h = 187.2 s.
    expect(etaSecondsForDistance(1_000)).toBe(187);
    expect(etaSecondsForDistance(1_000, { citySpeedKmh: 36, roadFactor: 1 })).toBe(100);
    expect(etaSecondsForDistance(0)).toBe(0);
  });

  it('measures great-circle distance between two points', () => {
    // 0.01 degree of latitude is 1112 m.
    expect(etaSeconds(51.5, -0.12, 51.51, -0.12, DEFAULT_ETA_MODEL)).toBe(208);
  });
});
