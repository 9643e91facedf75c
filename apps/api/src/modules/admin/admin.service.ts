import { Injectable } from '@nestjs/common';
import { DriverView } from '@app/contracts';
import { DriversService } from '../drivers/drivers.service';
import { LocationsService } from '../locations/locations.service';
import { MatchingService } from '../matching/matching.service';
import { AdminTripsQuery } from '../trips/trips.dto';
import { TripsService } from '../trips/trips.service';
import { DomainError } from '../../common/errors/domain-error';
import { AdminStatsRepository } from './admin-stats.repository';

@Injectable()
export class AdminService {
  constructor(
    private readonly drivers: DriversService,
    private readonly locations: LocationsService,
    private readonly stats: AdminStatsRepository,
    private readonly trips: TripsService,
    private readonly matching: MatchingService,
  ) {}

  listTrips(query: AdminTripsQuery) {
    return this.trips.adminList(query);
  }

  /** A trip with its timeline and dispatch log: what happened, and why the rider waited. */
  async trip(tripId: string) {
    const trip = await this.trips.findById(tripId);
    if (!trip) throw DomainError.notFound('trip');
    const [timeline, dispatch] = await Promise.all([
      this.trips.timeline(tripId),
      this.matching.dispatchLog(tripId),
    ]);
    return { trip: this.trips.view(trip, { id: 'admin', role: 'admin' }), timeline, dispatch };
  }

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
