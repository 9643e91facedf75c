import Redis from 'ioredis';
import request from 'supertest';
import { RunningServer } from '../../apps/api/src/server';
import { connectSocket, emitAck, randomCity, signUpDriver, signUpRider } from '../support/clients';
import { TEST_REDIS_URL_ISOLATED } from '../support/services';
import { startTestServer } from '../support/test-server';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

/**
 * A restart loses no online driver: the index is rebuilt from Redis (when configured) or from
 * PostgreSQL (when not), both written in batches, and flushed on a graceful shutdown.
 */
describe.each([
  ['Redis', {}],
  ['PostgreSQL only', { REDIS_URL: '' }],
])('a restarted server still knows online drivers (%s)', (_, overrides) => {
  let server: RunningServer | undefined;
  afterEach(() => server?.close());

  it('rebuilds the index from the store', async () => {
    server = await startTestServer(overrides);
    const driver = await signUpDriver(server.url, 'PREMIUM');
    const rider = await signUpRider(server.url);
    const city = randomCity();
    const socket = await connectSocket(server.url, '/driver', driver.token);
    await emitAck(socket, 'driver:status', { status: 'AVAILABLE' });
    expect(await emitAck(socket, 'driver:location', { ...city, ts: Date.now() })).toEqual({
      ok: true,
    });
    socket.close();
    await server.close();

    server = await startTestServer(overrides);
    const res = await request(server.url)
      .get('/cabs/nearby')
      .query(city)
      .set('Authorization', `Bearer ${rider.token}`)
      .expect(200);
    expect(res.body.cabs).toEqual([{ cabType: 'PREMIUM', location: city, etaSeconds: 0 }]);
  });
});

/**
 * Redis restarted empty under a running server: the first flush that finds its marker gone
 * fills the live hash again from the index (a driver who did not ping since is back too), so a
 * server that starts afterwards still finds every online driver.
 */
describe('Redis restarted empty: the live hash is filled again from the index', () => {
  const servers: RunningServer[] = [];
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL_ISOLATED);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await redis.quit();
  });

  it('restores a quiet driver to the hash and to a server started later', async () => {
    const overrides = { REDIS_URL: TEST_REDIS_URL_ISOLATED };
    await redis.flushdb();
    const first = await startTestServer(overrides);
    servers.push(first);
    const city = randomCity();
    const quiet = await signUpDriver(first.url, 'PREMIUM');
    const busy = await signUpDriver(first.url, 'XL');
    const sockets = await Promise.all(
      [quiet, busy].map((d) => connectSocket(first.url, '/driver', d.token)),
    );
    for (const socket of sockets) {
      await emitAck(socket, 'driver:status', { status: 'AVAILABLE' });
      expect(await emitAck(socket, 'driver:location', { ...city, ts: Date.now() })).toEqual({
        ok: true,
      });
    }
    const inHash = () => redis.hexists('live:drivers', quiet.id);
    await waitUntil(async () => (await inHash()) === 1);

    await redis.flushdb(); // what a Redis restarted without its data holds
    expect(await inHash()).toBe(0);
    // Only the other driver pings: its flush finds the marker gone and fills the hash.
    expect(await emitAck(sockets[1], 'driver:location', { ...city, ts: Date.now() })).toEqual({
      ok: true,
    });
    await waitUntil(async () => (await inHash()) === 1);

    // One server per jest process (metrics registry): the later one starts after this one.
    sockets.forEach((s) => s.close());
    await servers.pop()?.close();
    const later = await startTestServer(overrides);
    servers.push(later);
    const rider = await signUpRider(later.url);
    const res = await request(later.url)
      .get('/cabs/nearby')
      .query(city)
      .set('Authorization', `Bearer ${rider.token}`)
      .expect(200);
    expect(res.body.cabs).toContainEqual({ cabType: 'PREMIUM', location: city, etaSeconds: 0 });
  });
});

/** Polls until `check` holds, failing the test after `ms`. */
async function waitUntil(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  expect((await waitFor(check, (ok) => ok, ms, 50)).ok).toBe(true);
}

/**
 * A flush writes its changed drivers in MULTIs of LOCATION_REDIS_WRITE_RECORDS, so one flush of
 * many drivers never holds the event loop for long: six drivers moved within one (long) flush
 * interval reach the hash all together, in stream entries of at most two records each.
 */
describe('a flush of many drivers is written in slices', () => {
  let server: RunningServer | undefined;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL_ISOLATED);
  });
  afterAll(async () => {
    await server?.close();
    await redis.quit();
  });

  it('writes every driver, at most LOCATION_REDIS_WRITE_RECORDS per stream entry', async () => {
    await redis.flushdb();
    server = await startTestServer({
      REDIS_URL: TEST_REDIS_URL_ISOLATED,
      LOCATION_REDIS_WRITE_RECORDS: '2',
      LOCATION_FLUSH_INTERVAL_MS: '1500',
    });
    const city = randomCity();
    const drivers = await Promise.all(Array.from({ length: 6 }, () => signUpDriver(server!.url)));
    const sockets = await Promise.all(
      drivers.map((d) => connectSocket(server!.url, '/driver', d.token)),
    );
    for (const socket of sockets) await emitAck(socket, 'driver:status', { status: 'AVAILABLE' });
    const ids = new Set(drivers.map((d) => d.id));
    const inHash = async () => (await redis.hmget('live:drivers', ...ids)).every(Boolean);
    await waitUntil(inHash, 6_000);
    // Every stream entry written since: its records, as the lines of its `d` field.
    const since = Date.now();
    const acks = await Promise.all(
      sockets.map((s) => emitAck(s, 'driver:location', { ...city, ts: Date.now() })),
    );
    expect(acks).toEqual(Array(6).fill({ ok: true }));
    const moved = async () => {
      const entries: string[][] = [];
      for (const key of await redis.keys('live:stream:*')) {
        for (const [, fields] of await redis.xrange(key, String(since), '+'))
          entries.push(fields[fields.indexOf('d') + 1].split('\n').map((l) => l.split('|')[0]));
      }
      return entries.filter((lines) => lines.some((id) => ids.has(id)));
    };
    const seen = await waitFor(moved, (e) => new Set(e.flat()).size >= 6, 6_000, 100);
    expect(seen.ok).toBe(true);
    expect(new Set(seen.value.flat())).toEqual(ids);
    // The six moves fell into one or two flushes of 1.5 s; each wrote slices of two.
    expect(seen.value.length).toBeGreaterThanOrEqual(3);
    for (const lines of seen.value) expect(lines.length).toBeLessThanOrEqual(2);
    sockets.forEach((s) => s.close());
  });
});
