import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { QueueName } from '@app/contracts';
import { CLOCK } from '../../apps/api/src/common/clock';
import { Outbox, RELAY_AFTER_MS } from '../../apps/api/src/common/outbox/outbox';
import { OutboxJob, OutboxRepository } from '../../apps/api/src/common/outbox/outbox.repository';
import { TransactionsModule } from '../../apps/api/src/common/transactions/transactions.module';
import { UnitOfWork } from '../../apps/api/src/common/transactions/unit-of-work';
import { typeormOptions } from '../../apps/api/src/database/typeorm-options';
import { redisConnection } from '../../apps/api/src/infrastructure/infrastructure';
import { FaultProxy } from '../support/fault-proxy';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services';
import { waitFor } from '../support/wait';

jest.setTimeout(30_000);

/**
 * The transactional outbox on the real PostgreSQL and Redis (through a fault proxy, so Redis
 * can go away): a job commits with its change, a rollback leaves none, a job Redis cannot take
 * is kept in PostgreSQL, and the relay delivers what its writer left behind, once.
 */
describe('job outbox', () => {
  let moduleRef: TestingModule;
  let proxy: FaultProxy;
  let outbox: Outbox;
  let rows: OutboxRepository;
  let unitOfWork: UnitOfWork;
  let queue: Queue;
  let db: DataSource;
  let nowMs = Date.now();
  const clock = { now: () => nowMs };

  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: Number(redis.port || 6379) });
    moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot(typeormOptions(TEST_DATABASE_URL, 4)),
        TransactionsModule,
        // A prefix of its own: these jobs never meet another test's queue.
        BullModule.forRoot({
          connection: redisConnection(proxy.url(TEST_REDIS_URL)),
          prefix: `outbox-test-${randomUUID()}`,
        }),
        BullModule.registerQueue({ name: QueueName.MATCHING }),
      ],
      providers: [OutboxRepository, Outbox, { provide: CLOCK, useValue: clock }],
    }).compile();
    await moduleRef.init();
    outbox = moduleRef.get(Outbox);
    rows = moduleRef.get(OutboxRepository);
    unitOfWork = moduleRef.get(UnitOfWork);
    queue = moduleRef.get(getQueueToken(QueueName.MATCHING));
    queue.on('error', () => undefined); // the proxy resets its connections on purpose
    db = moduleRef.get(DataSource);
  });
  afterAll(async () => {
    await proxy.setMode('pass');
    await queue.obliterate({ force: true });
    await moduleRef.close();
    await proxy.close();
  });
  beforeEach(async () => {
    await db.query(`DELETE FROM job_outbox`);
    nowMs = Date.now();
  });

  const job = (delayMs = 0): OutboxJob => ({
    queue: QueueName.MATCHING,
    name: 'match',
    jobId: randomUUID(),
    data: { tripId: randomUUID() },
    runAtMs: clock.now() + delayMs,
    options: { attempts: 1 },
  });
  const stored = async (jobId: string): Promise<number> =>
    Number(
      (await db.query(`SELECT count(*) AS n FROM job_outbox WHERE job_id = $1`, [jobId]))[0].n,
    );
  /** Polls until `check` holds, failing the test after `ms`. */
  const until = async (check: () => Promise<boolean>, ms = 5_000): Promise<void> => {
    expect((await waitFor(check, (ok) => ok, ms, 20)).ok).toBe(true);
  };

  it('commits a job with its unit of work and delivers it after the commit', async () => {
    const j = job();
    await unitOfWork.run(async () => {
      await outbox.send(j);
      // Inside the transaction the job is a row, not yet a job.
      expect(await queue.getJob(j.jobId)).toBeUndefined();
    });
    await until(async () => (await queue.getJob(j.jobId)) !== undefined);
    await until(async () => (await stored(j.jobId)) === 0);
    expect((await queue.getJob(j.jobId))?.data).toEqual(j.data);
  });

  it('leaves neither a row nor a job when the unit of work rolls back', async () => {
    const j = job();
    await expect(
      unitOfWork.run(async () => {
        await outbox.send(j);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await stored(j.jobId)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await queue.getJob(j.jobId)).toBeUndefined();
  });

  it('relays a row its writer never delivered, keeping a delayed job due when it was', async () => {
    const j = job(60_000);
    await rows.insert(j, new Date(nowMs)); // a commit whose process died before the enqueue
    expect(await outbox.relay()).toBe(0); // still its writer's to deliver
    nowMs += RELAY_AFTER_MS + 1_000;
    expect(await outbox.relay()).toBe(1);
    const delivered = await queue.getJob(j.jobId);
    expect(delivered?.data).toEqual(j.data);
    // Due at runAt, not 60 s after the relay: the delay left was 60 s - 4 s.
    expect(delivered?.opts.delay).toBe(j.runAtMs - nowMs);
    expect(await stored(j.jobId)).toBe(0);
    // The same row relayed twice (a relay racing its writer) is one job.
    await rows.insert(j, new Date(nowMs - RELAY_AFTER_MS - 1));
    expect(await outbox.relay()).toBe(1);
    expect((await queue.getJobs(['delayed'])).filter((x) => x.id === j.jobId)).toHaveLength(1);
  });

  it('keeps a job in PostgreSQL while Redis is unreachable and relays it when it returns', async () => {
    await proxy.setMode('blackhole');
    const inUnit = job();
    const alone = job();
    const started = Date.now();
    await unitOfWork.run(() => outbox.send(inUnit));
    // Outside a unit of work the enqueue waits for its deadline, then the row holds the job.
    await outbox.send(alone);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(await stored(alone.jobId)).toBe(1);
    await until(async () => (await stored(inUnit.jobId)) === 1);
    nowMs += RELAY_AFTER_MS + 1;
    expect(await outbox.relay()).toBe(0); // Redis still away: stops at the first failure
    const [{ attempts, last_error }] = await db.query(
      `SELECT attempts, last_error FROM job_outbox ORDER BY id LIMIT 1`,
    );
    expect(attempts).toBe(1);
    expect(last_error).toMatch(/timed out/);

    await proxy.setMode('pass');
    await until(async () => {
      await outbox.relay();
      return Number((await db.query(`SELECT count(*) AS n FROM job_outbox`))[0].n) === 0;
    }, 10_000);
    for (const j of [inUnit, alone]) expect((await queue.getJob(j.jobId))?.data).toEqual(j.data);
  });
});
