import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DriversModule } from '../drivers/drivers.module';
import { LocationsModule } from '../locations/locations.module';
import { DispatchQueue } from '../trips/dispatch-queue';
import { TripsModule } from '../trips/trips.module';
import { MatchingController } from './matching.controller';
import { MatchingProcessor } from './matching.processor';
import { MatchingService } from './matching.service';
import { OffersGateway } from './offers.gateway';
import { OffersRepository } from './offers.repository';
import { SweeperService } from './sweeper.service';

/** Dispatch: the matching job, offers and their answers, the sweeper. */
@Module({
  imports: [TripsModule, LocationsModule, DriversModule],
  controllers: [MatchingController],
  providers: [OffersRepository, MatchingService, SweeperService, MatchingProcessor, OffersGateway],
  exports: [MatchingService, OffersRepository],
})
export class MatchingModule implements OnApplicationBootstrap {
  constructor(
    private readonly queue: DispatchQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.scheduleSweeper(this.config.matching.sweepIntervalMs);
  }
}
