import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
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
  /** Metres driven while IN_PROGRESS, summed from accepted pings, not yet written. */
  unsavedMeters: number;
  lastLat: number;
  lastLng: number;
}

/** How often the metres driven are added to the trip's row (never once per ping). */
const DRIVEN_FLUSH_MS = 5_000;

/**
 * The live view of assigned trips: each accepted ping of an assigned driver reaches the rider
 * with a fresh ETA (to the pickup, then to the dropoff), and the distance driven is summed for
 * the fare. A cache of the open trips in PostgreSQL, rebuilt at start.
 *
 * The distance driven is persisted: each process adds the metres its own pings measured to
 * `trips.driven_meters` every few seconds (an increment, so N processes, or a restart mid-trip,
 * lose at most the last few seconds and never count a metre twice).
 */
@Injectable()
export class TripTracker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TripTracker.name);
  private readonly byDriver = new Map<string, Tracked>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly locations: LocationsService,
    private readonly notifier: TripNotifier,
    private readonly trips: TripsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.locations.onDriverMoved((driver) => this.moved(driver));
    for (const trip of await this.trips.findInStates(ASSIGNED_STATES)) this.track(trip);
    // Per process, safe with N: each adds only the metres it measured itself.
    this.timer = setInterval(() => void this.flush(), DRIVEN_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes the metres measured here and not yet saved (one trip's, or every trip's). */
  async flush(tripId?: string): Promise<void> {
    for (const tracked of this.byDriver.values()) {
      if ((tripId && tracked.tripId !== tripId) || tracked.unsavedMeters < 1) continue;
      const meters = Math.round(tracked.unsavedMeters);
      tracked.unsavedMeters -= meters;
      try {
        await this.trips.addDrivenMeters(tracked.tripId, meters);
      } catch (error) {
        tracked.unsavedMeters += meters;
        this.logger.warn(
          { err: error, tripId: tracked.tripId },
          'could not save the distance driven',
        );
      }
    }
  }

  @OnEvent(TRIP_CHANGED_ANYWHERE)
  changed({ trip }: DomainEvents['trip.changed']): void {
    this.track(trip);
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
      // Unsaved metres of an ended trip are dropped: complete() flushed them before ending it.
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
      unsavedMeters: previous?.tripId === trip.id ? previous.unsavedMeters : 0,
      lastLat: here?.lat ?? NaN,
      lastLng: here?.lng ?? NaN,
    });
  }

  private moved(driver: LiveDriver): void {
    const tracked = this.byDriver.get(driver.id);
    if (!tracked) return;
    if (tracked.status === TripStatus.IN_PROGRESS && !Number.isNaN(tracked.lastLat)) {
      tracked.unsavedMeters += haversineMeters(
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
