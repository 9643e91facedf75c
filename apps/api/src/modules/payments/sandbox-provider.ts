import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  PaymentEventType,
  PaymentSandboxJob,
  PaymentSandboxPayload,
  PaymentWebhookEvent,
  QueueName,
  TestCard,
} from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { PaymentProvider, ProviderCall, TransientProviderError } from './payment-provider';

const SUCCEEDED: Record<ProviderCall['kind'], PaymentEventType> = {
  AUTHORIZE: PaymentEventType.AUTHORIZATION_SUCCEEDED,
  CAPTURE: PaymentEventType.CAPTURE_SUCCEEDED,
  RELEASE: PaymentEventType.RELEASE_SUCCEEDED,
  REFUND: PaymentEventType.REFUND_SUCCEEDED,
};
const FAILED: Partial<Record<ProviderCall['kind'], PaymentEventType>> = {
  AUTHORIZE: PaymentEventType.AUTHORIZATION_FAILED,
  CAPTURE: PaymentEventType.CAPTURE_FAILED,
};

/**
 * The default provider: a sandbox in this process that behaves like a card processor. It takes
 * a call, answers with a reference, and settles it later by a signed webhook sent from a BullMQ
 * outbox (durable and retried like a real provider's deliveries; the job id is the event id, so
 * a repeated call sends one event). Test cards (`TestCard`) choose the outcome.
 */
@Injectable()
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  /**
   * Operations that already failed once with `tok_transient`. Per process, and that is safe
   * with N processes: a retry on another process just succeeds at once, which is what a
   * transient failure looks like.
   */
  private readonly failedOnce = new Set<string>();

  constructor(
    @InjectQueue(QueueName.PAYMENT_SANDBOX) private readonly outbox: Queue<PaymentSandboxPayload>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async submit(call: ProviderCall): Promise<{ providerRef: string }> {
    const token = call.paymentMethodToken ?? TestCard.OK;
    if (token === TestCard.TRANSIENT && !this.failedOnce.has(call.operationId)) {
      this.failedOnce.add(call.operationId);
      throw new TransientProviderError('sandbox: 503 service unavailable (tok_transient)');
    }
    const providerRef = `sbx_${call.kind.toLowerCase()}_${call.operationId.replace(/-/g, '')}`;
    const declined = token === TestCard.DECLINED && FAILED[call.kind];
    const event: PaymentWebhookEvent = {
      id: `evt_${call.operationId.replace(/-/g, '')}`,
      type: declined || SUCCEEDED[call.kind],
      created: Math.floor(this.clock.now() / 1000),
      data: {
        paymentId: call.paymentId,
        operationId: call.operationId,
        amountMinor: call.amountMinor,
        currency: call.currency,
        providerRef,
        ...(declined ? { reason: 'card_declined' } : {}),
      },
    };
    await this.outbox.add(
      PaymentSandboxJob.DELIVER,
      { body: JSON.stringify(event) },
      {
        jobId: event.id,
        delay: this.config.payments.sandboxDelayMs,
        attempts: 10,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 7 * 86_400 },
      },
    );
    return { providerRef };
  }
}
