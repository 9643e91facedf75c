import { Module } from '@nestjs/common';
import { LocationsModule } from '../locations/locations.module';
import { PricingService } from './pricing.service';

@Module({
  imports: [LocationsModule],
  providers: [PricingService],
  exports: [PricingService],
})
export class PricingModule {}
