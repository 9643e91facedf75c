import fc from 'fast-check';
import * as ngeohash from 'ngeohash';
import { CellGrid, geohashBounds, geohashNeighbours, geohashOf } from './cells';
import {
  boundingBoxAround,
  DEG_TO_RAD,
  EARTH_RADIUS_METERS,
  HALF_DEG_TO_RAD,
  haversineMeters,
  MAX_DISTANCE_METERS,
} from './geo-math';

const insideBox = (
  box: { minLat: number; minLng: number; maxLat: number; maxLng: number },
  lat: number,
  lng: number,
): boolean =>
  lat >= box.minLat &&
  lat <= box.maxLat &&
  (box.minLng <= box.maxLng
    ? lng >= box.minLng && lng <= box.maxLng
    : lng >= box.minLng || lng <= box.maxLng);

describe('haversineMeters', () => {
  it('matches known distances', () => {
    expect(haversineMeters(0, 0, 0, 1)).toBeCloseTo(111_195.08, 1);
    expect(haversineMeters(51.5074, -0.1278, 48.8566, 2.3522)).toBeCloseTo(343_556, -2);
    expect(haversineMeters(0, 0, 0, 180)).toBeCloseTo(MAX_DISTANCE_METERS, 3);
    // cos(90°) is 6e-17 in floating point, not 0: the poles are a few nanometres wide.
    expect(haversineMeters(90, 0, 90, 123)).toBeCloseTo(0, 6);
  });

  it('measures across the antimeridian the short way', () => {
    expect(haversineMeters(0, 179.999, 0, -179.999)).toBeCloseTo(222.39, 1);
  });

  it('is symmetric', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        (a, b, c, d) => haversineMeters(a, b, c, d) === haversineMeters(c, d, a, b),
      ),
      { seed: 7, numRuns: 500 },
    );
  });

  // The series for sin² and asin (what the search's per-point metric computes) against the
  // textbook formula with Math.sin and Math.asin: the same value to rounding, from millimetres
  // to a quarter of the globe (near the antipode asin magnifies one ulp of the term).
  it('agrees with the Math.sin / Math.asin haversine to a few ulps (property)', () => {
    const textbook = (lat1: number, lng1: number, lat2: number, lng2: number): number => {
      let dLng = lng2 - lng1;
      if (dLng > 180) dLng -= 360;
      else if (dLng < -180) dLng += 360;
      const sLat = Math.sin((lat2 - lat1) * HALF_DEG_TO_RAD);
      const sLng = Math.sin(dLng * HALF_DEG_TO_RAD);
      const c = Math.cos(lat1 * DEG_TO_RAD) * Math.cos(lat2 * DEG_TO_RAD);
      const a = sLat * sLat + c * sLng * sLng;
      return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(a)));
    };
    fc.assert(
      fc.property(
        fc.double({ min: -89, max: 89, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.oneof(
          fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
          fc.double({ min: -0.05, max: 0.05, noNaN: true }),
          fc.double({ min: -2, max: 2, noNaN: true }),
          // Uniform in degrees (fc.double favours small magnitudes): up to the series' limit.
          fc.integer({ min: -12_000, max: 12_000 }).map((i) => i / 10_000),
          fc.double({ min: -45, max: 45, noNaN: true }),
        ),
        fc.oneof(
          fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
          fc.double({ min: -0.05, max: 0.05, noNaN: true }),
          fc.integer({ min: -12_000, max: 12_000 }).map((i) => i / 10_000),
          fc.double({ min: -45, max: 45, noNaN: true }),
        ),
        (lat, lng, dLat, dLng) => {
          const lat2 = Math.max(-90, Math.min(90, lat + dLat));
          let lng2 = lng + dLng;
          if (lng2 > 180) lng2 -= 360;
          if (lng2 < -180) lng2 += 360;
          const ours = haversineMeters(lat, lng, lat2, lng2);
          const reference = textbook(lat, lng, lat2, lng2);
          // (Plus a picometre: terms below ~1e-300 lose bits to subnormal rounding either way.)
          return Math.abs(ours - reference) <= 8 * Number.EPSILON * reference + 1e-12;
        },
      ),
      { seed: 13, numRuns: 20_000 },
    );
  });
});

describe('boundingBoxAround', () => {
  it('spans all longitudes when the circle holds a pole', () => {
    expect(boundingBoxAround(89.9, 10, 20_000)).toEqual(
      expect.objectContaining({ minLng: -180, maxLng: 180, maxLat: 90 }),
    );
  });

  it('wraps across the antimeridian', () => {
    const box = boundingBoxAround(0, 179.99, 5_000);
    expect(box.minLng).toBeGreaterThan(box.maxLng);
    expect(insideBox(box, 0, -179.99)).toBe(true);
  });

  it('contains every point within the radius', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: 0, max: 3_000_000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        (lat, lng, radius, fraction, bearing) => {
          // Walk `fraction * radius` along `bearing` with the spherical destination formula.
          const d = (fraction * radius) / 6_371_008.8;
          const p1 = (lat * Math.PI) / 180;
          const p2 = Math.asin(
            Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(bearing),
          );
          const l2 =
            (lng * Math.PI) / 180 +
            Math.atan2(
              Math.sin(bearing) * Math.sin(d) * Math.cos(p1),
              Math.cos(d) - Math.sin(p1) * Math.sin(p2),
            );
          const lat2 = (p2 * 180) / Math.PI;
          const lng2 = (((((l2 * 180) / Math.PI + 540) % 360) + 360) % 360) - 180;
          if (haversineMeters(lat, lng, lat2, lng2) > radius) return true;
          return insideBox(boundingBoxAround(lat, lng, radius), lat2, lng2);
        },
      ),
      { seed: 11, numRuns: 2000 },
    );
  });
});

describe('geohash helpers', () => {
  it('encodes, bounds and finds neighbours through ngeohash', () => {
    expect(geohashOf(12.97, 77.59, 5)).toBe(ngeohash.encode(12.97, 77.59, 5));
    expect(geohashNeighbours('tdr1')).toHaveLength(8);
    expect(geohashNeighbours('tdr1')).toContain('tdr4');
    const box = geohashBounds('tdr1');
    expect(box.minLat).toBeLessThan(12.97);
    expect(box.maxLng).toBeGreaterThan(77.59);
    expect(() => geohashNeighbours('tdra')).toThrow(RangeError);
    expect(() => geohashOf(12, 77, 13)).toThrow(/precision must be an integer in \[1, 12\]/);
  });

  it('maps points to the same cell as ngeohash, edges included', () => {
    const edge = fc.oneof(
      fc.double({ min: -90, max: 90, noNaN: true }),
      fc.integer({ min: -32, max: 32 }).map((i) => i * 5.625),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), edge, edge, (precision, lat, lngSeed) => {
        const lng = Math.max(-180, Math.min(180, lngSeed * 2));
        const grid = new CellGrid(precision);
        return grid.nameOf(grid.keyOf(lat, lng)) === ngeohash.encode(lat, lng, precision);
      }),
      { seed: 5, numRuns: 2000 },
    );
  });
});
