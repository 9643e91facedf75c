import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DriversModule } from '../drivers/drivers.module';
import { CabsGateway } from './cabs.gateway';
import { DriverLocationsGateway } from './driver-locations.gateway';
import { DriverLocationsRepository } from './driver-locations.repository';
import { LiveDrivers } from './live-drivers';
import { LivePersistence } from './live-persistence';
import { LocationsController } from './locations.controller';
import { LocationsMetrics } from './locations.metrics';
import { LocationsService } from './locations.service';
import { NearbyCabsService } from './nearby-cabs.service';
import { PingRate } from './ping-rate';

/** Live driver state: presence, pings, the in-memory index, nearby cabs. */
@Module({
  imports: [DriversModule],
  controllers: [LocationsController],
  providers: [
    { provide: LiveDrivers, useFactory: () => new LiveDrivers() },
    { provide: PingRate, useFactory: () => new PingRate() },
    {
      provide: LocationsMetrics,
      inject: [LiveDrivers, APP_CONFIG],
      useFactory: (live: LiveDrivers, config: AppConfig) =>
        new LocationsMetrics(live, config.locations.staleAfterMs),
    },
    DriverLocationsRepository,
    LivePersistence,
    LocationsService,
    NearbyCabsService,
    DriverLocationsGateway,
    CabsGateway,
  ],
  exports: [LocationsService, LiveDrivers],
})
export class LocationsModule {}
