import { Injectable } from '@nestjs/common';
import { DriverView, Role } from '@app/contracts';
import { Actor } from '../../common/auth/actor';
import { DomainError } from '../../common/errors/domain-error';
import { decodeCursor, page } from '../../common/http/cursor';
import { DriversService } from '../drivers/drivers.service';
import { LocationsService } from '../locations/locations.service';
import { AdminTripsQuery } from '../trips/trips.dto';
import { TripsService } from '../trips/trips.service';
import { AdminReadRepository, DriverRow } from './admin-read.repository';
import { AdminTripsRepository } from './admin-trips.repository';
import { AdminStatsRepository } from './admin-stats.repository';
import { AdminDriversQuery, AdminPageQuery } from './admin.dto';

/** How an operator sees trips: every field, the pickup code included. */
const OPERATOR: Actor = { id: 'admin', role: Role.ADMIN };

@Injectable()
export class AdminService {
  constructor(
    private readonly driverAccounts: DriversService,
    private readonly locations: LocationsService,
    private readonly stats: AdminStatsRepository,
    private readonly trips: TripsService,
    private readonly read: AdminReadRepository,
    private readonly tripsRead: AdminTripsRepository,
  ) {}

  /** Drivers with their live status and location (this process's live state when it has one). */
  async listDrivers(query: AdminDriversQuery) {
    const limit = query.limit ?? 50;
    const rows = await this.read.drivers({
      status: query.status,
      cabType: query.cabType,
      limit: limit + 1,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const { items, nextCursor } = page(rows, limit);
    return { drivers: items.map((d) => this.withLive(d)), nextCursor };
  }

  async driver(id: string) {
    const row = await this.read.driver(id);
    if (!row) throw DomainError.notFound('driver');
    const implausiblePings = this.locations.whereIs(id)?.implausiblePings ?? 0;
    const counts = await this.read.driverCounts(id);
    return { driver: this.withLive(row), counts: { ...counts, implausiblePings } };
  }

  async riders(query: AdminPageQuery) {
    const limit = query.limit ?? 50;
    const rows = await this.read.riders({
      limit: limit + 1,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const { items, nextCursor } = page(rows, limit);
    return {
      riders: items.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
      nextCursor,
    };
  }

  private withLive(row: DriverRow) {
    const live = this.locations.whereIs(row.id);
    const hasPosition = live && !Number.isNaN(live.lat);
    return {
      ...row,
      status: live?.status ?? row.status,
      location: hasPosition ? { lat: live.lat, lng: live.lng } : row.location,
      createdAt: row.createdAt.toISOString(),
    };
  }

  /** Every trip, filtered, newest first. */
  async listTrips(query: AdminTripsQuery) {
    const limit = query.limit ?? 50;
    const rows = await this.tripsRead.list({
      riderId: query.riderId,
      driverId: query.driverId,
      status: query.status,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      limit: limit + 1,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const { items, nextCursor } = page(rows, limit);
    return { trips: items.map((t) => this.trips.view(t, OPERATOR)), nextCursor };
  }

  /** A trip with its timeline and dispatch log: what happened, and why the rider waited. */
  async trip(tripId: string) {
    const trip = await this.trips.findById(tripId);
    if (!trip) throw DomainError.notFound('trip');
    const [timeline, dispatch] = await Promise.all([
      this.tripsRead.timeline(tripId),
      this.tripsRead.dispatchLog(tripId),
    ]);
    return { trip: this.trips.view(trip, OPERATOR), timeline, dispatch };
  }

  async overview() {
    const live = this.locations.stats();
    const trips = await this.stats.tripStats();
    return { drivers: live.drivers, ...trips, pings: live.pings };
  }

  /** A suspended driver leaves the map at once and can no longer go AVAILABLE. */
  async suspend(driverId: string): Promise<{ driver: DriverView }> {
    const driver = await this.driverAccounts.setSuspended(driverId, true);
    this.locations.forceOffline(driverId);
    return { driver };
  }

  async reinstate(driverId: string): Promise<{ driver: DriverView }> {
    return { driver: await this.driverAccounts.setSuspended(driverId, false) };
  }
}
