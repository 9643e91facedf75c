import { Injectable } from '@nestjs/common';
import { DriverView } from '@app/contracts';
import { DriversService } from '../drivers/drivers.service';
import { LocationsService } from '../locations/locations.service';
import { AdminStatsRepository } from './admin-stats.repository';

@Injectable()
export class AdminService {
  constructor(
    private readonly drivers: DriversService,
    private readonly locations: LocationsService,
    private readonly stats: AdminStatsRepository,
  ) {}

  async overview() {
    const live = this.locations.stats();
    const trips = await this.stats.tripStats();
    return { drivers: live.drivers, ...trips, pings: live.pings };
  }

  /** A suspended driver leaves the map at once and can no longer go AVAILABLE. */
  async suspend(driverId: string): Promise<{ driver: DriverView }> {
    const driver = await this.drivers.setSuspended(driverId, true);
    this.locations.forceOffline(driverId);
    return { driver };
  }

  async reinstate(driverId: string): Promise<{ driver: DriverView }> {
    return { driver: await this.drivers.setSuspended(driverId, false) };
  }
}
