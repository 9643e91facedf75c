import { BullModule } from '@nestjs/bullmq';
import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { QueueName } from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { CityDuties } from '../../common/duties/city-duties';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { PAYMENT_PROVIDER } from './payment-provider';
import { AdminPaymentsController, PaymentsWebhookController } from './payments.controller';
import { PaymentsProcessor } from './payments.processor';
import { PaymentsRepository } from './payments.repository';
import { PaymentsService } from './payments.service';
import { SandboxOutboxProcessor } from './sandbox-outbox.processor';
import { SandboxPaymentProvider } from './sandbox-provider';
import { WebhookRawBody } from './webhook-raw-body';

/**
 * Payments behind a provider port (`PAYMENT_PROVIDER`, the sandbox by default). Depends on
 * nothing of ours but config: trips calls it with the facts of a trip.
 */
@Module({
  imports: [
    BullModule.registerQueue({ name: QueueName.PAYMENTS }, { name: QueueName.PAYMENT_SANDBOX }),
  ],
  controllers: [PaymentsWebhookController, AdminPaymentsController],
  providers: [
    WebhookRawBody,
    PaymentsRepository,
    PaymentsService,
    PaymentsProcessor,
    SandboxPaymentProvider,
    { provide: PAYMENT_PROVIDER, useExisting: SandboxPaymentProvider },
    SandboxOutboxProcessor,
  ],
  exports: [PaymentsService],
})
export class PaymentsModule implements OnApplicationBootstrap {
  constructor(
    private readonly payments: PaymentsService,
    private readonly duties: CityDuties,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Once per city: re-enqueue provider calls whose job was lost (an enqueue after a crash, Redis
   * restarted empty). Job ids are derived from the payment, so a job that exists is not doubled.
   */
  onApplicationBootstrap(): void {
    if (!this.config.roles.worker) return;
    this.duties.start({
      name: 'payments-resume',
      everyMs: 30_000,
      run: () => this.payments.resumeRequested(new Date(this.clock.now() - 60_000)),
    });
  }
}
