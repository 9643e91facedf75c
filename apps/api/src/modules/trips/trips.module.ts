import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@app/contracts';
import { EventBus } from '../../common/events';
import { LocationsModule } from '../locations/locations.module';
import { PricingModule } from '../pricing/pricing.module';
import { DispatchQueue } from './dispatch-queue';
import { TripEventsListener } from './trip-events.listener';
import { TripNotifier } from './trip-notifier';
import { TripTracker } from './trip-tracker';
import { TripsController } from './trips.controller';
import { DriverTripsGateway, RiderTripsGateway } from './trips.gateways';
import { TripsRepository } from './trips.repository';
import { TripsService } from './trips.service';

/** The trip lifecycle: request, steps, cancellations, the live view. Matching is its own module. */
@Module({
  imports: [LocationsModule, PricingModule, BullModule.registerQueue({ name: QueueName.MATCHING })],
  controllers: [TripsController],
  providers: [
    EventBus,
    TripsRepository,
    TripsService,
    TripNotifier,
    TripTracker,
    TripEventsListener,
    DispatchQueue,
    RiderTripsGateway,
    DriverTripsGateway,
  ],
  exports: [TripsService, TripNotifier, DispatchQueue, EventBus],
})
export class TripsModule {}
