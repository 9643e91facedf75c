import {
  bearingDegrees,
  destination,
  drivePings,
  haversineMeters,
  moveToward,
  randomPointAtDistance,
  randomPointWithin,
} from './geo';
import { Prng } from '@app/domain';

const LONDON = { lat: 51.5074, lng: -0.1278 };

describe('geo helpers', () => {
  it('measures known distances and bearings', () => {
    const paris = { lat: 48.8566, lng: 2.3522 };
    expect(haversineMeters(LONDON, paris) / 1000).toBeCloseTo(343.5, 0);
    expect(bearingDegrees(LONDON, { lat: 52.5, lng: -0.1278 })).toBeCloseTo(0, 5);
    expect(bearingDegrees(LONDON, { lat: 51.5074, lng: 1 })).toBeCloseTo(90, 0);
  });

  it('puts destination() at the asked distance', () => {
    for (const bearing of [0, 45, 135, 270]) {
      expect(haversineMeters(LONDON, destination(LONDON, 1234, bearing))).toBeCloseTo(1234, 3);
    }
  });

  it('moves toward a point by the asked distance and never overshoots', () => {
    const rng = new Prng(3);
    for (let i = 0; i < 500; i += 1) {
      const from = randomPointWithin(LONDON, 8_000, () => rng.next());
      const to = randomPointWithin(LONDON, 8_000, () => rng.next());
      const meters = rng.between(0, 2_000);
      const before = haversineMeters(from, to);
      const step = moveToward(from, to, meters);
      const after = haversineMeters(step.position, to);
      expect(haversineMeters(from, step.position)).toBeLessThanOrEqual(meters + 0.01);
      expect(after).toBeLessThanOrEqual(before + 1e-6);
      if (step.arrived) expect(step.position).toEqual(to);
      else expect(after).toBeCloseTo(before - meters, 0);
    }
  });

  it('keeps random points in the city and at the asked distance', () => {
    const rng = new Prng(5);
    const city = { center: LONDON, radiusMeters: 8_000 };
    for (let i = 0; i < 300; i += 1) {
      const p = randomPointWithin(LONDON, 8_000, () => rng.next());
      expect(haversineMeters(LONDON, p)).toBeLessThanOrEqual(8_000 + 1e-6);
      const q = randomPointAtDistance(p, 1_000, 8_000, city, () => rng.next());
      const d = haversineMeters(p, q);
      expect(d).toBeGreaterThanOrEqual(999);
      expect(d).toBeLessThanOrEqual(8_001);
    }
  });

  it('drives at the asked speed: pings stay under the 300 km/h the server allows', () => {
    const rng = new Prng(9);
    for (let i = 0; i < 50; i += 1) {
      const from = randomPointWithin(LONDON, 8_000, () => rng.next());
      const to = randomPointWithin(LONDON, 8_000, () => rng.next());
      const speedKmh = rng.between(20, 250);
      const pings = drivePings(from, to, speedKmh, 3_000, 1_700_000_000_000);
      expect(pings[pings.length - 1]).toMatchObject(to);
      for (let k = 1; k < pings.length; k += 1) {
        const meters = haversineMeters(pings[k - 1], pings[k]);
        const kmh = (meters / ((pings[k].ts - pings[k - 1].ts) / 1000)) * 3.6;
        expect(kmh).toBeLessThanOrEqual(speedKmh + 0.01);
        expect(kmh).toBeLessThan(300);
        expect(pings[k].heading).toBeGreaterThanOrEqual(0);
        expect(pings[k].heading).toBeLessThan(360);
      }
    }
  });
});
