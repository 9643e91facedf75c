import {
  ConnectionOptions,
  createPostgresBackend,
  Job,
  Queue,
  setDefaultBackendFactory,
  withBackend,
} from 'bullmq';
import { Client } from 'pg';
import {
  EmbeddedPostgres,
  embeddedBullmqConnection,
  startEmbeddedPostgres,
} from '../../../apps/api/src/database/embedded/embedded-postgres';

/** BullMQ's PostgreSQL backend on the embedded database (what runs when REDIS_URL is unset). */
jest.setTimeout(60_000);

const Pg = withBackend(createPostgresBackend);

interface Double {
  n: number;
}

let pg: EmbeddedPostgres;
let queue: InstanceType<typeof Pg.Queue<Double, number>>;
let worker: InstanceType<typeof Pg.Worker<Double, number>>;
let events: InstanceType<typeof Pg.QueueEvents<number>>;
const completed: number[] = [];

beforeAll(async () => {
  pg = await startEmbeddedPostgres({ inMemory: true });
  const connection = embeddedBullmqConnection(pg.url);
  queue = new Pg.Queue<Double, number>('doubling', { connection });
  events = new Pg.QueueEvents<number>('doubling', { connection });
  worker = new Pg.Worker<Double, number>('doubling', async (job: Job<Double>) => job.data.n * 2, {
    connection,
    concurrency: 4,
  });
  worker.on('completed', (_job, result: number) => completed.push(result));
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await Promise.all([queue?.close(), events?.close()]);
  await pg?.close();
});

describe('BullMQ on the embedded PostgreSQL', () => {
  it('migrates into schema bullmq, leaving public to the app', async () => {
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ schema: string; n: number }>(
        `SELECT table_schema AS schema, count(*)::int AS n FROM information_schema.tables
          WHERE table_schema IN ('public', 'bullmq') AND table_type = 'BASE TABLE'
          GROUP BY table_schema ORDER BY 1`,
      );
      // public holds only PostGIS's spatial_ref_sys; BullMQ's job, migration, ... are in bullmq.
      expect(rows).toEqual([
        { schema: 'bullmq', n: expect.any(Number) },
        { schema: 'public', n: 1 },
      ]);
      expect((await db.query('SELECT current_schema() AS s')).rows[0].s).toBe('public');
    } finally {
      await db.end();
    }
  });

  it('runs 200 jobs to completion', async () => {
    const started = Date.now();
    await queue.addBulk(Array.from({ length: 200 }, (_, n) => ({ name: 'double', data: { n } })));
    while (completed.length < 200 && Date.now() - started < 30_000) {
      await new Promise((done) => setTimeout(done, 50));
    }
    expect([...completed].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, n) => 2 * n),
    );
  });

  it('wakes an idle worker and reports the result through QueueEvents, by NOTIFY', async () => {
    // The worker is idle now, blocked in LISTEN for up to drainDelay (5 s) and QueueEvents polls
    // every 5 s: finishing well under that proves NOTIFY reaches the LISTEN connections.
    await new Promise((done) => setTimeout(done, 300));
    const started = Date.now();
    const job = await queue.add('double', { n: 21 });
    await expect(job.waitUntilFinished(events, 10_000)).resolves.toBe(42);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('also works through setDefaultBackendFactory, as @nestjs/bullmq constructs `new Queue()`', async () => {
    setDefaultBackendFactory(createPostgresBackend);
    // @nestjs/bullmq types `connection` for Redis; the PostgreSQL options pass through untouched.
    const connection = embeddedBullmqConnection(pg.url) as unknown as ConnectionOptions;
    const plain = new Queue<Double, number>('doubling', { connection });
    try {
      const job = await plain.add('double', { n: 50 });
      await expect(job.waitUntilFinished(events, 10_000)).resolves.toBe(100);
    } finally {
      await plain.close();
      setDefaultBackendFactory(); // back to Redis for anything else in this worker process
    }
  });
});
