import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { TripStatus } from '@app/contracts';
import { ASSIGNED_STATES, etaSeconds } from '@app/domain';
import { haversineMeters } from '@app/geo';
import { DomainEvents, TRIP_CHANGED_ANYWHERE } from '../../common/events';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LiveDriver } from '../locations/live-drivers';
import { LocationsService } from '../locations/locations.service';
import { TripNotifier } from './trip-notifier';
import { TripRecord } from './trip.model';
import { TripsRepository } from './trips.repository';

interface Tracked {
  tripId: string;
  riderId: string;
  status: TripStatus;
  target: { lat: number; lng: number };
  /** Metres driven while IN_PROGRESS, summed from accepted pings. */
  drivenMeters: number;
  lastLat: number;
  lastLng: number;
}

/**
 * The live view of assigned trips: each accepted ping of an assigned driver reaches the rider
 * with a fresh ETA (to the pickup, then to the dropoff), and the distance driven is summed for
 * the fare. A cache of the open trips in PostgreSQL, rebuilt at start.
 */
@Injectable()
export class TripTracker implements OnApplicationBootstrap {
  private readonly byDriver = new Map<string, Tracked>();

  constructor(
    private readonly locations: LocationsService,
    private readonly notifier: TripNotifier,
    private readonly trips: TripsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.locations.onDriverMoved((driver) => this.moved(driver));
    for (const trip of await this.trips.findInStates(ASSIGNED_STATES)) this.track(trip);
  }

  @OnEvent(TRIP_CHANGED_ANYWHERE)
  changed({ trip }: DomainEvents['trip.changed']): void {
    this.track(trip);
  }

  /** Metres driven on the trip so far, or undefined if this process did not follow it. */
  drivenMeters(tripId: string, driverId: string): number | undefined {
    const tracked = this.byDriver.get(driverId);
    return tracked?.tripId === tripId ? Math.round(tracked.drivenMeters) : undefined;
  }

  /** Seconds from the driver's last position to where it is heading now. */
  etaFor(trip: TripRecord): number | undefined {
    if (!trip.driverId) return undefined;
    const at = this.locations.whereIs(trip.driverId);
    if (!at || Number.isNaN(at.lat)) return undefined;
    const target = trip.status === TripStatus.IN_PROGRESS ? trip.dropoff : trip.pickup;
    return etaSeconds(at.lat, at.lng, target.lat, target.lng, this.config.eta);
  }

  private track(trip: TripRecord): void {
    const assigned = trip.driverId !== null && ASSIGNED_STATES.includes(trip.status);
    if (!assigned) {
      for (const [driverId, tracked] of this.byDriver) {
        if (tracked.tripId === trip.id) this.byDriver.delete(driverId);
      }
      return;
    }
    const driverId = trip.driverId as string;
    const previous = this.byDriver.get(driverId);
    const here = this.locations.whereIs(driverId);
    this.byDriver.set(driverId, {
      tripId: trip.id,
      riderId: trip.riderId,
      status: trip.status,
      target: trip.status === TripStatus.IN_PROGRESS ? trip.dropoff : trip.pickup,
      drivenMeters: previous?.tripId === trip.id ? previous.drivenMeters : 0,
      lastLat: here?.lat ?? NaN,
      lastLng: here?.lng ?? NaN,
    });
  }

  private moved(driver: LiveDriver): void {
    const tracked = this.byDriver.get(driver.id);
    if (!tracked) return;
    if (tracked.status === TripStatus.IN_PROGRESS && !Number.isNaN(tracked.lastLat)) {
      tracked.drivenMeters += haversineMeters(
        tracked.lastLat,
        tracked.lastLng,
        driver.lat,
        driver.lng,
      );
    }
    tracked.lastLat = driver.lat;
    tracked.lastLng = driver.lng;
    this.notifier.driverLocation(tracked.riderId, {
      tripId: tracked.tripId,
      location: { lat: driver.lat, lng: driver.lng },
      ...(Number.isNaN(driver.heading) ? {} : { heading: driver.heading }),
      etaSeconds: etaSeconds(
        driver.lat,
        driver.lng,
        tracked.target.lat,
        tracked.target.lng,
        this.config.eta,
      ),
    });
  }
}
