import { Module } from '@nestjs/common';
import { LocationsModule } from '../locations/locations.module';
import { MatchingQueueModule } from '../matching/matching-queue.module';
import { PaymentsModule } from '../payments/payments.module';
import { PricingModule } from '../pricing/pricing.module';
import { RatingsRepository } from './ratings.repository';
import { RatingsService } from './ratings.service';
import { TripEventsListener } from './trip-events.listener';
import { TripNotifier } from './trip-notifier';
import { TripTracker } from './trip-tracker';
import { TripsController } from './trips.controller';
import { DriverTripsGateway, RiderTripsGateway } from './trips.gateways';
import { TripsRepository } from './trips.repository';
import { TripsService } from './trips.service';

/** The trip lifecycle: request, steps, cancellations, the live view. Matching is its own module. */
@Module({
  imports: [LocationsModule, PricingModule, MatchingQueueModule, PaymentsModule],
  controllers: [TripsController],
  providers: [
    TripsRepository,
    TripsService,
    RatingsRepository,
    RatingsService,
    TripNotifier,
    TripTracker,
    TripEventsListener,
    RiderTripsGateway,
    DriverTripsGateway,
  ],
  exports: [TripsService],
})
export class TripsModule {}
