import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { MatchingJob, MatchingJobPayloads, QueueName } from '@app/contracts';
import { DispatchService } from './dispatch.service';
import { SweeperService } from './sweeper.service';

type MatchingJobs = {
  [K in MatchingJob]: Job<MatchingJobPayloads[K], unknown, K>;
}[MatchingJob];

/** Delegates each job of the matching queue to the service; BullMQ retries a failed step. */
@Processor(QueueName.MATCHING, { concurrency: 16 })
export class MatchingProcessor extends WorkerHost {
  constructor(
    private readonly dispatch: DispatchService,
    private readonly sweeper: SweeperService,
  ) {
    super();
  }

  async process(job: MatchingJobs): Promise<unknown> {
    switch (job.name) {
      case MatchingJob.MATCH:
        return this.dispatch.step(job.data.tripId);
      case MatchingJob.OFFER_TIMEOUT:
        return this.dispatch.offerTimedOut(job.data.tripId, job.data.offerId);
      case MatchingJob.SWEEP:
        return this.sweeper.sweep();
    }
  }
}
