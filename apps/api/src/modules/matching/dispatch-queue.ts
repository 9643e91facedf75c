import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { MatchingJob, MatchingJobPayloads, QueueName } from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { Outbox } from '../../common/outbox/outbox';
import type { OutboxJob } from '../../common/outbox/outbox.repository';

type Payload = MatchingJobPayloads[MatchingJob];

/**
 * The producer side of the matching queue: whoever enqueues dispatch work (trips, matching's
 * own steps, the sweeper) goes through here, and here through the outbox: inside a unit of
 * work a step commits with the change that calls for it. Job ids are deterministic, so that two
 * handlers reacting to the same fact (a deny and the offer's timeout, a retry and the sweeper)
 * enqueue one job, not two: BullMQ ignores an add whose id it already holds.
 */
@Injectable()
export class DispatchQueue {
  constructor(
    @InjectQueue(QueueName.MATCHING) private readonly queue: Queue<Payload>,
    private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Runs a matching step for the trip; `reason` makes the job id (no ':' allowed by BullMQ). */
  async match(tripId: string, reason: string, delayMs = 0): Promise<void> {
    const jobId = reason === 'request' ? tripId : `${tripId}-${reason}`;
    await this.outbox.send(this.job(MatchingJob.MATCH, { tripId }, jobId, delayMs));
  }

  /** A durable timer: survives a restart, because it is a delayed job in the queue's store. */
  async offerTimeout(tripId: string, offerId: string, delayMs: number): Promise<void> {
    await this.outbox.send(
      this.job(MatchingJob.OFFER_TIMEOUT, { tripId, offerId }, `timeout-${offerId}`, delayMs),
    );
  }

  /** Earlier versions ran the sweeper as a repeatable job; a city-wide duty replaces it. */
  async removeLegacySweeper(): Promise<void> {
    await this.queue.removeJobScheduler('sweep').catch(() => false);
  }

  private job(name: MatchingJob, data: Payload, jobId: string, delayMs: number): OutboxJob {
    return {
      queue: QueueName.MATCHING,
      name,
      jobId,
      data,
      runAtMs: this.clock.now() + delayMs,
      options: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 200 },
        // Kept for an hour so a duplicate add within that time stays a no-op.
        removeOnComplete: { age: 3_600 },
        removeOnFail: { age: 86_400 },
      },
    };
  }
}
