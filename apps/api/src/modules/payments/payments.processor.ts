import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { PaymentJobPayload, QueueName } from '@app/contracts';
import { WorkerProcessor } from '../../common/roles/worker-processor';
import { PaymentsService } from './payments.service';

/** Delegates each provider call to the service; BullMQ retries a failed call with backoff. */
@WorkerProcessor(QueueName.PAYMENTS, { concurrency: 8 })
export class PaymentsProcessor extends WorkerHost {
  constructor(private readonly payments: PaymentsService) {
    super();
  }

  process(job: Job<PaymentJobPayload>): Promise<string> {
    return this.payments.runOperation(job.data);
  }

  /** After the last attempt the operation is failed for good. */
  @OnWorkerEvent('failed')
  async failed(job: Job<PaymentJobPayload> | undefined, error: Error): Promise<void> {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    await this.payments.operationGaveUp(job.data, error.message);
  }
}
