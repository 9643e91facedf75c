import Redis from 'ioredis';
import request from 'supertest';
import { RunningServer } from '../../apps/api/src/server';
import { TEST_REDIS_URL_ISOLATED } from '../support/services';
import { startTestServer, unique } from '../support/test-server';

jest.setTimeout(30_000);

describe('operations endpoints (real PostgreSQL + Redis + BullMQ)', () => {
  let server: RunningServer;

  beforeAll(async () => {
    // Its own Redis database: the limiter's counters must not carry hits of other suites.
    const redisUrl = TEST_REDIS_URL_ISOLATED;
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    server = await startTestServer({
      REDIS_URL: redisUrl,
      AUTH_RATE_LIMIT: '3',
      AUTH_RATE_WINDOW_SECONDS: '60',
    });
  });
  afterAll(() => server.close());

  it('reports each dependency in /health/ready, the queue through a real job', async () => {
    const res = await request(server.url).get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.queue.status).toBe('up');
    expect(res.body.details.queue.roundTripMs).toEqual(expect.any(Number));
    expect(res.body.details.redis.status).toBe('up');
    expect(res.body.mode).toEqual({ database: 'postgres', queue: 'redis' });
  });

  it('answers /health/live without a token', async () => {
    await request(server.url).get('/health/live').expect(200, { status: 'ok' });
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await request(server.url).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/# TYPE process_cpu_user_seconds_total counter/);
    const docs = await request(server.url).get('/docs/json').expect(200);
    expect(docs.body.openapi).toMatch(/^3\./);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/auth/riders', '/auth/drivers', '/auth/login', '/riders/me']),
    );
  });

  it('echoes a request id, or makes one', async () => {
    const given = await request(server.url).get('/health/live').set('x-request-id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await request(server.url).get('/health/live');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rate-limits login per IP (Redis storage) with 429 RATE_LIMITED', async () => {
    const body = { email: `${unique('nobody')}@example.com`, password: 'whatever1', role: 'rider' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await request(server.url).post('/auth/login').send(body)).status);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const limited = await request(server.url).post('/auth/login').send(body).expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'RATE_LIMITED' });
  });

  it('answers an unknown route with a 404 error body', async () => {
    const res = await request(server.url).get('/nope').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
  });
});
