import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { DriversService } from '../../drivers/drivers.service';
import { LocationsService } from '../../locations/locations.service';
import { TripRecord } from '../../trips/trip.model';
import { scoreRound } from '../candidates';
import { DispatchQueue } from '../dispatch-queue';
import { OfferMaker } from '../offer-maker';
import { OffersRepository } from '../offers.repository';
import { DispatchStrategy, StepOutcome } from './dispatch-strategy';

/** Candidates looked at per radius; enough to skip a few busy drivers without a second query. */
export const CANDIDATES_PER_ROUND = 10;

/**
 * One trip at a time, in arrival order: search in widening radii, rank (`scoreRound`), offer
 * the best free driver; when nobody is in reach, look again after MATCH_RETRY_MS. Greedy: the
 * first trip takes the driver a later one needed more.
 */
@Injectable()
export class SequentialStrategy implements DispatchStrategy {
  readonly name = 'sequential' as const;

  constructor(
    private readonly offerRecords: OffersRepository,
    private readonly locations: LocationsService,
    private readonly drivers: DriversService,
    private readonly offers: OfferMaker,
    private readonly queue: DispatchQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async offerNext(
    trip: TripRecord,
    round: number,
    offered: ReadonlySet<string>,
  ): Promise<StepOutcome> {
    const { radiiMeters, retryMs } = this.config.matching;
    for (const radiusMeters of radiiMeters) {
      const outcome = await this.offerWithin(trip, round, radiusMeters, offered);
      if (outcome) return outcome;
    }
    await this.offerRecords.recordRound({
      tripId: trip.id,
      round,
      radiusMeters: radiiMeters[radiiMeters.length - 1],
      candidates: [],
      outcome: 'NO_CANDIDATES',
    });
    await this.queue.match(trip.id, `retry-${round}`, retryMs);
    return 'no-candidates';
  }

  /** One radius of one round: offer the best free candidate, or log why nobody was offered. */
  private async offerWithin(
    trip: TripRecord,
    round: number,
    radiusMeters: number,
    offered: ReadonlySet<string>,
  ): Promise<StepOutcome | null> {
    const found = this.locations.findAvailable(trip.pickup.lat, trip.pickup.lng, {
      k: CANDIDATES_PER_ROUND,
      radiusMeters,
      cabType: trip.cabType,
      excludeIds: offered,
      withoutOffer: true,
    });
    if (found.length === 0) return null;
    const scores = await this.drivers.findScores(found.map((f) => f.driverId));
    const { logged, ranked } = scoreRound(found, scores, this.config.eta);
    const log = (outcome: 'OFFERED' | 'ALL_BUSY') =>
      this.offerRecords.recordRound({
        tripId: trip.id,
        round,
        radiusMeters,
        candidates: [...logged.values()],
        outcome,
      });

    for (const candidate of ranked) {
      const entry = logged.get(candidate.driverId);
      const offer = await this.offers.create(trip.id, candidate.driverId, round, candidate);
      if (!offer) {
        if (entry) entry.decision = 'BUSY_WITH_ANOTHER_OFFER';
        // Another step of this same trip won the race to offer: that one carries on.
        if (await this.offerRecords.pendingForTrip(trip.id)) return 'waiting-for-answer';
        continue;
      }
      if (entry) entry.decision = 'OFFERED';
      await this.offers.announce(trip, offer);
      await log('OFFERED');
      return 'offered';
    }
    await log('ALL_BUSY');
    return null;
  }
}
