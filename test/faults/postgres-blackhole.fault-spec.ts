import { Client } from 'pg';
import { emitAck, north, randomCity } from '../support/clients';
import { FaultProxy } from '../support/fault-proxy';
import { ServerProcess, startServerProcess } from '../support/processes';
import { TEST_DATABASE_URL } from '../support/services';
import { TEST_ADMIN, unique } from '../support/test-server';
import { AckBody, World } from '../support/world';
import { brokenInvariants, Figures, pause, timed, Timed, waitFor } from './fault-kit';

jest.setTimeout(120_000);

const OUTAGE_MS = 10_000;

/**
 * PostgreSQL blackholed for 10 s (connections accepted, nothing answered) under one api+worker
 * process: the routes that need it answer 503 with Retry-After within 2 s, readiness says so
 * within 5 s, liveness and pings from memory carry on, and everything works again within 10 s of
 * the database coming back, without a half-written trip.
 */
describe('PostgreSQL blackholed for 10 s', () => {
  let proxy: FaultProxy;
  let server: ServerProcess;
  let world: World;
  let db: Client;
  const figures = new Figures('PostgreSQL blackholed 10 s (one api,worker process)');

  beforeAll(async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: 5432 });
    server = await startServerProcess('pg-fault', 'api,worker', {
      DATABASE_URL: proxy.url(TEST_DATABASE_URL),
      SWEEP_INTERVAL_MS: '1000',
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

  it('fails fast, says why, keeps what needs no database, and recovers', async () => {
    const city = randomCity();
    const driver = await world.driverAt(city);
    const riders = await Promise.all([world.rider(), world.rider(), world.rider()]);
    const admin = await timed(`${server.url}/auth/login`, {
      method: 'POST',
      body: { email: TEST_ADMIN.email, password: TEST_ADMIN.password, role: 'admin' },
    });
    expect(admin.status).toBe(200);
    const adminToken = admin.body.accessToken as string;

    const tripBody = (at: { lat: number; lng: number }) => ({
      pickup: at,
      dropoff: north(at, 2_000),
      cabType: 'ECONOMY',
      paymentMethod: 'CARD',
    });
    const databaseRoutes = (rider: { token: string }): Promise<Timed>[] => [
      timed(`${server.url}/auth/riders`, {
        method: 'POST',
        body: { name: 'R', email: `${unique('pg')}@example.com`, password: 'rider-password' },
      }),
      timed(`${server.url}/auth/login`, {
        method: 'POST',
        body: { email: riders[0].email, password: riders[0].password, role: 'rider' },
      }),
      timed(`${server.url}/trips`, { token: rider.token }),
      timed(`${server.url}/trips`, { method: 'POST', token: rider.token, body: tripBody(city) }),
      timed(`${server.url}/admin/stats`, { token: adminToken }),
    ];

    await proxy.setMode('blackhole');
    const outageStarted = Date.now();

    const ready = await waitFor(
      () => timed(`${server.url}/health/ready`, {}, 6_000),
      (r) => r.status === 503,
      6_000,
      200,
    );
    figures.add(
      '/health/ready 503 after',
      `${ready.ms} ms (body names: ${Object.keys(ready.value.body.error ?? {})})`,
    );
    expect(ready.ok).toBe(true);
    expect(ready.ms).toBeLessThan(5_000);
    expect(Object.keys(ready.value.body.error ?? {})).toContain('database');

    // Three rounds of every database route, spread over the outage.
    const rounds: Timed[][] = [];
    for (const [i, rider] of riders.entries()) {
      rounds.push(await Promise.all(databaseRoutes(rider)));
      const live = await timed(`${server.url}/health/live`);
      expect(live.status).toBe(200);
      const ping = await emitAck<AckBody>(driver.socket, 'driver:location', {
        ...north(city, 10 * (i + 1)),
        ts: Date.now(),
      });
      expect(ping).toEqual({ ok: true });
      await pause(2_000);
    }
    const during = rounds.flat();
    figures.addRequests('database routes during the outage (5 routes x 3 rounds)', during);
    figures.add('pings during the outage', 'acked ok x3');
    const slow = during.filter((r) => r.status !== 503 || r.ms > 2_000 || r.retryAfter === null);
    expect(slow.map((r) => ({ status: r.status, ms: r.ms, error: r.body.error }))).toEqual([]);
    expect(during.every((r) => r.body.error === 'UNAVAILABLE')).toBe(true);

    await pause(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
    await proxy.setMode('pass');
    const backAt = Date.now();
    figures.add('outage lasted', `${backAt - outageStarted} ms`);

    const recovered = await waitFor(
      () =>
        timed(
          `${server.url}/trips`,
          { method: 'POST', token: riders[2].token, body: tripBody(city) },
          5_000,
        ),
      (r) => r.status === 201 || r.status === 409,
      10_000,
      200,
    );
    figures.add(
      'POST /trips answered 201 again after',
      `${recovered.ms} ms (${recovered.value.status})`,
    );
    expect(recovered.ok).toBe(true);
    const readyAgain = await waitFor(
      () => timed(`${server.url}/health/ready`),
      (r) => r.status === 200,
      10_000,
      200,
    );
    figures.add('/health/ready 200 again after', `${Date.now() - backAt} ms`);
    expect(readyAgain.ok).toBe(true);
    const after = await Promise.all(databaseRoutes(riders[1]));
    figures.addRequests('database routes after recovery', after);
    expect(after.map((r) => r.status).filter((s) => s >= 500)).toEqual([]);

    // Every trip the outage touched is whole: its event, its payment.
    expect(await brokenInvariants(db)).toEqual({});
  });
});
