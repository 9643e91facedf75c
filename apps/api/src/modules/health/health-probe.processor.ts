import { WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { JobPayloads, JobResults, QueueName } from '@app/contracts';
import { WorkerProcessor } from '../../common/roles/worker-processor';

/** Proves the queue end to end: readiness enqueues a probe and waits for this worker's answer. */
@WorkerProcessor(QueueName.HEALTH)
export class HealthProbeProcessor extends WorkerHost {
  async process(
    job: Job<JobPayloads[typeof QueueName.HEALTH]>,
  ): Promise<JobResults[typeof QueueName.HEALTH]> {
    return { requestedAt: job.data.requestedAt, processedAt: Date.now() };
  }
}
