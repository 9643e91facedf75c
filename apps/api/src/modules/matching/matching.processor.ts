import { WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { MatchingJob, MatchingJobPayloads, QueueName } from '@app/contracts';
import { WorkerProcessor } from '../../common/roles/worker-processor';
import { DispatchService } from './dispatch.service';

type MatchingJobs = {
  [K in MatchingJob]: Job<MatchingJobPayloads[K], unknown, K>;
}[MatchingJob];

/** Delegates each job of the matching queue to the service; BullMQ retries a failed step. */
// Steps take milliseconds: a 10 s lock lets another worker take over a dead one's jobs soon.
@WorkerProcessor(QueueName.MATCHING, { concurrency: 16, lockDuration: 10_000 })
export class MatchingProcessor extends WorkerHost {
  constructor(private readonly dispatch: DispatchService) {
    super();
  }

  async process(job: MatchingJobs): Promise<unknown> {
    switch (job.name) {
      case MatchingJob.MATCH:
        return this.dispatch.step(job.data.tripId);
      case MatchingJob.OFFER_TIMEOUT:
        return this.dispatch.offerTimedOut(job.data.tripId, job.data.offerId);
    }
  }
}
