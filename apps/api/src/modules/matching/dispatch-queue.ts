import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { MatchingJob, MatchingJobPayloads, QueueName } from '@app/contracts';

type Payload = MatchingJobPayloads[MatchingJob];

/**
 * How long an enqueue may wait for Redis. BullMQ's connection retries a command for as long as
 * Redis is away (its workers must not give up), so without a deadline a request that enqueues
 * would wait for the whole outage. The add itself goes on: its job id is deterministic, so if it
 * lands late it is the same job the sweeper would have re-created.
 */
export const ENQUEUE_DEADLINE_MS = 1_500;

/** Rejects with an error the HTTP filter and the socket acks answer as Redis unavailable. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Command timed out: enqueue (Redis, ${ms} ms)`)), ms);
  });
  work.catch(() => undefined); // a late failure after the deadline is not unhandled
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The producer side of the matching queue: whoever enqueues dispatch work (trips, matching's
 * own steps, the sweeper) goes through here. Job ids are deterministic, so that two handlers
 * reacting to the same fact (a deny and the offer's timeout, a retry and the sweeper) enqueue
 * one job, not two: BullMQ ignores an add whose id it already holds.
 */
@Injectable()
export class DispatchQueue {
  constructor(@InjectQueue(QueueName.MATCHING) private readonly queue: Queue<Payload>) {}

  /** Runs a matching step for the trip; `reason` makes the job id (no ':' allowed by BullMQ). */
  async match(tripId: string, reason: string, delayMs = 0): Promise<void> {
    const jobId = reason === 'request' ? tripId : `${tripId}-${reason}`;
    await withDeadline(
      this.queue.add(MatchingJob.MATCH, { tripId }, this.options(jobId, delayMs)),
      ENQUEUE_DEADLINE_MS,
    );
  }

  /** A durable timer: survives a restart, because it is a delayed job in the queue's store. */
  async offerTimeout(tripId: string, offerId: string, delayMs: number): Promise<void> {
    await withDeadline(
      this.queue.add(
        MatchingJob.OFFER_TIMEOUT,
        { tripId, offerId },
        this.options(`timeout-${offerId}`, delayMs),
      ),
      ENQUEUE_DEADLINE_MS,
    );
  }

  /** Earlier versions ran the sweeper as a repeatable job; a city-wide duty replaces it. */
  async removeLegacySweeper(): Promise<void> {
    await this.queue.removeJobScheduler('sweep').catch(() => false);
  }

  private options(jobId: string, delayMs: number): JobsOptions {
    return {
      jobId,
      delay: delayMs,
      attempts: 5,
      backoff: { type: 'exponential', delay: 200 },
      // Kept for an hour so a duplicate add within that time stays a no-op.
      removeOnComplete: { age: 3_600 },
      removeOnFail: { age: 86_400 },
    };
  }
}
