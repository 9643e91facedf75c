import fc from 'fast-check';
import { bruteForce, type ModelPoint, pointNearEdges } from '../test/support';
import { DEG_TO_RAD, EARTH_RADIUS_METERS, fillBoxForTerm, haversineMeters } from './geo-math';
import { ShardedQuadtree } from './sharded-quadtree';

const inside = (box: Float64Array, lat: number, lng: number): boolean =>
  lat >= box[0] &&
  lat <= box[1] &&
  (box[2] <= box[3] ? lng >= box[2] && lng <= box[3] : lng >= box[2] || lng <= box[3]);

/** The haversine `a` term of a distance: what the search compares against its limit. */
const termOf = (meters: number): number => Math.sin(meters / (2 * EARTH_RADIUS_METERS)) ** 2;

/** Offsets that keep points near each other: same spot, metres, kilometres, degrees. */
const offset = fc.oneof(
  fc.constant(0),
  fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
  fc.double({ min: -0.05, max: 0.05, noNaN: true }),
  fc.double({ min: -3, max: 3, noNaN: true }),
);

const shifted = (lat: number, lng: number, dLat: number, dLng: number): [number, number] => {
  const pLat = Math.min(90, Math.max(-90, lat + dLat));
  let pLng = lng + dLng;
  if (pLng > 180) pLng -= 360;
  if (pLng < -180) pLng += 360;
  return [pLat, pLng];
};

describe('fillBoxForTerm', () => {
  const box = new Float64Array(4);

  it('contains every point whose haversine term is within the bound (property)', () => {
    fc.assert(
      fc.property(pointNearEdges(4), offset, offset, ([lat, lng], dLat, dLng) => {
        const [pLat, pLng] = shifted(lat, lng, dLat, dLng);
        const a = termOf(haversineMeters(lat, lng, pLat, pLng));
        fillBoxForTerm(box, lat, lng, Math.cos(lat * DEG_TO_RAD), a);
        return inside(box, pLat, pLng);
      }),
      { seed: 11, numRuns: 20_000 },
    );
  });

  it('stays tight for a city-sized bound and opens up near the poles', () => {
    fillBoxForTerm(box, 12.97, 77.59, Math.cos(12.97 * DEG_TO_RAD), termOf(300));
    expect(box[1] - box[0]).toBeLessThan(0.006);
    expect(box[3] - box[2]).toBeLessThan(0.006);
    fillBoxForTerm(box, 89.999, 10, Math.cos(89.999 * DEG_TO_RAD), termOf(300));
    expect([box[1], box[2], box[3]]).toEqual([90, -180, 180]);
    fillBoxForTerm(box, 0, 0, 1, Infinity);
    expect([...box]).toEqual([-90, 90, -180, 180]);
  });
});

describe('search over large leaves (chunk chains)', () => {
  const caseArb = fc.record({
    centre: pointNearEdges(3),
    offsets: fc.array(fc.tuple(offset, offset), { minLength: 1, maxLength: 150 }),
    query: fc.tuple(offset, offset),
    k: fc.integer({ min: 1, max: 40 }),
    radiusMeters: fc.oneof(fc.double({ min: 0, max: 400_000, noNaN: true }), fc.constant(Infinity)),
    nodeCapacity: fc.constantFrom(1, 8, 40, 100),
    shardPrecision: fc.constantFrom(2, 3, 5),
    keepEvery: fc.integer({ min: 1, max: 4 }),
  });

  it('matches brute force and calls the filter at most once per point (property)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const index = new ShardedQuadtree<number>(c);
        const model = new Map<string, ModelPoint<number>>();
        c.offsets.forEach(([dLat, dLng], i) => {
          const [lat, lng] = shifted(c.centre[0], c.centre[1], dLat, dLng);
          const id = `p${i % 97}`;
          index.upsert(id, lat, lng, i);
          model.set(id, { lat, lng, data: i });
        });
        const [qLat, qLng] = shifted(c.centre[0], c.centre[1], c.query[0], c.query[1]);
        const calls = new Map<string, number>();
        const filter = (id: string, data: number | undefined): boolean => {
          calls.set(id, (calls.get(id) ?? 0) + 1);
          return (data ?? 0) % c.keepEvery === 0;
        };
        const keep = (_id: string, data: number | undefined): boolean =>
          (data ?? 0) % c.keepEvery === 0;
        const options = { k: c.k, radiusMeters: c.radiusMeters, filter };
        expect(index.nearest(qLat, qLng, options)).toEqual(
          bruteForce(model, qLat, qLng, c.radiusMeters, keep, c.k),
        );
        expect(Math.max(0, ...calls.values())).toBeLessThanOrEqual(1);
        calls.clear();
        expect(index.within(qLat, qLng, c.radiusMeters, filter)).toEqual(
          bruteForce(model, qLat, qLng, c.radiusMeters, keep),
        );
        expect(Math.max(0, ...calls.values())).toBeLessThanOrEqual(1);
      }),
      { seed: 5, numRuns: 600 },
    );
  });
});
