import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ErrorCode, TripStatus, TripView } from '@app/contracts';
import { etaSecondsForDistance, rankCandidates } from '@app/domain';
import { Actor } from '../../common/auth/actor';
import { Clock, CLOCK } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { DomainEvents, TRIP_CHANGED } from '../../common/events';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { isUniqueViolation } from '../../database/pg-errors';
import { DriversService } from '../drivers/drivers.service';
import { LocationsService } from '../locations/locations.service';
import { DispatchQueue } from '../trips/dispatch-queue';
import { TripNotifier } from '../trips/trip-notifier';
import { TripRecord } from '../trips/trip.model';
import { newPickupCode, TripsService } from '../trips/trips.service';
import { LoggedCandidate, Offer, OffersRepository } from './offers.repository';

/** Candidates looked at per radius; enough to skip a few busy drivers without a second query. */
const CANDIDATES_PER_ROUND = 10;

export type StepOutcome =
  'not-requested' | 'waiting-for-answer' | 'offered' | 'no-candidates' | 'gave-up';

/** Thrown inside the claim transaction to roll it back when the offer was no longer open. */
class OfferClosed extends Error {}

/**
 * Dispatch: find, rank, offer one driver at a time, move on after a deny or a timeout, give up
 * after MATCH_MAX_OFFERS offers or MATCH_MAX_MS. Every step reads its state from PostgreSQL
 * and is safe to run twice (BullMQ delivers at least once): a step that finds an open offer
 * waits for it, and the indexes refuse a second pending offer or a repeated one.
 */
@Injectable()
export class MatchingService {
  private readonly logger = new Logger(MatchingService.name);

  constructor(
    private readonly offers: OffersRepository,
    private readonly trips: TripsService,
    private readonly locations: LocationsService,
    private readonly drivers: DriversService,
    private readonly queue: DispatchQueue,
    private readonly notifier: TripNotifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async step(tripId: string): Promise<StepOutcome> {
    const trip = await this.trips.findById(tripId);
    if (!trip || trip.status !== TripStatus.REQUESTED) return 'not-requested';

    const pending = await this.offers.pendingForTrip(tripId);
    if (pending) {
      if (pending.expiresAt.getTime() > this.clock.now()) {
        // A retried step after a crash: make sure the offer's timer exists (same id: no-op).
        await this.queue.offerTimeout(
          tripId,
          pending.id,
          pending.expiresAt.getTime() - this.clock.now(),
        );
        return 'waiting-for-answer';
      }
      await this.close(pending, 'EXPIRED');
    }

    const offered = await this.offers.offeredDriverIds(tripId);
    const { maxOffers, maxMs, radiiMeters } = this.config.matching;
    if (offered.size >= maxOffers || this.clock.now() - trip.createdAt.getTime() >= maxMs) {
      await this.giveUp(
        trip,
        offered.size >= maxOffers ? `${offered.size} offers made` : 'time limit reached',
      );
      return 'gave-up';
    }

    const round = (await this.offers.countRounds(tripId)) + 1;
    for (const radiusMeters of radiiMeters) {
      const outcome = await this.offerWithin(trip, round, radiusMeters, offered);
      if (outcome) return outcome;
    }
    await this.offers.recordRound({
      tripId,
      round,
      radiusMeters: radiiMeters[radiiMeters.length - 1],
      candidates: [],
      outcome: 'NO_CANDIDATES',
    });
    await this.queue.match(tripId, `retry-${round}`, this.config.matching.retryMs);
    return 'no-candidates';
  }

  /** The driver takes the trip: one transaction claims the offer and assigns the trip. */
  async accept(actor: Actor, tripId: string): Promise<{ trip: TripView }> {
    const offer = await this.ownOffer(actor, tripId);
    if (offer.status !== 'PENDING' || offer.expiresAt.getTime() <= this.clock.now()) {
      throw DomainError.conflict(
        `this offer is ${offer.status === 'PENDING' ? 'EXPIRED' : offer.status}`,
      );
    }
    let result;
    try {
      result = await this.trips.applyTransition({
        tripId,
        action: 'ACCEPT',
        actor: { role: 'driver', id: actor.id },
        patch: {
          driverId: actor.id,
          pickupCode: newPickupCode(),
          assignedAt: new Date(this.clock.now()),
        },
        data: { offerId: offer.id },
        alsoInTransaction: async (tx) => {
          await this.offers.lockDriver(tx, actor.id);
          if (!(await this.offers.resolve(offer.id, 'ACCEPTED', null, tx))) throw new OfferClosed();
          await tx.query(
            `UPDATE trips SET vehicle_id = (SELECT id FROM vehicles WHERE driver_id = $1) WHERE id = $2`,
            [actor.id, tripId],
          );
        },
      });
    } catch (error) {
      if (error instanceof OfferClosed) throw DomainError.conflict('this offer is no longer open');
      if (isUniqueViolation(error, 'trips_one_open_per_driver')) {
        await this.close(offer, 'REVOKED', 'driver already on a trip');
        throw DomainError.conflict('this driver is already on a trip');
      }
      throw error;
    }
    if (result.kind !== 'ok') {
      await this.close(offer, 'REVOKED', 'trip no longer requested');
      throw DomainError.conflict('this trip is no longer waiting for a driver');
    }
    this.locations.markOffered(actor.id, NaN);
    this.locations.markOnTrip(actor.id, result.trip.cabType);
    return { trip: this.trips.view(result.trip, actor) };
  }

  async deny(actor: Actor, tripId: string): Promise<{ tripId: string }> {
    const offer = await this.ownOffer(actor, tripId);
    if (!(await this.offers.resolve(offer.id, 'DENIED', null))) {
      throw DomainError.conflict(
        `this offer is ${offer.status === 'PENDING' ? 'EXPIRED' : offer.status}`,
      );
    }
    this.locations.markOffered(actor.id, NaN);
    await this.queue.match(tripId, `after-${offer.id}`);
    return { tripId };
  }

  /** The offer's durable timer fired: no answer counts as a deny. */
  async offerTimedOut(tripId: string, offerId: string): Promise<void> {
    const offer = (await this.offers.forTrip(tripId)).find((o) => o.id === offerId);
    if (offer) await this.close(offer, 'EXPIRED');
    await this.queue.match(tripId, `after-${offerId}`);
  }

  /** Why a rider waited: every round with its candidates and decisions, every offer's outcome. */
  async dispatchLog(tripId: string) {
    const [rounds, offers] = await Promise.all([
      this.offers.rounds(tripId),
      this.offers.forTrip(tripId),
    ]);
    return {
      rounds,
      offers: offers.map((o) => ({
        driverId: o.driverId,
        round: o.round,
        score: o.score,
        pickupEtaSeconds: o.pickupEtaSeconds,
        outcome: o.status,
        reason: o.reason,
        offeredAt: o.offeredAt.toISOString(),
        expiresAt: o.expiresAt.toISOString(),
        respondedAt: o.respondedAt?.toISOString() ?? null,
      })),
    };
  }

  /** For a reconnecting driver: its open offer, if any. */
  async pendingOfferFor(driverId: string) {
    const offer = await this.offers.pendingForDriver(driverId);
    if (!offer) return null;
    const trip = await this.trips.findById(offer.tripId);
    return trip && this.offerView(trip, offer);
  }

  /** A cancelled or ended trip revokes its open offer at once (the driver is told). */
  @OnEvent(TRIP_CHANGED)
  async tripChanged({ trip }: DomainEvents['trip.changed']): Promise<void> {
    if (trip.status === TripStatus.REQUESTED) return;
    const pending = await this.offers.pendingForTrip(trip.id);
    if (pending && pending.driverId !== trip.driverId)
      await this.close(pending, 'REVOKED', trip.status);
  }

  private async offerWithin(
    trip: TripRecord,
    round: number,
    radiusMeters: number,
    offered: Set<string>,
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
    const logged = new Map<string, LoggedCandidate>();
    for (const f of found) {
      const s = scores.get(f.driverId);
      logged.set(f.driverId, {
        driverId: f.driverId,
        distanceMeters: Math.round(f.distanceMeters),
        pickupEtaSeconds: etaSecondsForDistance(f.distanceMeters, this.config.eta),
        rating: s?.rating ?? null,
        acceptanceRate: s?.acceptanceRate ?? null,
        score: null,
        decision: s ? 'NOT_REACHED' : 'SUSPENDED_OR_UNKNOWN',
      });
    }
    const ranked = rankCandidates(
      [...logged.values()]
        .filter((c) => c.rating !== null)
        .map((c) => ({
          driverId: c.driverId,
          pickupEtaSeconds: c.pickupEtaSeconds,
          rating: c.rating as number,
          acceptanceRate: c.acceptanceRate as number,
        })),
    );
    ranked.forEach((c) => ((logged.get(c.driverId) as LoggedCandidate).score = c.score));

    for (const candidate of ranked) {
      const entry = logged.get(candidate.driverId) as LoggedCandidate;
      const expiresAt = new Date(this.clock.now() + this.config.matching.offerTimeoutMs);
      const offer = await this.offers.create({
        tripId: trip.id,
        driverId: candidate.driverId,
        round,
        score: candidate.score,
        pickupEtaSeconds: candidate.pickupEtaSeconds,
        expiresAt,
      });
      if (!offer) {
        entry.decision = 'BUSY_WITH_ANOTHER_OFFER';
        // Another step of this same trip won the race to offer: that one carries on.
        if (await this.offers.pendingForTrip(trip.id)) return 'waiting-for-answer';
        continue;
      }
      entry.decision = 'OFFERED';
      this.locations.markOffered(offer.driverId, expiresAt.getTime());
      await this.offers.recordRound({
        tripId: trip.id,
        round,
        radiusMeters,
        candidates: [...logged.values()],
        outcome: 'OFFERED',
      });
      await this.queue.offerTimeout(trip.id, offer.id, this.config.matching.offerTimeoutMs);
      this.notifier.offer(offer.driverId, this.offerView(trip, offer));
      return 'offered';
    }
    await this.offers.recordRound({
      tripId: trip.id,
      round,
      radiusMeters,
      candidates: [...logged.values()],
      outcome: 'ALL_BUSY',
    });
    return null;
  }

  private async giveUp(trip: TripRecord, reason: string): Promise<void> {
    const result = await this.trips.applyTransition({
      tripId: trip.id,
      action: 'NO_DRIVER',
      actor: { role: 'system', id: null },
      patch: { endedAt: new Date(this.clock.now()) },
      data: { reason },
    });
    if (result.kind === 'ok') this.logger.log({ tripId: trip.id, reason }, 'no driver found');
  }

  private async close(
    offer: Offer,
    outcome: 'EXPIRED' | 'REVOKED',
    reason: string | null = null,
  ): Promise<void> {
    const closed = await this.offers.resolve(offer.id, outcome, reason);
    // Only when this call closed it: an old offer's late timer must not clear a newer one's mark.
    if (closed) this.locations.markOffered(offer.driverId, NaN);
    if (closed) this.notifier.offerRevoked(offer.driverId, offer.tripId, reason ?? outcome);
  }

  /** A driver sees only offers made to it: anything else is NOT_FOUND. */
  private async ownOffer(actor: Actor, tripId: string): Promise<Offer> {
    const offer = await this.offers.findForDriver(tripId, actor.id);
    if (!offer) throw new DomainError(ErrorCode.NOT_FOUND, 'no offer of this trip was made to you');
    return offer;
  }

  private offerView(trip: TripRecord, offer: Offer) {
    return {
      tripId: trip.id,
      pickup: trip.pickup,
      dropoff: trip.dropoff,
      cabType: trip.cabType,
      estimatedFare: { amount: trip.quoteFareMinor, currency: trip.currency },
      pickupEtaSeconds: offer.pickupEtaSeconds,
      expiresAt: offer.expiresAt.toISOString(),
    };
  }
}
