import { Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { CityDuties } from '../../common/duties/city-duties';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DriversModule } from '../drivers/drivers.module';
import { LocationsModule } from '../locations/locations.module';
import { TripsModule } from '../trips/trips.module';
import { BatchWindowService } from './batch-window.service';
import { BatchRepository } from './batch.repository';
import { DispatchQueue } from './dispatch-queue';
import { DispatchService } from './dispatch.service';
import { MatchingQueueModule } from './matching-queue.module';
import { MatchingController } from './matching.controller';
import { MatchingProcessor } from './matching.processor';
import { OfferAnswersService } from './offer-answers.service';
import { OfferMaker } from './offer-maker';
import { OfferNotifier } from './offer-notifier';
import { OffersGateway } from './offers.gateway';
import { OffersRepository } from './offers.repository';
import { OffersService } from './offers.service';
import { BatchedStrategy } from './strategies/batched.strategy';
import { DISPATCH_STRATEGY } from './strategies/dispatch-strategy';
import { SequentialStrategy } from './strategies/sequential.strategy';
import { SweeperService } from './sweeper.service';

/**
 * Dispatch: the matching job (`DispatchService` and its strategy, MATCH_STRATEGY), the batch
 * window of the batched strategy, the drivers' answers to offers (`OfferAnswersService`), the
 * sweeper. Its producer, `DispatchQueue`, is the dependency-free `MatchingQueueModule` that
 * trips imports too.
 */
@Module({
  imports: [MatchingQueueModule, TripsModule, LocationsModule, DriversModule],
  controllers: [MatchingController],
  providers: [
    OffersRepository,
    BatchRepository,
    OffersService,
    OfferNotifier,
    OfferMaker,
    SequentialStrategy,
    BatchedStrategy,
    {
      provide: DISPATCH_STRATEGY,
      inject: [APP_CONFIG, SequentialStrategy, BatchedStrategy],
      useFactory: (config: AppConfig, sequential: SequentialStrategy, batched: BatchedStrategy) =>
        config.matching.strategy === 'batched' ? batched : sequential,
    },
    DispatchService,
    BatchWindowService,
    OfferAnswersService,
    SweeperService,
    MatchingProcessor,
    OffersGateway,
  ],
})
export class MatchingModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(MatchingModule.name);

  constructor(
    private readonly queue: DispatchQueue,
    private readonly sweeper: SweeperService,
    private readonly batchWindow: BatchWindowService,
    private readonly duties: CityDuties,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The sweeper is a city-wide duty (once per city, under a lease), not a repeatable BullMQ job:
   * a repeatable job vanishes when Redis restarts empty, and the sweeper is what repairs that.
   * The batch window is one too, so each region is solved once per window in the whole city,
   * however many workers run. Its holder needs every driver of the city in its index, so only a
   * worker that follows every location partition (LOCATION_PARTITIONS=*) competes for it.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.roles.worker) return;
    await this.queue.removeLegacySweeper();
    this.duties.start({
      name: 'sweeper',
      everyMs: this.config.matching.sweepIntervalMs,
      run: () => this.sweeper.sweep(),
    });
    if (this.config.matching.strategy !== 'batched') return;
    if (this.config.locations.partitions !== '*') {
      // Not an error: another worker may follow every partition. If none does, no trip is offered.
      this.logger.warn(
        { partitions: this.config.locations.partitions },
        'batched dispatch: this worker follows only some location partitions, so it runs no ' +
          'batch window; at least one worker must run with LOCATION_PARTITIONS=* (or use ' +
          'MATCH_STRATEGY=sequential)',
      );
      return;
    }
    this.duties.start({
      name: 'dispatch-batch',
      everyMs: this.config.matching.batchWindowMs,
      run: () => this.batchWindow.run(),
    });
  }
}
