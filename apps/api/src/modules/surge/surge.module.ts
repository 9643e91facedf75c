import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { CityDuties } from '../../common/duties/city-duties';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LocationsModule } from '../locations/locations.module';
import { AdminSurgeController } from './surge.controller';
import { SurgeRepository } from './surge.repository';
import { SurgeService } from './surge.service';

@Module({
  imports: [LocationsModule],
  controllers: [AdminSurgeController],
  providers: [SurgeRepository, SurgeService],
  exports: [SurgeService],
})
export class SurgeModule implements OnApplicationBootstrap {
  constructor(
    private readonly surge: SurgeService,
    private readonly duties: CityDuties,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Once per city per period, under a lease (not per process, not a repeatable job). */
  onApplicationBootstrap(): void {
    if (!this.config.roles.worker) return;
    this.duties.start({
      name: 'surge',
      everyMs: this.config.surge.intervalMs,
      run: () => this.surge.recompute(),
    });
  }
}
