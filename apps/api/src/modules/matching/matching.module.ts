import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { CityDuties } from '../../common/duties/city-duties';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DriversModule } from '../drivers/drivers.module';
import { LocationsModule } from '../locations/locations.module';
import { TripsModule } from '../trips/trips.module';
import { DispatchQueue } from './dispatch-queue';
import { DispatchService } from './dispatch.service';
import { MatchingQueueModule } from './matching-queue.module';
import { MatchingController } from './matching.controller';
import { MatchingProcessor } from './matching.processor';
import { OfferAnswersService } from './offer-answers.service';
import { OfferNotifier } from './offer-notifier';
import { OffersGateway } from './offers.gateway';
import { OffersRepository } from './offers.repository';
import { OffersService } from './offers.service';
import { SweeperService } from './sweeper.service';

/**
 * Dispatch: the matching job (`DispatchService`), the drivers' answers to offers
 * (`OfferAnswersService`), the sweeper. Its producer, `DispatchQueue`, is the dependency-free
 * `MatchingQueueModule` that trips imports too.
 */
@Module({
  imports: [MatchingQueueModule, TripsModule, LocationsModule, DriversModule],
  controllers: [MatchingController],
  providers: [
    OffersRepository,
    OffersService,
    OfferNotifier,
    DispatchService,
    OfferAnswersService,
    SweeperService,
    MatchingProcessor,
    OffersGateway,
  ],
})
export class MatchingModule implements OnApplicationBootstrap {
  constructor(
    private readonly queue: DispatchQueue,
    private readonly sweeper: SweeperService,
    private readonly duties: CityDuties,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The sweeper is a city-wide duty (once per city, under a lease), not a repeatable BullMQ job:
   * a repeatable job vanishes when Redis restarts empty, and the sweeper is what repairs that.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.roles.worker) return;
    await this.queue.removeLegacySweeper();
    this.duties.start({
      name: 'sweeper',
      everyMs: this.config.matching.sweepIntervalMs,
      run: () => this.sweeper.sweep(),
    });
  }
}
