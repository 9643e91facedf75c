import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DriversModule } from '../drivers/drivers.module';
import { LocationsModule } from '../locations/locations.module';
import { MatchingModule } from '../matching/matching.module';
import { TripsModule } from '../trips/trips.module';
import { AdminAccountsService } from './admin-accounts.service';
import { AdminFeed } from './admin-feed';
import { AdminFeedRepository } from './admin-feed.repository';
import { AdminReadRepository } from './admin-read.repository';
import { AdminStatsRepository } from './admin-stats.repository';
import { AdminController } from './admin.controller';
import { AdminEntity } from './admin.entity';
import { AdminGateway } from './admin.gateway';
import { AdminRepository } from './admin.repository';
import { AdminService } from './admin.service';
import { DashboardModule } from './dashboard.module';

@Module({
  imports: [
    TypeOrmModule.forFeature([AdminEntity]),
    DriversModule,
    LocationsModule,
    TripsModule,
    MatchingModule,
    DashboardModule,
  ],
  controllers: [AdminController],
  providers: [
    AdminRepository,
    AdminAccountsService,
    AdminGateway,
    AdminStatsRepository,
    AdminReadRepository,
    AdminService,
    AdminFeedRepository,
    AdminFeed,
  ],
  exports: [AdminAccountsService],
})
export class AdminModule {}
