import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { JobPayloads, QueueName } from '@app/contracts';
import { withDeadline } from '../../common/deadline';
import { REDIS } from '../../infrastructure/redis.module';

const PROBE_TIMEOUT_MS = 3_000;
const POLL_MS = 15;
/** Redis answers a PING in microseconds; past this it is down for readiness' purpose. */
const REDIS_PING_TIMEOUT_MS = 2_000;

@Injectable()
export class QueueHealthIndicator {
  constructor(
    @InjectQueue(QueueName.HEALTH) private readonly queue: Queue<JobPayloads['health']>,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Enqueues a probe job and waits until a worker has processed it. */
  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const started = Date.now();
    try {
      const state = await withDeadline(
        this.queue
          .add('probe', { requestedAt: started }, { removeOnComplete: true, removeOnFail: true })
          .then((job) => this.waitForCompletion(job.id as string)),
        PROBE_TIMEOUT_MS + 500,
        `queue probe: no answer within ${PROBE_TIMEOUT_MS + 500} ms`,
      );
      if (state !== 'completed') return indicator.down({ state });
      return indicator.up({ roundTripMs: Date.now() - started });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  private async waitForCompletion(jobId: string): Promise<string> {
    const deadline = Date.now() + PROBE_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const state = await this.queue.getJobState(jobId);
      // removeOnComplete deletes the job once done: "unknown" after it was seen means completed.
      if (state === 'completed' || state === 'unknown') return 'completed';
      if (state === 'failed') return state;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return 'timeout';
  }
}

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly indicators: HealthIndicatorService,
  ) {}

  get enabled(): boolean {
    return this.redis !== null;
  }

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      const pong = await withDeadline(
        this.redis?.ping() ?? Promise.resolve(undefined),
        REDIS_PING_TIMEOUT_MS,
        `Redis PING: no answer within ${REDIS_PING_TIMEOUT_MS} ms`,
      );
      return pong === 'PONG' ? indicator.up() : indicator.down({ answer: pong });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
