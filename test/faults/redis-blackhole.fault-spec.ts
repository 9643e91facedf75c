import { Client } from 'pg';
import { emitAck, north, randomCity } from '../support/clients';
import { FaultProxy } from '../support/fault-proxy';
import { ServerProcess, startServerProcess } from '../support/processes';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services';
import { unique } from '../support/test-server';
import { AckBody, OfferBody, World } from '../support/world';
import { brokenInvariants, Figures, pause, timed, Timed, waitFor } from './fault-kit';

jest.setTimeout(120_000);

const OUTAGE_MS = 10_000;

/**
 * Redis blackholed for 10 s under one api+worker process (every Redis client of it, BullMQ's
 * included, goes through the proxy): what needs Redis answers within 2 s (accepted, or 503
 * with Retry-After), readiness says not ready within 5 s, pings and nearby cabs are served from
 * memory, and a trip request accepted during the outage is matched once Redis is back.
 */
describe('Redis blackholed for 10 s', () => {
  let proxy: FaultProxy;
  let server: ServerProcess;
  let world: World;
  let db: Client;
  const figures = new Figures('Redis blackholed 10 s (one api,worker process)');

  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(redis.port || 6379) });
    server = await startServerProcess('redis-fault', 'api,worker', {
      REDIS_URL: proxy.url(TEST_REDIS_URL),
      SWEEP_INTERVAL_MS: '1000',
      MATCH_RETRY_MS: '500',
    });
    world = new World(server.url);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    figures.print();
    world?.close();
    await server?.kill('SIGKILL');
    await proxy?.close();
    await db?.end();
  });

  it('answers fast, serves from memory, and matches the trips it accepted once Redis is back', async () => {
    const city = randomCity();
    const driver = await world.driverAt(city);
    const stopPinging = world.keepPinging(driver);
    driver.socket.on('trip:offer', (offer: OfferBody) => {
      emitAck(driver.socket, 'trip:accept', { tripId: offer.tripId }).catch(() => undefined);
    });
    const riders = await Promise.all([world.rider(), world.rider(), world.rider()]);
    const tripBody = {
      pickup: north(city, 100),
      dropoff: north(city, 2_000),
      cabType: 'ECONOMY',
      paymentMethod: 'CASH',
    };
    try {
      await proxy.setMode('blackhole');
      const outageStarted = Date.now();

      const ready = await waitFor(
        () => timed(`${server.url}/health/ready`, {}, 8_000),
        (r) => r.status === 503,
        6_000,
        200,
      );
      const down = Object.keys(ready.value.body.error ?? {});
      figures.add('/health/ready 503 after', `${ready.ms} ms (down: ${down.join(', ')})`);
      expect(ready.ok).toBe(true);
      expect(ready.ms).toBeLessThan(5_000);
      expect(down).toContain('redis');

      const requests: Timed[] = [];
      const accounts: Timed[] = [];
      const memory: Timed[] = [];
      for (const rider of riders) {
        const [trip, signUp, login, nearby, live] = await Promise.all([
          timed(`${server.url}/trips`, { method: 'POST', token: rider.token, body: tripBody }),
          timed(`${server.url}/auth/riders`, {
            method: 'POST',
            body: { name: 'R', email: `${unique('rd')}@example.com`, password: 'rider-password' },
          }),
          timed(`${server.url}/auth/login`, {
            method: 'POST',
            body: { email: rider.email, password: rider.password, role: 'rider' },
          }),
          timed(`${server.url}/cabs/nearby?lat=${city.lat}&lng=${city.lng}`, {
            token: rider.token,
          }),
          timed(`${server.url}/health/live`),
        ]);
        requests.push(trip);
        accounts.push(signUp, login);
        memory.push(nearby, live);
        const ping = await emitAck<AckBody>(driver.socket, 'driver:location', {
          ...driver.at,
          ts: Date.now(),
        }).catch((error: Error) => {
          throw new Error(
            `ping not acked (${error.message}); the server said:\n${server.output()}`,
          );
        });
        expect(ping).toEqual({ ok: true });
        await pause(2_000);
      }
      figures.addRequests('POST /trips during the outage', requests);
      figures.addRequests('sign-up and login during the outage', accounts);
      figures.addRequests('GET /cabs/nearby and /health/live during the outage', memory);
      figures.add('pings during the outage', 'acked ok x3');
      const unclean = [...requests, ...accounts].filter(
        (r) =>
          r.ms > 2_000 ||
          !(r.status < 500 || (r.status === 503 && r.retryAfter !== null)) ||
          r.status === 0,
      );
      expect(unclean.map((r) => ({ status: r.status, ms: r.ms, error: r.body.error }))).toEqual([]);
      expect(memory.map((r) => r.status)).toEqual(memory.map(() => 200));

      // Each accepted request's first matching step is held in PostgreSQL (the outbox).
      const acceptedIds = requests
        .filter((r) => r.status === 201)
        .map((r) => (r.body.trip as { id: string }).id);
      const heldInOutbox = async () =>
        (
          await db.query(`SELECT count(*)::int AS n FROM job_outbox WHERE job_id = ANY($1)`, [
            acceptedIds,
          ])
        ).rows[0].n as number;
      const held = await heldInOutbox();
      figures.add('their matching steps held in the outbox', `${held} of ${acceptedIds.length}`);
      expect(held).toBe(acceptedIds.length);

      await pause(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
      await proxy.setMode('pass');
      const backAt = Date.now();
      figures.add('outage lasted', `${backAt - outageStarted} ms`);

      const readyAgain = await waitFor(
        () => timed(`${server.url}/health/ready`),
        (r) => r.status === 200,
        15_000,
        200,
      );
      figures.add('/health/ready 200 again after', `${readyAgain.ms} ms`);
      expect(readyAgain.ok).toBe(true);

      // The requests accepted during the outage are matched now (one driver: one assigned, the
      // others end NO_DRIVER_FOUND later or wait; none is left without matching activity).
      const accepted = acceptedIds;
      figures.add('trip requests accepted during the outage', accepted.length);
      if (accepted.length > 0) {
        const matched = await waitFor(
          async () =>
            (
              await db.query(`SELECT count(*)::int AS n FROM trip_offers WHERE trip_id = ANY($1)`, [
                accepted,
              ])
            ).rows[0].n as number,
          (n) => n > 0,
          15_000,
          100,
        );
        figures.add('first offer for them after Redis returned', `${Date.now() - backAt} ms`);
        expect(matched.ok).toBe(true);
      }
      const relayed = await waitFor(heldInOutbox, (n) => n === 0, 10_000, 100);
      figures.add('outbox relayed after Redis returned', `${Date.now() - backAt} ms`);
      expect(relayed.ok).toBe(true);
      const after = await timed(`${server.url}/trips`, {
        method: 'POST',
        token: (await world.rider()).token,
        body: tripBody,
      });
      figures.addRequests('POST /trips after recovery', [after]);
      expect(after.status).toBe(201);
      expect(await brokenInvariants(db)).toEqual({});
    } finally {
      stopPinging();
    }
  });
});
