import request from 'supertest';
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../apps/api/src/server';
import {
  connectSocket,
  emitAck,
  nextEvent,
  north,
  randomCity,
  signUpDriver,
  signUpRider,
  SignedUp,
} from '../support/clients';
import { startTestServer, TEST_ADMIN } from '../support/test-server';

jest.setTimeout(40_000);

interface Cabs {
  cabs: { cabType: string; location: { lat: number; lng: number }; etaSeconds: number }[];
}
type AckBody = { ok: boolean; error?: { code: string; details?: { field: string }[] } };

const FAST = {
  DRIVER_STALE_AFTER_MS: '1500',
  DRIVER_OFFLINE_AFTER_MS: '2500',
  LOCATION_FLUSH_INTERVAL_MS: '200',
  CABS_PUSH_INTERVAL_MS: '300',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live locations (real PostgreSQL + Redis, socket.io)', () => {
  let server: RunningServer;
  let rider: SignedUp;
  const sockets: Socket[] = [];

  const driverOnline = async (cabType: 'ECONOMY' | 'XL' | 'PREMIUM' = 'ECONOMY') => {
    const driver = await signUpDriver(server.url, cabType);
    const socket = await connectSocket(server.url, '/driver', driver.token);
    sockets.push(socket);
    expect(await emitAck(socket, 'driver:status', { status: 'AVAILABLE' })).toEqual({
      ok: true,
      status: 'AVAILABLE',
    });
    return { driver, socket };
  };
  const ping = (socket: Socket, at: { lat: number; lng: number }, ts = Date.now()) =>
    emitAck<AckBody>(socket, 'driver:location', { ...at, heading: 90, ts });
  const nearby = async (at: { lat: number; lng: number }, radius = 3000) =>
    (
      await request(server.url)
        .get('/cabs/nearby')
        .query({ ...at, radius })
        .set('Authorization', `Bearer ${rider.token}`)
        .expect(200)
    ).body as Cabs;

  beforeAll(async () => {
    server = await startTestServer(FAST);
    rider = await signUpRider(server.url);
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => server.close());

  it('shows an available, pinging driver to riders with an ETA and no driver id', async () => {
    const city = randomCity();
    const { socket } = await driverOnline('XL');
    expect(await ping(socket, north(city, 500))).toEqual({ ok: true });

    const body = await nearby(city);
    expect(body.cabs).toHaveLength(1);
    const [cab] = body.cabs;
    expect(cab.cabType).toBe('XL');
    expect(cab.location.lat).toBeCloseTo(north(city, 500).lat, 6);
    // 500 m straight, x1.3 road factor, at 25 km/h: 94 s.
    expect(cab.etaSeconds).toBe(94);
    expect(JSON.stringify(body)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('streams cabs:nearby to a watching rider, and drops an offline driver', async () => {
    const city = randomCity();
    const { socket: driverSocket } = await driverOnline();
    await ping(driverSocket, north(city, 200));
    const riderSocket = await connectSocket(server.url, '/rider', rider.token);
    sockets.push(riderSocket);

    const first = nextEvent<Cabs>(riderSocket, 'cabs:nearby');
    expect(await emitAck(riderSocket, 'cabs:watch', city)).toEqual({ ok: true });
    expect((await first).cabs).toHaveLength(1);

    expect(await emitAck(driverSocket, 'driver:status', { status: 'OFFLINE' })).toMatchObject({
      ok: true,
    });
    await nextEvent<Cabs>(riderSocket, 'cabs:nearby', (b) => b.cabs.length === 0);
    expect((await nearby(city)).cabs).toHaveLength(0);
    expect(await emitAck(riderSocket, 'cabs:unwatch', {})).toEqual({ ok: true });
  });

  it('hides a stale driver after 15 s (1.5 s here) and sets it OFFLINE later', async () => {
    const city = randomCity();
    const { socket } = await driverOnline();
    await ping(socket, city);
    expect((await nearby(city)).cabs).toHaveLength(1);
    await sleep(1_700);
    expect((await nearby(city)).cabs).toHaveLength(0);
    await sleep(1_300);
    // Now OFFLINE: a ping is refused until the driver goes AVAILABLE again.
    expect((await ping(socket, city)).error?.code).toBe('INVALID_STATE');
    expect(await emitAck(socket, 'driver:status', { status: 'AVAILABLE' })).toMatchObject({
      ok: true,
    });
    expect(await ping(socket, city)).toEqual({ ok: true });
  });

  it('refuses each kind of bad ping with its code and keeps serving the socket', async () => {
    const city = randomCity();
    const { socket } = await driverOnline();
    const now = Date.now();
    const cases: [unknown, string, string?][] = [
      [{ lat: 95, lng: city.lng, ts: now }, 'VALIDATION', 'lat'],
      [{ lat: city.lat, lng: 'east', ts: now }, 'VALIDATION', 'lng'],
      [{ lat: city.lat, lng: city.lng, ts: now + 60_000 }, 'VALIDATION', 'ts'],
      [{ lat: city.lat, lng: city.lng, ts: now - 31_000 }, 'VALIDATION', 'ts'],
      [{ lat: city.lat, lng: city.lng }, 'VALIDATION', 'ts'],
      [{ lat: city.lat, lng: city.lng, ts: now, heading: 400 }, 'VALIDATION', 'heading'],
      ['not an object', 'VALIDATION'],
    ];
    for (const [payload, code, field] of cases) {
      const ack = await emitAck<AckBody>(socket, 'driver:location', payload);
      expect(ack.error?.code).toBe(code);
      if (field) expect(ack.error?.details?.map((d) => d.field)).toContain(field);
      await sleep(210); // stay under 5 pings/s
    }
    expect(socket.connected).toBe(true);
    expect(await ping(socket, city)).toEqual({ ok: true });
  });

  it('refuses a 300 km jump as IMPLAUSIBLE_LOCATION and keeps the last good position', async () => {
    const city = randomCity();
    const { socket } = await driverOnline();
    expect(await ping(socket, city, Date.now() - 3_000)).toEqual({ ok: true });
    const jump = await ping(socket, north(city, 300_000));
    expect(jump.error?.code).toBe('IMPLAUSIBLE_LOCATION');
    expect(socket.connected).toBe(true);
    expect((await nearby(city)).cabs).toHaveLength(1);
    expect((await nearby(north(city, 300_000))).cabs).toHaveLength(0);
    const metrics = await request(server.url).get('/metrics');
    expect(metrics.text).toMatch(/ridehail_pings_total\{outcome="IMPLAUSIBLE_LOCATION"\} [1-9]/);
  });

  it('rate-limits a flooding driver while another driver is still served', async () => {
    const city = randomCity();
    const flooder = await driverOnline();
    const calm = await driverOnline();
    const flood = await Promise.all(Array.from({ length: 20 }, () => ping(flooder.socket, city)));
    const codes = flood.map((a) => (a.ok ? 'OK' : a.error?.code));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(15);
    expect(flooder.socket.connected).toBe(true);
    expect(await ping(calm.socket, north(city, 100))).toEqual({ ok: true });
  });

  it('does not let a suspended driver go AVAILABLE, and takes it off the map', async () => {
    const city = randomCity();
    const { driver, socket } = await driverOnline();
    await ping(socket, city);
    const admin = await request(server.url)
      .post('/auth/login')
      .send({ ...TEST_ADMIN, role: 'admin' })
      .expect(200);
    const auth = `Bearer ${admin.body.accessToken}`;
    await request(server.url)
      .post(`/admin/drivers/${driver.id}/suspend`)
      .set('Authorization', auth)
      .expect(200);
    expect((await nearby(city)).cabs).toHaveLength(0);
    const refused = await emitAck<AckBody>(socket, 'driver:status', { status: 'AVAILABLE' });
    expect(refused.error?.code).toBe('FORBIDDEN');
    await request(server.url)
      .post('/drivers/me/status')
      .set('Authorization', `Bearer ${driver.token}`)
      .send({ status: 'AVAILABLE' })
      .expect(403);
    await request(server.url)
      .post(`/admin/drivers/${driver.id}/reinstate`)
      .set('Authorization', auth)
      .expect(200);
    await request(server.url)
      .post('/drivers/me/status')
      .set('Authorization', `Bearer ${driver.token}`)
      .send({ status: 'AVAILABLE' })
      .expect(200, { status: 'AVAILABLE' });
  });

  it('validates the nearby query and keeps it for riders and admins', async () => {
    const auth = `Bearer ${rider.token}`;
    const bad = await request(server.url)
      .get('/cabs/nearby')
      .query({ lat: 100, lng: 0, radius: 20_000 })
      .set('Authorization', auth)
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'lat',
      'radius',
    ]);
    const driver = await signUpDriver(server.url);
    await request(server.url)
      .get('/cabs/nearby')
      .query({ lat: 0, lng: 0 })
      .set('Authorization', `Bearer ${driver.token}`)
      .expect(403);
  });

  it('shows operators each driver live, with refused pings counted', async () => {
    const city = randomCity();
    const { driver, socket } = await driverOnline('XL');
    expect(await ping(socket, city, Date.now() - 3_000)).toEqual({ ok: true });
    expect((await ping(socket, north(city, 300_000))).error?.code).toBe('IMPLAUSIBLE_LOCATION');
    await sleep(400); // one batched write of live state
    const admin = await request(server.url)
      .post('/auth/login')
      .send({ ...TEST_ADMIN, role: 'admin' });
    const auth = `Bearer ${admin.body.accessToken}`;
    const detail = await request(server.url)
      .get(`/admin/drivers/${driver.id}`)
      .set('Authorization', auth)
      .expect(200);
    expect(detail.body.driver).toMatchObject({
      id: driver.id,
      status: 'AVAILABLE',
      location: city,
      vehicle: { cabType: 'XL' },
    });
    expect(detail.body.counts.implausiblePings).toBe(1);
    const list = await request(server.url)
      .get('/admin/drivers')
      .query({ status: 'AVAILABLE', cabType: 'XL', limit: 200 })
      .set('Authorization', auth)
      .expect(200);
    expect(list.body.drivers.map((d: { id: string }) => d.id)).toContain(driver.id);
    await request(server.url)
      .get('/admin/drivers')
      .set('Authorization', `Bearer ${rider.token}`)
      .expect(403);
  });

  it('reports drivers and pings in /admin/stats', async () => {
    const { socket } = await driverOnline();
    await ping(socket, randomCity());
    const admin = await request(server.url)
      .post('/auth/login')
      .send({ ...TEST_ADMIN, role: 'admin' });
    const stats = await request(server.url)
      .get('/admin/stats')
      .set('Authorization', `Bearer ${admin.body.accessToken}`)
      .expect(200);
    expect(stats.body.drivers.available).toBeGreaterThanOrEqual(1);
    expect(stats.body.pings.perSecond).toEqual(expect.any(Number));
    expect(stats.body.trips).toEqual({ open: expect.any(Number), byStatus: expect.any(Object) });
    expect(stats.body.matching).toMatchObject({ requested: expect.any(Number) });
  });
});
