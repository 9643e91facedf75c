import { Client } from 'pg';
import request from 'supertest';
import { connectSocket, emitAck, nextEvent, north, randomCity } from '../support/clients';
import { ServerProcess, startServerProcess } from '../support/processes';
import { TEST_DATABASE_URL } from '../support/services';
import { AckBody, OfferBody, OnlineDriver, TripBody, World } from '../support/world';

jest.setTimeout(240_000);

/** Fast timers, so the whole city's life fits in a test; the same code paths as production. */
const ENV = {
  LOCATION_FLUSH_INTERVAL_MS: '100',
  SWEEP_INTERVAL_MS: '1000',
  OFFER_TIMEOUT_MS: '5000',
  MATCH_RETRY_MS: '500',
  MATCH_MAX_MS: '30000',
};

/**
 * One city on several processes: two api processes (A and B) and one worker, on the real
 * PostgreSQL and Redis, each started (and killed) by this test by pid. A rider on A and a driver
 * on B share everything: the index is replicated through Redis Streams, sockets reach each other
 * through socket.io's Redis adapter, matching runs on the worker.
 */
describe('many processes, one city', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let worker: ServerProcess;
  const started: ServerProcess[] = [];
  const worlds: World[] = [];
  let db: Client;

  const world = (p: ServerProcess) => {
    const w = new World(p.url);
    worlds.push(w);
    return w;
  };

  beforeAll(async () => {
    // The first process runs the migrations; the others start once they are done.
    worker = await startServerProcess('worker', 'worker', ENV);
    [a, b] = await Promise.all([
      startServerProcess('api-a', 'api', ENV),
      startServerProcess('api-b', 'api', ENV),
    ]);
    started.push(worker, a, b);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    worlds.forEach((w) => w.close());
    await Promise.all(started.map((p) => p.kill('SIGTERM')));
    await db?.end();
  });

  it('serves a whole trip to a rider on A and a driver on B', async () => {
    const [onA, onB] = [world(a), world(b)];
    const city = randomCity();
    const driver = await onB.driverAt(city);
    const stopPinging = onB.keepPinging(driver);
    try {
      const rider = await onA.rider();
      const offered = nextEvent<OfferBody>(driver.socket, 'trip:offer', () => true, 15_000);
      const requested = await onA.step(rider.socket, 'trip:request', {
        pickup: city,
        dropoff: north(city, 2_000),
        cabType: 'ECONOMY',
        paymentMethod: 'CASH',
      });
      expect(requested).toMatchObject({ ok: true, trip: { status: 'REQUESTED' } });
      const tripId = requested.trip.id;
      expect((await offered).tripId).toBe(tripId);

      const assigned = onA.updateOf(rider.socket, tripId, 'DRIVER_ASSIGNED');
      expect(await onB.step(driver.socket, 'trip:accept', { tripId })).toMatchObject({ ok: true });
      const { pickupCode } = (await assigned).trip;
      expect(pickupCode).toMatch(/^\d{4}$/);

      // The live view crosses processes: B's ping reaches the rider's socket on A.
      const located = nextEvent<{ tripId: string; etaSeconds: number }>(
        rider.socket,
        'driver:location',
        (l) => l.tripId === tripId,
      );
      driver.at = north(city, 100);
      await emitAck(driver.socket, 'driver:location', { ...driver.at, ts: Date.now() });
      expect(await located).toMatchObject({ tripId, etaSeconds: expect.any(Number) });

      expect(await onB.step(driver.socket, 'trip:arrive', { tripId })).toMatchObject({ ok: true });
      expect(await onB.step(driver.socket, 'trip:start', { tripId, pickupCode })).toMatchObject({
        ok: true,
        trip: { status: 'IN_PROGRESS' },
      });
      const completed = onA.updateOf(rider.socket, tripId, 'COMPLETED');
      expect(await onB.step(driver.socket, 'trip:complete', { tripId })).toMatchObject({
        ok: true,
      });
      expect((await completed).trip.status).toBe('COMPLETED');
    } finally {
      stopPinging();
    }
  });

  it('shows on A, within a second, a driver pinging B, and drops it when it goes offline', async () => {
    const [onA, onB] = [world(a), world(b)];
    const city = randomCity();
    const rider = await onA.rider();
    const nearbyOnA = async () =>
      (
        await request(a.url)
          .get('/cabs/nearby')
          .query(city)
          .set('Authorization', `Bearer ${rider.token}`)
          .expect(200)
      ).body.cabs as unknown[];
    const within = async (ms: number, done: (cabs: unknown[]) => boolean) => {
      const deadline = Date.now() + ms;
      let cabs = await nearbyOnA();
      while (!done(cabs) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        cabs = await nearbyOnA();
      }
      return cabs;
    };

    const driver = await onB.driverAt(city); // its first ping is acked when this resolves
    expect(await within(1_000, (cabs) => cabs.length === 1)).toHaveLength(1);
    expect(await emitAck(driver.socket, 'driver:status', { status: 'OFFLINE' })).toMatchObject({
      ok: true,
    });
    expect(await within(1_000, (cabs) => cabs.length === 0)).toEqual([]);
  });

  it('carries on a trip when the driver’s process is killed: the driver reconnects to A', async () => {
    const [onA, onB] = [world(a), world(b)];
    const city = randomCity();
    const driver = await onB.driverAt(city);
    const stopPinging = onB.keepPinging(driver);
    const rider = await onA.rider();
    const offered = nextEvent<OfferBody>(driver.socket, 'trip:offer', () => true, 15_000);
    const requested = await onA.step(rider.socket, 'trip:request', {
      pickup: city,
      dropoff: north(city, 2_000),
      cabType: 'ECONOMY',
      paymentMethod: 'CASH',
    });
    const tripId = requested.trip.id;
    await offered;
    const assigned = onA.updateOf(rider.socket, tripId, 'DRIVER_ASSIGNED');
    await onB.step(driver.socket, 'trip:accept', { tripId });
    const { pickupCode } = (await assigned).trip;
    stopPinging();

    await b.kill('SIGKILL');
    // The driver's app reconnects to the other process and gets its trip at once.
    const socket = await connectSocket(a.url, '/driver', driver.token);
    const again: OnlineDriver = { ...driver, socket };
    onA.sockets.push(socket);
    const { trip } = await nextEvent<{ trip: TripBody }>(
      socket,
      'trip:update',
      (u) => u.trip.id === tripId,
    );
    expect(trip.status).toBe('DRIVER_ASSIGNED');
    // A checks plausibility from the driver's last fix on B (replicated): no teleport by reconnect.
    expect(
      await emitAck<AckBody>(socket, 'driver:location', { ...north(city, 50_000), ts: Date.now() }),
    ).toMatchObject({ ok: false, error: { code: 'IMPLAUSIBLE_LOCATION' } });
    again.at = north(city, 5); // the next fix, close to the last one seen on B
    expect(
      await emitAck<AckBody>(socket, 'driver:location', { ...again.at, ts: Date.now() }),
    ).toEqual({ ok: true });
    expect(await onA.step(socket, 'trip:arrive', { tripId })).toMatchObject({ ok: true });
    expect(await onA.step(socket, 'trip:start', { tripId, pickupCode })).toMatchObject({
      ok: true,
    });
    const completed = onA.updateOf(rider.socket, tripId, 'COMPLETED');
    expect(await onA.step(socket, 'trip:complete', { tripId })).toMatchObject({ ok: true });
    expect((await completed).trip.status).toBe('COMPLETED');
  });

  it('loses no trip when the worker is killed with 20 requests in flight', async () => {
    const onA = world(a);
    const city = randomCity();
    const drivers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => onA.driverAt(north(city, 50 * i))),
    );
    const stopPinging = onA.keepPinging(...drivers);
    for (const d of drivers) {
      d.socket.on('trip:offer', (offer: OfferBody) => {
        // An accept still in flight when the sockets close at the end is rejected: not a failure.
        emitAck(d.socket, 'trip:accept', { tripId: offer.tripId }).catch(() => undefined);
      });
    }
    try {
      const riders = await Promise.all(Array.from({ length: 20 }, () => onA.rider()));
      const trips = await Promise.all(riders.map((r) => onA.requestTrip(r, city)));
      await new Promise((resolve) => setTimeout(resolve, 150));
      await worker.kill('SIGKILL');
      const replacement = await startServerProcess('worker-2', 'worker', ENV);
      started.push(replacement);

      const ids = trips.map((t) => t.id);
      const deadline = Date.now() + 120_000;
      let statuses: string[] = [];
      while (Date.now() < deadline) {
        const { rows } = await db.query(`SELECT status FROM trips WHERE id = ANY($1)`, [ids]);
        statuses = rows.map((r: { status: string }) => r.status);
        if (statuses.every((s) => s === 'DRIVER_ASSIGNED' || s === 'NO_DRIVER_FOUND')) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(statuses).toHaveLength(20);
      expect(statuses.filter((s) => s !== 'DRIVER_ASSIGNED' && s !== 'NO_DRIVER_FOUND')).toEqual(
        [],
      );
      expect(statuses.filter((s) => s === 'DRIVER_ASSIGNED')).toHaveLength(drivers.length);
      // The invariants, as queries that must return no rows.
      const offeredTwice = await db.query(
        `SELECT trip_id, driver_id FROM trip_offers WHERE trip_id = ANY($1)
         GROUP BY trip_id, driver_id HAVING count(*) > 1`,
        [ids],
      );
      expect(offeredTwice.rows).toEqual([]);
      const onTwoTrips = await db.query(
        `SELECT driver_id FROM trips WHERE id = ANY($1) AND driver_id IS NOT NULL
           AND status IN ('DRIVER_ASSIGNED', 'DRIVER_ARRIVED', 'IN_PROGRESS')
         GROUP BY driver_id HAVING count(*) > 1`,
        [ids],
      );
      expect(onTwoTrips.rows).toEqual([]);
    } finally {
      stopPinging();
    }
  });
});
