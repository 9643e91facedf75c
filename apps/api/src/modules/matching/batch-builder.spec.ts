import { Prng } from '@app/domain';
import { BatchRequest, buildBatch, solveBatch } from './batch-builder';

const RADIUS = { maxRadiusMeters: 8_000 };

const candidate = (driverId: string, distanceMeters: number) => ({
  driverId,
  distanceMeters,
  pickupEtaSeconds: Math.round(distanceMeters / 5),
});

/** Every assignment of trips to distinct drivers (or none), by brute force. */
function bruteForce(requests: BatchRequest[], maxRadiusMeters: number) {
  let best = { matched: -1, cost: Infinity };
  const walk = (i: number, used: Set<string>, matched: number, cost: number) => {
    if (i === requests.length) {
      if (matched > best.matched || (matched === best.matched && cost < best.cost))
        best = { matched, cost };
      return;
    }
    walk(i + 1, used, matched, cost);
    for (const c of requests[i].candidates) {
      if (c.distanceMeters > maxRadiusMeters || used.has(c.driverId)) continue;
      used.add(c.driverId);
      walk(i + 1, used, matched + 1, cost + c.pickupEtaSeconds);
      used.delete(c.driverId);
    }
  };
  walk(0, new Set(), 0, 0);
  return best;
}

describe('batch builder', () => {
  it('prunes pairs beyond the search radius', () => {
    const components = buildBatch(
      [{ tripId: 't1', candidates: [candidate('near', 1_000), candidate('far', 9_000)] }],
      RADIUS,
    );
    expect(components).toHaveLength(1);
    expect(components[0].driverIds).toEqual(['near']);
    expect(solveBatch([{ tripId: 't1', candidates: [candidate('far', 9_000)] }], RADIUS)).toEqual(
      [],
    );
  });

  it('splits trips that share no driver into separate components', () => {
    const components = buildBatch(
      [
        { tripId: 'a1', candidates: [candidate('x', 100), candidate('y', 200)] },
        { tripId: 'b1', candidates: [candidate('z', 100)] },
        { tripId: 'a2', candidates: [candidate('y', 300)] },
        { tripId: 'c1', candidates: [] },
      ],
      RADIUS,
    );
    const shapes = components.map((c) => [c.tripIds, c.driverIds]);
    expect(shapes).toEqual([
      [
        ['a1', 'a2'],
        ['x', 'y'],
      ],
      [['b1'], ['z']],
    ]);
    // Out-of-reach cells cost more than every real pair together.
    const a = components[0];
    expect(a.costs[1][0]).toBe(a.prunedCost);
    expect(a.prunedCost).toBeGreaterThan(20 + 40 + 60);
  });

  it('beats greedy arrival order: the first trip leaves the shared driver to the one that needs it', () => {
    // Greedy: t1 takes d1 (600 m), t2 is left with d2 (1900 m). Optimal: 900 m + 400 m.
    const pairs = solveBatch(
      [
        { tripId: 't1', candidates: [candidate('d1', 600), candidate('d2', 900)] },
        { tripId: 't2', candidates: [candidate('d1', 400), candidate('d2', 1_900)] },
      ],
      RADIUS,
    );
    expect(pairs).toEqual([
      { tripId: 't1', driverId: 'd2', pickupEtaSeconds: 180 },
      { tripId: 't2', driverId: 'd1', pickupEtaSeconds: 80 },
    ]);
  });

  it('matches as many trips as possible before it minimises the ETA', () => {
    // d1 is closest to both; only sending t1 to the far d2 serves both riders.
    const pairs = solveBatch(
      [
        { tripId: 't1', candidates: [candidate('d1', 100), candidate('d2', 7_000)] },
        { tripId: 't2', candidates: [candidate('d1', 100)] },
      ],
      RADIUS,
    );
    expect(pairs.map((p) => `${p.tripId}-${p.driverId}`)).toEqual(['t1-d2', 't2-d1']);
  });

  it('handles more trips than drivers and more drivers than trips', () => {
    const many = solveBatch(
      ['t1', 't2', 't3'].map((tripId, i) => ({
        tripId,
        candidates: [candidate('d1', 100 * (i + 1))],
      })),
      RADIUS,
    );
    expect(many).toEqual([{ tripId: 't1', driverId: 'd1', pickupEtaSeconds: 20 }]);
    const few = solveBatch(
      [{ tripId: 't1', candidates: [candidate('d1', 500), candidate('d2', 50)] }],
      RADIUS,
    );
    expect(few.map((p) => p.driverId)).toEqual(['d2']);
  });

  it('finds the brute-force optimum on 300 seeded small windows', () => {
    const rng = new Prng(12);
    for (let run = 0; run < 300; run += 1) {
      const trips = rng.int(1, 6);
      const drivers = rng.int(1, 6);
      const requests: BatchRequest[] = Array.from({ length: trips }, (_, t) => ({
        tripId: `t${t}`,
        candidates: Array.from({ length: drivers }, (_, d) =>
          candidate(`d${d}`, rng.int(0, 10_000)),
        ).filter(() => rng.chance(0.7)),
      }));
      const pairs = solveBatch(requests, RADIUS);
      const best = bruteForce(requests, RADIUS.maxRadiusMeters);
      expect(new Set(pairs.map((p) => p.driverId)).size).toBe(pairs.length);
      expect(pairs.length).toBe(best.matched);
      expect(pairs.reduce((sum, p) => sum + p.pickupEtaSeconds, 0)).toBe(best.cost);
    }
  });

  it('solves a 200 x 200 window in a few milliseconds', () => {
    const rng = new Prng(7);
    const requests: BatchRequest[] = Array.from({ length: 200 }, (_, t) => ({
      tripId: `t${t}`,
      candidates: Array.from({ length: 10 }, () =>
        candidate(`d${rng.int(0, 199)}`, rng.int(0, 8_000)),
      ),
    }));
    const started = process.hrtime.bigint();
    const pairs = solveBatch(requests, RADIUS);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(pairs.length).toBeGreaterThan(150);
    expect(ms).toBeLessThan(500); // measured ~5 ms; generous for a loaded CI machine
  });
});
