import { Client } from 'pg';
import { emitAck, north, randomCity } from '../support/clients';
import { ServerProcess, startServerProcess } from '../support/processes';
import { TEST_DATABASE_URL } from '../support/services';
import { OfferBody, OnlineDriver, World } from '../support/world';
import { brokenInvariants, Figures, pause, waitFor } from './fault-kit';
import { OwnRedis } from './own-redis';

jest.setTimeout(180_000);

const ENV = {
  SWEEP_INTERVAL_MS: '1000',
  OFFER_TIMEOUT_MS: '5000',
  MATCH_RETRY_MS: '500',
  MATCH_MAX_MS: '30000',
  LOCATION_FLUSH_INTERVAL_MS: '100',
};
const TRIPS = 10;
const DRIVERS = 6;

/**
 * Redis killed and started again empty while 10 trips match and offers are pending: every
 * BullMQ job (matching steps, offer timeouts), lease, rate-limit counter and live-location record
 * is gone. Within 60 s of Redis returning every trip ends DRIVER_ASSIGNED or NO_DRIVER_FOUND,
 * no offer stays PENDING past its expiry, no driver is on two trips, no trip is offered twice to
 * one driver. The Redis here is the test's own (not the shared 6379).
 */
describe('Redis restarted empty while trips match', () => {
  let redis: OwnRedis;
  let server: ServerProcess;
  let world: World;
  let db: Client;
  const figures = new Figures('Redis killed and restarted empty, 10 trips matching, 6 drivers');

  beforeAll(async () => {
    redis = await OwnRedis.start();
    server = await startServerProcess('redis-empty', 'api,worker', {
      ...ENV,
      REDIS_URL: redis.url(0),
    });
    world = new World(server.url);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    figures.print();
    world?.close();
    await server?.kill('SIGKILL');
    await redis?.kill();
    await db?.end();
  });

  it('ends every trip defined within 60 s of Redis returning', async () => {
    const city = randomCity();
    const drivers: OnlineDriver[] = [];
    for (let i = 0; i < DRIVERS; i++) drivers.push(await world.driverAt(north(city, 40 * i)));
    const stopPinging = world.keepPinging(...drivers);
    // Drivers hold their first offers (pending while Redis goes), then accept once it is back.
    let accepting = false;
    for (const d of drivers) {
      d.socket.on('trip:offer', (offer: OfferBody) => {
        const answer = () =>
          emitAck(d.socket, 'trip:accept', { tripId: offer.tripId }).catch(() => undefined);
        if (accepting) void answer();
        else
          void (async () => {
            while (!accepting) await pause(100);
            await answer();
          })();
      });
    }
    try {
      const riders = await Promise.all(Array.from({ length: TRIPS }, () => world.rider()));
      const trips = await Promise.all(riders.map((r) => world.requestTrip(r, north(city, 100))));
      const ids = trips.map((t) => t.id);
      const pending = await waitFor(
        async () =>
          (
            await db.query(
              `SELECT count(*)::int AS n FROM trip_offers WHERE trip_id = ANY($1) AND status = 'PENDING'`,
              [ids],
            )
          ).rows[0].n as number,
        (n) => n >= DRIVERS,
        15_000,
      );
      figures.add('offers pending when Redis was killed', pending.value);
      expect(pending.ok).toBe(true);

      await redis.kill();
      const killedAt = Date.now();
      await pause(2_000);
      await redis.up();
      const backAt = Date.now();
      figures.add('Redis away for', `${backAt - killedAt} ms`);
      accepting = true;

      const settled = await waitFor(
        async () =>
          (await db.query(`SELECT status FROM trips WHERE id = ANY($1)`, [ids])).rows.map(
            (r: { status: string }) => r.status,
          ),
        (s) => s.every((x) => x === 'DRIVER_ASSIGNED' || x === 'NO_DRIVER_FOUND'),
        60_000,
        250,
      );
      const counts = new Map<string, number>();
      for (const s of settled.value) counts.set(s, (counts.get(s) ?? 0) + 1);
      figures.add('every trip defined after Redis returned', `${settled.ms} ms`);
      figures.add('trips', [...counts].map(([s, n]) => `${s} x${n}`).join(', '));
      const firstAssigned = await db.query(
        `SELECT min(e.created_at) AS at FROM trip_events e
          WHERE e.trip_id = ANY($1) AND e.to_status = 'DRIVER_ASSIGNED'`,
        [ids],
      );
      figures.add(
        'first assignment after Redis returned',
        `${new Date(firstAssigned.rows[0].at).getTime() - backAt} ms`,
      );
      expect(settled.ok).toBe(true);
      expect(counts.get('DRIVER_ASSIGNED')).toBe(DRIVERS);

      const stale = await db.query(
        `SELECT id FROM trip_offers WHERE status = 'PENDING' AND expires_at < now() - interval '10 seconds'`,
      );
      expect(stale.rows).toEqual([]);
      expect(await brokenInvariants(db)).toEqual({});
    } finally {
      stopPinging();
    }
  });
});
