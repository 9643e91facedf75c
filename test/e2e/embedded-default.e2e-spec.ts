import request from 'supertest';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { RunningServer, startServer } from '../../apps/api/src/server';
import { connectSocket, emitAck } from '../support/clients';

jest.setTimeout(180_000);

/**
 * The newcomer's path: no DATABASE_URL, no REDIS_URL. The server boots on PGlite + PostGIS in
 * process, runs its migrations, runs BullMQ on the embedded database, and serves the API.
 */
describe('the embedded default (PGlite + PostGIS, BullMQ on PostgreSQL)', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(
      loadConfig({
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'warn',
        EMBEDDED_IN_MEMORY: 'true',
      }),
    );
  });
  afterAll(() => server?.close());

  it('is ready with every check up, on the embedded backends', async () => {
    const res = await request(server.url).get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.queue.status).toBe('up');
    expect(res.body.mode).toEqual({ database: 'embedded', queue: 'postgres' });
  });

  it('signs up a rider and a driver, who goes online and is seen nearby', async () => {
    const rider = await request(server.url)
      .post('/auth/riders')
      .send({ name: 'Emb', email: 'emb@example.com', password: 'password-1' })
      .expect(201);
    const driver = await request(server.url)
      .post('/auth/drivers')
      .send({
        name: 'Dee',
        email: 'dee@example.com',
        password: 'password-1',
        vehicle: { plate: 'EMB 1', cabType: 'ECONOMY' },
      })
      .expect(201);
    const socket = await connectSocket(server.url, '/driver', driver.body.accessToken);
    try {
      await emitAck(socket, 'driver:status', { status: 'AVAILABLE' });
      expect(
        await emitAck(socket, 'driver:location', { lat: 48.85, lng: 2.35, ts: Date.now() }),
      ).toEqual({
        ok: true,
      });
      const cabs = await request(server.url)
        .get('/cabs/nearby')
        .query({ lat: 48.851, lng: 2.35 })
        .set('Authorization', `Bearer ${rider.body.accessToken}`)
        .expect(200);
      expect(cabs.body.cabs).toHaveLength(1);
    } finally {
      socket.close();
    }
  });

  it('runs a trip request through matching on the embedded queue', async () => {
    const rider = await request(server.url)
      .post('/auth/login')
      .send({ email: 'emb@example.com', password: 'password-1', role: 'rider' })
      .expect(200);
    const driver = await request(server.url)
      .post('/auth/login')
      .send({ email: 'dee@example.com', password: 'password-1', role: 'driver' })
      .expect(200);
    const socket = await connectSocket(server.url, '/driver', driver.body.accessToken);
    try {
      const offered = new Promise<{ tripId: string }>((resolve) =>
        socket.once('trip:offer', resolve),
      );
      await emitAck(socket, 'driver:location', { lat: 48.85, lng: 2.35, ts: Date.now() });
      const trip = await request(server.url)
        .post('/trips')
        .set('Authorization', `Bearer ${rider.body.accessToken}`)
        .send({
          pickup: { lat: 48.851, lng: 2.35 },
          dropoff: { lat: 48.87, lng: 2.35 },
          cabType: 'ECONOMY',
          paymentMethod: 'CASH',
        })
        .expect(201);
      expect((await offered).tripId).toBe(trip.body.trip.id);
      const accepted = await emitAck<{ ok: boolean; trip: { status: string } }>(
        socket,
        'trip:accept',
        {
          tripId: trip.body.trip.id,
        },
      );
      expect(accepted.trip.status).toBe('DRIVER_ASSIGNED');
    } finally {
      socket.close();
    }
  });
});
