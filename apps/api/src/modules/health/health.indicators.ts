import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { JobPayloads, QueueName } from '@app/contracts';
import { REDIS } from '../../infrastructure/redis.module';

const PROBE_TIMEOUT_MS = 3_000;
const POLL_MS = 15;

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
      const job = await this.queue.add(
        'probe',
        { requestedAt: started },
        { removeOnComplete: true, removeOnFail: true },
      );
      const state = await this.waitForCompletion(job.id as string);
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
      const pong = await this.redis?.ping();
      return pong === 'PONG' ? indicator.up() : indicator.down({ answer: pong });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
