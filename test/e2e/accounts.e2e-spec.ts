import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { RunningServer } from '../../apps/api/src/server';
import { connectSocket, signUpDriver, signUpRider } from '../support/clients';
import { startTestServer, TEST_ADMIN, TEST_JWT_SECRET, unique } from '../support/test-server';

jest.setTimeout(30_000);

describe('accounts and auth (real PostgreSQL + Redis)', () => {
  let server: RunningServer;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    server = await startTestServer();
    http = request(server.url);
  });
  afterAll(() => server.close());

  describe('sign-up', () => {
    it('creates a rider and returns a token that opens /riders/me', async () => {
      const email = `${unique('ada')}@Example.com`;
      const res = await http
        .post('/auth/riders')
        .send({ name: 'Ada', email, phone: '+44 20 7123 4567', password: 'password-1' })
        .expect(201);
      expect(res.body.rider).toMatchObject({ name: 'Ada', email: email.toLowerCase(), rating: 5 });
      expect(res.body.rider).not.toHaveProperty('passwordHash');
      const me = await http
        .get('/riders/me')
        .set('Authorization', `Bearer ${res.body.accessToken}`)
        .expect(200);
      expect(me.body.rider.id).toBe(res.body.rider.id);
    });

    it('creates a driver with its vehicle', async () => {
      const plate = unique('ab').slice(-8);
      const res = await http
        .post('/auth/drivers')
        .send({
          name: 'Grace',
          email: `${unique('grace')}@example.com`,
          password: 'password-1',
          vehicle: { plate: `${plate}`, model: 'Model 3', cabType: 'PREMIUM' },
        })
        .expect(201);
      expect(res.body.driver.vehicle).toMatchObject({
        plate: plate.toUpperCase(),
        cabType: 'PREMIUM',
      });
      const me = await http
        .get('/drivers/me')
        .set('Authorization', `Bearer ${res.body.accessToken}`)
        .expect(200);
      expect(me.body.driver).toMatchObject({ id: res.body.driver.id, suspended: false });
    });

    it('refuses a duplicate email with 409, whatever its case', async () => {
      const rider = await signUpRider(server.url);
      const res = await http
        .post('/auth/riders')
        .send({ name: 'Again', email: rider.email.toUpperCase(), password: 'password-2' })
        .expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'CONFLICT' });
    });

    it('refuses a duplicate plate with 409', async () => {
      const plate = unique('pl').slice(-8);
      const body = (email: string) => ({
        name: 'D',
        email,
        password: 'password-1',
        vehicle: { plate, cabType: 'XL' },
      });
      await http
        .post('/auth/drivers')
        .send(body(`${unique('d1')}@example.com`))
        .expect(201);
      const res = await http
        .post('/auth/drivers')
        .send(body(`${unique('d2')}@example.com`))
        .expect(409);
      expect(res.body.message).toMatch(/plate/);
    });

    it('answers a bad body with 400 and the details of each bad field', async () => {
      const res = await http
        .post('/auth/drivers')
        .send({ name: '', email: 'not-an-email', password: 'short', vehicle: { cabType: 'BUS' } })
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'VALIDATION' });
      const fields = res.body.details.map((d: { field: string }) => d.field).sort();
      expect(fields).toEqual(['email', 'name', 'password', 'vehicle.cabType', 'vehicle.plate']);
    });

    it('refuses unknown fields, so a client cannot set its own rating or role', async () => {
      const res = await http
        .post('/auth/riders')
        .send({ name: 'X', email: `${unique('x')}@example.com`, password: 'password-1', rating: 1 })
        .expect(400);
      expect(res.body.details).toEqual([
        { field: 'rating', messages: ['property rating should not exist'] },
      ]);
    });

    it('answers malformed JSON with 400, not a crash', async () => {
      const res = await http
        .post('/auth/riders')
        .set('Content-Type', 'application/json')
        .send('{"name": ')
        .expect(400);
      expect(res.body.error).toBe('VALIDATION');
    });
  });

  describe('login', () => {
    it('logs a rider in and refuses a wrong password with 401', async () => {
      const rider = await signUpRider(server.url);
      const ok = await http
        .post('/auth/login')
        .send({ email: rider.email, password: rider.password, role: 'rider' })
        .expect(200);
      expect(ok.body).toMatchObject({ role: 'rider', id: rider.id });
      expect(typeof ok.body.accessToken).toBe('string');

      const wrong = await http
        .post('/auth/login')
        .send({ email: rider.email, password: 'wrong-password', role: 'rider' })
        .expect(401);
      expect(wrong.body).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
    });

    it('does not log a rider in as a driver, nor an unknown email', async () => {
      const rider = await signUpRider(server.url);
      await http
        .post('/auth/login')
        .send({ email: rider.email, password: rider.password, role: 'driver' })
        .expect(401);
      await http
        .post('/auth/login')
        .send({ email: 'nobody@example.com', password: 'whatever1', role: 'rider' })
        .expect(401);
    });

    it('logs in the admin created from ADMIN_EMAIL / ADMIN_PASSWORD', async () => {
      const res = await http
        .post('/auth/login')
        .send({ ...TEST_ADMIN, role: 'admin' })
        .expect(200);
      expect(res.body.role).toBe('admin');
    });
  });

  describe('guards', () => {
    it('refuses a missing, malformed or expired token with 401, a wrong role with 403', async () => {
      const rider = await signUpRider(server.url);
      await http.get('/riders/me').expect(401);
      await http.get('/riders/me').set('Authorization', 'Bearer nonsense').expect(401);
      const expired = expiredToken(rider.id, 'rider');
      const res = await http
        .get('/riders/me')
        .set('Authorization', `Bearer ${expired}`)
        .expect(401);
      expect(res.body.message).toMatch(/expired/);
      await http.get('/drivers/me').set('Authorization', `Bearer ${rider.token}`).expect(403);
    });

    it('refuses a token signed with another secret', async () => {
      const forged = new JwtService({ secret: 'another-secret-0123456789abcdef0123' }).sign({
        sub: '00000000-0000-0000-0000-000000000000',
        role: 'admin',
      });
      await http.get('/riders/me').set('Authorization', `Bearer ${forged}`).expect(401);
    });
  });

  describe('socket namespaces', () => {
    it('lets a driver into /driver and a rider into /rider', async () => {
      const driver = await signUpDriver(server.url);
      const rider = await signUpRider(server.url);
      const driverSocket = await connectSocket(server.url, '/driver', driver.token);
      const riderSocket = await connectSocket(server.url, '/rider', rider.token);
      expect(driverSocket.connected && riderSocket.connected).toBe(true);
      driverSocket.close();
      riderSocket.close();
    });

    it('refuses a rider token on /driver with connect_error "unauthorized"', async () => {
      const rider = await signUpRider(server.url);
      await expect(connectSocket(server.url, '/driver', rider.token)).rejects.toThrow(
        'unauthorized',
      );
    });

    it('refuses a missing or expired token, and a non-admin on /admin', async () => {
      const driver = await signUpDriver(server.url);
      await expect(connectSocket(server.url, '/driver')).rejects.toThrow('unauthorized');
      await expect(
        connectSocket(server.url, '/driver', expiredToken(driver.id, 'driver')),
      ).rejects.toThrow('unauthorized');
      await expect(connectSocket(server.url, '/admin', driver.token)).rejects.toThrow(
        'unauthorized',
      );
    });
  });
});

function expiredToken(sub: string, role: string): string {
  const now = Math.floor(Date.now() / 1000);
  return new JwtService({ secret: TEST_JWT_SECRET }).sign({
    sub,
    role,
    iat: now - 120,
    exp: now - 60,
  });
}
