import request from 'supertest';
import { RunningServer } from '../../apps/api/src/server';
import { randomCity, signUpDriver, signUpRider, SignedUp } from '../support/clients';
import { startTestServer, TEST_ADMIN } from '../support/test-server';
import { World } from '../support/world';

jest.setTimeout(60_000);

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** Every admin endpoint, with a path that would succeed for an admin. */
const ENDPOINTS: [method: 'get' | 'post', path: string][] = [
  ['get', '/admin/stats'],
  ['get', '/admin/drivers'],
  ['get', `/admin/drivers/${UNKNOWN_ID}`],
  ['post', `/admin/drivers/${UNKNOWN_ID}/suspend`],
  ['post', `/admin/drivers/${UNKNOWN_ID}/reinstate`],
  ['get', '/admin/riders'],
  ['get', '/admin/trips'],
  ['get', `/admin/trips/${UNKNOWN_ID}`],
];

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describe('admin endpoints (real PostgreSQL + Redis)', () => {
  let server: RunningServer;
  let world: World;
  let auth: string;
  let rider: SignedUp;
  let driver: SignedUp;

  beforeAll(async () => {
    server = await startTestServer();
    world = new World(server.url);
    const login = await request(server.url)
      .post('/auth/login')
      .send({ ...TEST_ADMIN, role: 'admin' })
      .expect(200);
    auth = `Bearer ${login.body.accessToken}`;
    rider = await signUpRider(server.url);
    driver = await signUpDriver(server.url);
  });
  afterAll(async () => {
    world.close();
    await server.close();
  });

  /** Follows nextCursor from the first page until `enough` says stop or the list ends. */
  async function pages<T>(
    path: string,
    key: string,
    query: Record<string, string | number>,
    enough: (seen: T[]) => boolean,
  ): Promise<{ pages: T[][]; cursors: (string | null)[] }> {
    const out: T[][] = [];
    const cursors: (string | null)[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++) {
      const res = await request(server.url)
        .get(path)
        .query(cursor ? { ...query, cursor } : query)
        .set('Authorization', auth)
        .expect(200);
      const page: Page<T> = { items: res.body[key], nextCursor: res.body.nextCursor };
      out.push(page.items);
      cursors.push(page.nextCursor);
      if (!page.nextCursor || enough(out.flat())) break;
      cursor = page.nextCursor;
    }
    return { pages: out, cursors };
  }

  it.each(ENDPOINTS)(
    '%s %s: 401 without a token, 403 for a rider and a driver',
    async (m, path) => {
      await request(server.url)[m](path).expect(401);
      for (const who of [rider, driver]) {
        const res = await request(server.url)[m](path).set('Authorization', `Bearer ${who.token}`);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ statusCode: 403, error: 'FORBIDDEN' });
      }
    },
  );

  it('answers 404 for an unknown driver or trip, 400 for an id that is not a UUID', async () => {
    for (const [m, path] of ENDPOINTS.filter(([, p]) => p.includes(UNKNOWN_ID))) {
      const res = await request(server.url)[m](path).set('Authorization', auth);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('NOT_FOUND');
    }
    await request(server.url).get('/admin/drivers/nope').set('Authorization', auth).expect(400);
    await request(server.url).get('/admin/trips/nope').set('Authorization', auth).expect(400);
  });

  it('pages through riders newest first, with no rider twice and a refused bad cursor', async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await signUpRider(server.url));
    const ids = new Set(mine.map((r) => r.id));
    const { pages: got, cursors } = await pages<{ id: string; createdAt: string }>(
      '/admin/riders',
      'riders',
      { limit: 2 },
      (seen) => seen.filter((r) => ids.has(r.id)).length === 5,
    );
    expect(got.slice(0, 2).map((p) => p.length)).toEqual([2, 2]);
    expect(cursors[0]).toEqual(expect.any(String));
    const flat = got.flat();
    expect(new Set(flat.map((r) => r.id)).size).toBe(flat.length);
    // The five are the newest riders, in reverse order of sign-up.
    expect(flat.slice(0, 5).map((r) => r.id)).toEqual(mine.map((r) => r.id).reverse());
    const times = flat.map((r) => Date.parse(r.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const bad = await request(server.url)
      .get('/admin/riders')
      .query({ cursor: 'not-a-cursor' })
      .set('Authorization', auth)
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['cursor']);
    await request(server.url)
      .get('/admin/riders')
      .query({ limit: 0 })
      .set('Authorization', auth)
      .expect(400);
  });

  it('pages through drivers filtered by cab type and live status', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await signUpDriver(server.url, 'PREMIUM'));
    const ids = new Set(mine.map((d) => d.id));
    const { pages: got } = await pages<{ id: string; vehicle: { cabType: string } }>(
      '/admin/drivers',
      'drivers',
      { limit: 2, cabType: 'PREMIUM' },
      (seen) => seen.filter((d) => ids.has(d.id)).length === 3,
    );
    expect(got.length).toBeGreaterThanOrEqual(2);
    const flat = got.flat();
    expect(flat.every((d) => d.vehicle.cabType === 'PREMIUM')).toBe(true);
    expect(new Set(flat.map((d) => d.id)).size).toBe(flat.length);
    expect(flat.slice(0, 3).map((d) => d.id)).toEqual(mine.map((d) => d.id).reverse());

    // The status filter reads the stored live state, written in batches: wait for one write.
    const online = await world.driverAt(randomCity(), 'XL');
    let listed: string[] = [];
    for (let i = 0; i < 50 && !listed.includes(online.id); i++) {
      if (i > 0) await new Promise((done) => setTimeout(done, 100));
      const available = await request(server.url)
        .get('/admin/drivers')
        .query({ status: 'AVAILABLE', cabType: 'XL', limit: 200 })
        .set('Authorization', auth)
        .expect(200);
      listed = available.body.drivers.map((d: { id: string }) => d.id);
    }
    expect(listed).toContain(online.id);
    await request(server.url)
      .get('/admin/drivers')
      .query({ status: 'ASLEEP' })
      .set('Authorization', auth)
      .expect(400);
  });

  it("pages through one rider's trips and filters them by status and time", async () => {
    const someone = await world.rider();
    const tripIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const trip = await world.requestTrip(someone, randomCity());
      tripIds.push(trip.id);
      await request(server.url)
        .post(`/trips/${trip.id}/cancel`)
        .set('Authorization', `Bearer ${someone.token}`)
        .send({ reason: 'changed my mind' })
        .expect(200);
    }
    const { pages: got, cursors } = await pages<{ id: string; riderId: string }>(
      '/admin/trips',
      'trips',
      { limit: 2, riderId: someone.id },
      () => false,
    );
    expect(got.map((p) => p.length)).toEqual([2, 1]);
    expect(cursors).toEqual([expect.any(String), null]);
    expect(got.flat().map((t) => t.id)).toEqual([...tripIds].reverse());

    const cancelled = await request(server.url)
      .get('/admin/trips')
      .query({ riderId: someone.id, status: 'CANCELLED' })
      .set('Authorization', auth)
      .expect(200);
    expect(cancelled.body.trips).toHaveLength(3);
    const requested = await request(server.url)
      .get('/admin/trips')
      .query({ riderId: someone.id, status: 'REQUESTED' })
      .set('Authorization', auth)
      .expect(200);
    expect(requested.body.trips).toHaveLength(0);
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await request(server.url)
      .get('/admin/trips')
      .query({ riderId: someone.id, from: future })
      .set('Authorization', auth)
      .expect(200);
    expect(none.body.trips).toHaveLength(0);
    const before = await request(server.url)
      .get('/admin/trips')
      .query({ riderId: someone.id, to: future })
      .set('Authorization', auth)
      .expect(200);
    expect(before.body.trips).toHaveLength(3);
    await request(server.url)
      .get('/admin/trips')
      .query({ from: 'yesterday' })
      .set('Authorization', auth)
      .expect(400);
  });

  it('suspends and reinstates a driver, and its detail says so', async () => {
    const target = await signUpDriver(server.url);
    const suspended = await request(server.url)
      .post(`/admin/drivers/${target.id}/suspend`)
      .set('Authorization', auth)
      .expect(200);
    expect(suspended.body.driver).toMatchObject({ id: target.id });
    const detail = await request(server.url)
      .get(`/admin/drivers/${target.id}`)
      .set('Authorization', auth)
      .expect(200);
    expect(detail.body.driver.suspended).toBe(true);
    expect(detail.body.counts).toEqual({
      trips: {},
      offers: {},
      implausiblePings: 0,
    });
    await request(server.url)
      .post(`/admin/drivers/${target.id}/reinstate`)
      .set('Authorization', auth)
      .expect(200);
    const after = await request(server.url)
      .get(`/admin/drivers/${target.id}`)
      .set('Authorization', auth)
      .expect(200);
    expect(after.body.driver.suspended).toBe(false);
  });
});
