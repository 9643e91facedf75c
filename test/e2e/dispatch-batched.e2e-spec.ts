import { Prng } from '@app/domain';
import { Client } from 'pg';
import { LocationsService } from '../../apps/api/src/modules/locations/locations.service';
import { BatchWindowService } from '../../apps/api/src/modules/matching/batch-window.service';
import { RunningServer } from '../../apps/api/src/server';
import { north, randomCity, signUpRider } from '../support/clients';
import { TEST_DATABASE_URL } from '../support/services';
import { startTestServer } from '../support/test-server';
import { OnlineDriver, World } from '../support/world';

jest.setTimeout(120_000);

const CLUSTERS = 10;
const PER_CLUSTER = 3;
/** Far beyond the widest search radius (8 km): clusters share no driver. */
const CLUSTER_SPACING_METERS = 30_000;

/** All assignments of a cluster's trips to its drivers: the least total ETA, and greedy's. */
function optimumAndGreedy(costs: number[][]): { optimum: number; greedy: number } {
  let optimum = Infinity;
  const walk = (t: number, used: Set<number>, sum: number) => {
    if (t === costs.length) return void (optimum = Math.min(optimum, sum));
    for (let d = 0; d < costs[t].length; d += 1) {
      if (used.has(d) || !Number.isFinite(costs[t][d])) continue;
      used.add(d);
      walk(t + 1, used, sum + costs[t][d]);
      used.delete(d);
    }
  };
  walk(0, new Set(), 0);
  // Sequential dispatch in arrival order: each trip takes the nearest driver still free.
  const taken = new Set<number>();
  let greedy = 0;
  for (const row of costs) {
    let best = -1;
    for (let d = 0; d < row.length; d += 1)
      if (!taken.has(d) && (best < 0 || row[d] < row[best])) best = d;
    taken.add(best);
    greedy += row[best];
  }
  return { optimum, greedy };
}

describe('batched dispatch: one window, an optimal assignment (real PostgreSQL, Redis)', () => {
  let server: RunningServer;
  let world: World;
  let db: Client;

  beforeAll(async () => {
    server = await startTestServer({
      MATCH_STRATEGY: 'batched',
      // No window ticks by itself during the test: the test runs the window once.
      MATCH_BATCH_WINDOW_MS: '600000',
      MATCH_MAX_MS: '600000',
    });
    world = new World(server.url);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    world.close();
    await db.end();
    await server.close();
  });

  it('offers 30 requests to 30 drivers in one window, with the least total pickup ETA', async () => {
    const rng = new Prng(Date.now() % 1_000_000);
    // One region (geohash cell of 45 degrees): well inside [0, 45) x [45k, 45k + 45).
    const city = { lat: rng.between(5, 30), lng: 45 * rng.int(-3, 2) + rng.between(5, 40) };
    const clusterAt = (c: number) => north(city, c * CLUSTER_SPACING_METERS);
    const drivers: OnlineDriver[][] = [];
    for (let c = 0; c < CLUSTERS; c += 1) {
      drivers.push(
        await Promise.all(
          Array.from({ length: PER_CLUSTER }, () =>
            world.driverAt(north(clusterAt(c), rng.int(-3_000, 3_000))),
          ),
        ),
      );
    }
    const stopPinging = world.keepPinging(...drivers.flat());
    const riders = await Promise.all(
      Array.from({ length: CLUSTERS * PER_CLUSTER }, () => signUpRider(server.url)),
    );
    const tripIds: string[][] = [];
    for (let c = 0; c < CLUSTERS; c += 1) {
      const ids: string[] = [];
      for (let r = 0; r < PER_CLUSTER; r += 1) {
        const rider = riders[c * PER_CLUSTER + r];
        const trip = await world.requestTrip(rider, north(clusterAt(c), rng.int(-3_000, 3_000)));
        ids.push(trip.id);
      }
      tripIds.push(ids);
    }
    const all = tripIds.flat();

    const report = await server.app.get(BatchWindowService).run();
    stopPinging();
    expect(report.offered).toBeGreaterThanOrEqual(30);

    const { rows: offers } = await db.query(
      `SELECT trip_id, driver_id, pickup_eta_seconds, status FROM trip_offers
       WHERE trip_id = ANY($1)`,
      [all],
    );
    // Every trip got one offer in this one window, each to a different driver.
    expect(offers).toHaveLength(30);
    expect(new Set(offers.map((o) => o.trip_id)).size).toBe(30);
    expect(new Set(offers.map((o) => o.driver_id)).size).toBe(30);
    expect(offers.every((o) => o.status === 'PENDING')).toBe(true);

    // The cost matrix as dispatch saw it: the candidates its log recorded for each trip.
    const { rows: rounds } = await db.query(
      `SELECT trip_id, candidates, outcome FROM dispatch_rounds WHERE trip_id = ANY($1)`,
      [all],
    );
    expect(rounds.map((r) => r.outcome)).toEqual(Array(30).fill('OFFERED'));
    const logged = new Map(
      rounds.map((r) => [
        r.trip_id as string,
        new Map(
          (r.candidates as { driverId: string; pickupEtaSeconds: number }[]).map((c) => [
            c.driverId,
            c.pickupEtaSeconds,
          ]),
        ),
      ]),
    );
    const offered = new Map(offers.map((o) => [o.trip_id as string, o]));
    let beatGreedy = 0;
    for (let c = 0; c < CLUSTERS; c += 1) {
      const costs = tripIds[c].map((t) =>
        drivers[c].map((d) => logged.get(t)?.get(d.id) ?? Infinity),
      );
      const { optimum, greedy } = optimumAndGreedy(costs);
      const total = tripIds[c].reduce((sum, t) => sum + offered.get(t).pickup_eta_seconds, 0);
      for (const t of tripIds[c])
        expect(drivers[c].map((d) => d.id)).toContain(offered.get(t).driver_id);
      expect(total).toBe(optimum);
      if (greedy > optimum) beatGreedy += 1;
    }
    // Informational: how many clusters greedy arrival order would have served worse.
    console.log(`batched beat greedy arrival order in ${beatGreedy} of ${CLUSTERS} clusters`);
  });

  it('proposes no driver holding a PENDING offer, even one its location index has forgotten', async () => {
    const city = randomCity();
    const holding = await world.driverAt(north(city, 100));
    const free = await world.driverAt(north(city, 900));
    const window = server.app.get(BatchWindowService);
    const first = await world.requestTrip(await world.rider(), city);
    const offeredFirst = world.offerFor(holding, first.id);
    await window.run();
    await offeredFirst;

    // The index forgets the offer, as the index of a worker that has just taken the window's
    // lease would (it never saw the offer made), or any index once the offer's time is up and
    // before its timer closes it. PostgreSQL still holds the offer PENDING.
    server.app.get(LocationsService).markOffered(holding.id, Number.NaN);
    const second = await world.requestTrip(await world.rider(), city);
    const offeredSecond = world.offerFor(free, second.id);
    await window.run();
    await offeredSecond;

    const { rows } = await db.query(
      `SELECT candidates FROM dispatch_rounds WHERE trip_id = $1 ORDER BY created_at`,
      [second.id],
    );
    expect(
      rows.map((r) => (r.candidates as { driverId: string }[]).map((c) => c.driverId)),
    ).toEqual([[free.id]]);
    const { rows: pending } = await db.query(
      `SELECT trip_id FROM trip_offers WHERE driver_id = $1 AND status = 'PENDING'`,
      [holding.id],
    );
    expect(pending).toEqual([{ trip_id: first.id }]);
  });
});
