import { Inject, Injectable, Logger } from '@nestjs/common';
import { TripStatus } from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { UnitOfWork } from '../../common/transactions/unit-of-work';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DriversService } from '../drivers/drivers.service';
import { LocationsService } from '../locations/locations.service';
import { TripRecord } from '../trips/trip.model';
import { TripsService } from '../trips/trips.service';
import { scoreRound } from './candidates';
import { DispatchQueue } from './dispatch-queue';
import { OfferNotifier } from './offer-notifier';
import { Offer, OffersRepository } from './offers.repository';
import { offerView, OffersService } from './offers.service';

/** Candidates looked at per radius; enough to skip a few busy drivers without a second query. */
const CANDIDATES_PER_ROUND = 10;

export type StepOutcome =
  'not-requested' | 'waiting-for-answer' | 'offered' | 'no-candidates' | 'gave-up';

/**
 * Dispatch, as the matching processor runs it: find, rank, offer one driver at a time, move on
 * after a deny or a timeout, give up after MATCH_MAX_OFFERS offers or MATCH_MAX_MS. Every step
 * reads its state from PostgreSQL and is safe to run twice (BullMQ delivers at least once): a
 * step that finds an open offer waits for it, and the indexes refuse a second pending offer or
 * a repeated one.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);

  constructor(
    private readonly offerRecords: OffersRepository,
    private readonly offers: OffersService,
    private readonly trips: TripsService,
    private readonly locations: LocationsService,
    private readonly drivers: DriversService,
    private readonly queue: DispatchQueue,
    private readonly notifier: OfferNotifier,
    private readonly unitOfWork: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async step(tripId: string): Promise<StepOutcome> {
    const trip = await this.trips.findById(tripId);
    if (!trip || trip.status !== TripStatus.REQUESTED) return 'not-requested';
    const { pending, offeredDriverIds: offered, rounds } = await this.offerRecords.progress(tripId);

    if (pending) {
      const leftMs = pending.expiresAt.getTime() - this.clock.now();
      if (leftMs > 0) {
        // A retried step after a crash: make sure the offer's timer exists (same id: no-op).
        await this.queue.offerTimeout(tripId, pending.id, leftMs);
        return 'waiting-for-answer';
      }
      await this.offers.close(pending, 'EXPIRED');
    }

    const { maxOffers, maxMs, radiiMeters, retryMs } = this.config.matching;
    if (offered.size >= maxOffers || this.clock.now() - trip.createdAt.getTime() >= maxMs) {
      const reason =
        offered.size >= maxOffers ? `${offered.size} offers made` : 'time limit reached';
      const result = await this.trips.noDriverFound(trip.id, reason);
      if (result.kind === 'ok') this.logger.log({ tripId: trip.id, reason }, 'no driver found');
      return 'gave-up';
    }

    const round = rounds + 1;
    for (const radiusMeters of radiiMeters) {
      const outcome = await this.offerWithin(trip, round, radiusMeters, offered);
      if (outcome) return outcome;
    }
    await this.offerRecords.recordRound({
      tripId,
      round,
      radiusMeters: radiiMeters[radiiMeters.length - 1],
      candidates: [],
      outcome: 'NO_CANDIDATES',
    });
    await this.queue.match(tripId, `retry-${round}`, retryMs);
    return 'no-candidates';
  }

  /** The offer's durable timer fired: no answer counts as a deny. */
  async offerTimedOut(tripId: string, offerId: string): Promise<void> {
    const offer = await this.offerRecords.findById(offerId);
    if (offer?.tripId === tripId) await this.offers.close(offer, 'EXPIRED');
    await this.queue.match(tripId, `after-${offerId}`);
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
      const offer = await this.createOffer(trip.id, candidate.driverId, round, candidate);
      if (!offer) {
        if (entry) entry.decision = 'BUSY_WITH_ANOTHER_OFFER';
        // Another step of this same trip won the race to offer: that one carries on.
        if (await this.offerRecords.pendingForTrip(trip.id)) return 'waiting-for-answer';
        continue;
      }
      if (entry) entry.decision = 'OFFERED';
      this.locations.markOffered(offer.driverId, offer.expiresAt.getTime());
      await log('OFFERED');
      await this.queue.offerTimeout(trip.id, offer.id, this.config.matching.offerTimeoutMs);
      this.notifier.offer(offer.driverId, offerView(trip, offer));
      return 'offered';
    }
    await log('ALL_BUSY');
    return null;
  }

  /**
   * A PENDING offer, unless the driver may not get one (on a trip, or an index refuses it). The
   * driver lock orders this against a claim of the driver's other offer (`lockDriver`).
   */
  private createOffer(
    tripId: string,
    driverId: string,
    round: number,
    scored: { score: number; pickupEtaSeconds: number },
  ): Promise<Offer | null> {
    return this.unitOfWork.run(async () => {
      await this.offerRecords.lockDriver(driverId);
      if (await this.trips.driverIsAssigned(driverId)) return null;
      return this.offerRecords.insert({
        tripId,
        driverId,
        round,
        score: scored.score,
        pickupEtaSeconds: scored.pickupEtaSeconds,
        expiresAt: new Date(this.clock.now() + this.config.matching.offerTimeoutMs),
      });
    });
  }
}
