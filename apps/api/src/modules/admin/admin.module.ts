import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DriversModule } from '../drivers/drivers.module';
import { LocationsModule } from '../locations/locations.module';
import { TripsModule } from '../trips/trips.module';
import { AdminAccountsService } from './admin-accounts.service';
import { AdminFeed } from './admin-feed';
import { AdminFeedRepository } from './admin-feed.repository';
import { AdminReadRepository } from './admin-read.repository';
import { AdminStatsRepository } from './admin-stats.repository';
import { AdminTripsRepository } from './admin-trips.repository';
import { AdminController } from './admin.controller';
import { AdminEntity } from './admin.entity';
import { AdminRepository } from './admin.repository';
import { AdminService } from './admin.service';
import { DashboardModule } from './dashboard.module';

@Module({
  imports: [
    TypeOrmModule.forFeature([AdminEntity]),
    DriversModule,
    LocationsModule,
    TripsModule,
    DashboardModule,
  ],
  controllers: [AdminController],
  providers: [
    AdminRepository,
    AdminAccountsService,
    AdminStatsRepository,
    AdminReadRepository,
    AdminTripsRepository,
    AdminService,
    AdminFeedRepository,
    AdminFeed,
  ],
  exports: [AdminAccountsService],
})
export class AdminModule {}
