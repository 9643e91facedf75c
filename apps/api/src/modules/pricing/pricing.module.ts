import { Module } from '@nestjs/common';
import { LocationsModule } from '../locations/locations.module';
import { SurgeModule } from '../surge/surge.module';
import { PricingService } from './pricing.service';
import { QuotesRepository } from './quotes.repository';

@Module({
  imports: [LocationsModule, SurgeModule],
  providers: [QuotesRepository, PricingService],
  exports: [PricingService],
})
export class PricingModule {}
