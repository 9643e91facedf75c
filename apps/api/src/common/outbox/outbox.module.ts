import { Global, Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CityDuties } from '../duties/city-duties';
import { Outbox } from './outbox';
import { OutboxRepository } from './outbox.repository';

/** How often the relay looks for rows their writers did not deliver. */
export const OUTBOX_RELAY_EVERY_MS = 1_000;

/**
 * The transactional outbox, for every module that enqueues (`Outbox.send`). Its relay runs once
 * per city on the workers, from PostgreSQL: a schedule that lives in Redis would vanish with it.
 */
@Global()
@Module({
  providers: [OutboxRepository, Outbox],
  exports: [Outbox],
})
export class OutboxModule implements OnApplicationBootstrap {
  constructor(
    private readonly outbox: Outbox,
    private readonly duties: CityDuties,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.worker) return;
    this.duties.start({
      name: 'outbox-relay',
      everyMs: OUTBOX_RELAY_EVERY_MS,
      run: () => this.outbox.relay(),
    });
  }
}
