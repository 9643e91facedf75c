import { WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Job } from 'bullmq';
import { PaymentSandboxPayload, QueueName } from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { WorkerProcessor } from '../../common/roles/worker-processor';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature';
import { WEBHOOK_PATH } from './webhook-raw-body';

/**
 * The sandbox's delivery of its webhook events, signed at each attempt (a fresh `t`), to
 * PAYMENT_WEBHOOK_URL or this process's own port. Anything but a 2xx is retried with backoff.
 */
@WorkerProcessor(QueueName.PAYMENT_SANDBOX, { concurrency: 8 })
export class SandboxOutboxProcessor extends WorkerHost {
  constructor(
    private readonly http: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  async process(job: Job<PaymentSandboxPayload>): Promise<void> {
    const t = Math.floor(this.clock.now() / 1000);
    const res = await fetch(this.webhookUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(job.data.body, this.config.payments.webhookSecret, t),
      },
      body: job.data.body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`webhook delivery answered ${res.status}`);
  }

  private webhookUrl(): string {
    if (this.config.payments.webhookUrl) return this.config.payments.webhookUrl;
    const address = this.http.httpAdapter?.getHttpServer()?.address() as { port: number } | null;
    if (!address) {
      throw new Error('PAYMENT_WEBHOOK_URL is required in a process that does not serve HTTP');
    }
    return `http://127.0.0.1:${address.port}${WEBHOOK_PATH}`;
  }
}
