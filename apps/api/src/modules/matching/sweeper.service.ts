import { Inject, Injectable, Logger } from '@nestjs/common';
import { DriverStatus, TripStatus } from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LocationsService } from '../locations/locations.service';
import { TripsService } from '../trips/trips.service';
import { DispatchQueue } from './dispatch-queue';
import { DispatchService } from './dispatch.service';
import { OffersRepository } from './offers.repository';

/** How late a timer may be before the sweeper does its work for it. */
const TIMER_GRACE_MS = 5_000;

export interface SweepReport {
  overdueOffers: number;
  requestedRequeued: number;
  driversLost: number;
  tripsAbandoned: number;
}

/**
 * Nothing stays stuck. The rules, applied every SWEEP_INTERVAL_MS once per city (a duty under a
 * lease, see `CityDuties`):
 * 1. a PENDING offer past its expiry (its timer job was lost) expires, and matching goes on;
 * 2. a REQUESTED trip with no open offer and no matching activity for twice MATCH_RETRY_MS
 *    (plus a grace) gets a matching step: its job vanished. One past MATCH_MAX_MS ends
 *    NO_DRIVER_FOUND through that step. A trip whose retry is merely delayed is left alone, so
 *    the sweeper never starts a second retry chain;
 * 3. an assigned trip not yet started whose driver went OFFLINE or silent for
 *    DRIVER_OFFLINE_AFTER_MS goes back to matching, as if the driver had cancelled;
 * 4. an IN_PROGRESS trip whose driver has been silent for TRIP_DRIVER_LOST_MS is CANCELLED by
 *    the system with reason `driver lost`, for an operator to settle.
 */
@Injectable()
export class SweeperService {
  private readonly logger = new Logger(SweeperService.name);

  constructor(
    private readonly offers: OffersRepository,
    private readonly trips: TripsService,
    private readonly dispatch: DispatchService,
    private readonly locations: LocationsService,
    private readonly queue: DispatchQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async sweep(): Promise<SweepReport> {
    const report: SweepReport = {
      overdueOffers: 0,
      requestedRequeued: 0,
      driversLost: 0,
      tripsAbandoned: 0,
    };
    const now = this.clock.now();

    for (const offer of await this.offers.overdue(TIMER_GRACE_MS)) {
      await this.dispatch.offerTimedOut(offer.tripId, offer.id);
      report.overdueOffers += 1;
    }

    const quietSince = new Date(now - 2 * this.config.matching.retryMs - TIMER_GRACE_MS);
    const bucket = Math.floor(now / this.config.matching.sweepIntervalMs);
    const requested = await this.trips.findStale([TripStatus.REQUESTED], quietSince);
    const active = await this.offers.activeSince(
      requested.map((t) => t.id),
      quietSince,
    );
    for (const trip of requested) {
      if (active.has(trip.id)) continue;
      await this.queue.match(trip.id, `sweep-${bucket}`);
      report.requestedRequeued += 1;
    }

    const notStarted = [TripStatus.DRIVER_ASSIGNED, TripStatus.DRIVER_ARRIVED];
    for (const trip of await this.trips.findStale(notStarted, new Date(now))) {
      const driverId = trip.driverId as string;
      const at = this.locations.whereIs(driverId);
      const gone =
        !at ||
        at.status === DriverStatus.OFFLINE ||
        at.silentMs > this.config.locations.offlineAfterMs;
      if (!gone) continue;
      const result = await this.trips.handBack(trip.id, driverId, 'system', 'driver offline');
      if (result.kind === 'ok') report.driversLost += 1;
    }

    for (const trip of await this.trips.findStale([TripStatus.IN_PROGRESS], new Date(now))) {
      const at = this.locations.whereIs(trip.driverId as string);
      if (at && at.silentMs <= this.config.matching.driverLostMs) continue;
      const result = await this.trips.abandon(trip.id);
      if (result.kind === 'ok') report.tripsAbandoned += 1;
    }

    if (Object.values(report).some((n) => n > 0))
      this.logger.log({ ...report }, 'sweep resolved stuck work');
    return report;
  }
}
