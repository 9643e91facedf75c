import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ErrorCode, TripOfferView, TripStatus, TripView } from '@app/contracts';
import { Actor } from '../../common/auth/actor';
import { batchedLookup } from '../../common/batching/batched-lookup';
import { DomainError } from '../../common/errors/domain-error';
import { DomainEvents, TRIP_CHANGED } from '../../common/events';
import { LocationsService } from '../locations/locations.service';
import { TripRecord } from '../trips/trip.model';
import { TripsService } from '../trips/trips.service';
import { OfferNotifier } from './offer-notifier';
import { Offer, OffersRepository } from './offers.repository';

/**
 * What dispatch and the drivers' answers share about one offer: closing it (the driver is told,
 * and its hold in the index is lifted), how a driver sees it, and who may see it.
 */
@Injectable()
export class OffersService {
  private readonly sessions = batchedLookup((driverIds: readonly string[]) =>
    this.offers.driverSessions(driverIds),
  );

  constructor(
    private readonly offers: OffersRepository,
    private readonly trips: TripsService,
    private readonly locations: LocationsService,
    private readonly notifier: OfferNotifier,
  ) {}

  async close(
    offer: Offer,
    outcome: 'EXPIRED' | 'REVOKED',
    reason: string | null = null,
  ): Promise<void> {
    const closed = await this.offers.resolve(offer.id, outcome, reason);
    // Only when this call closed it: an old offer's late timer must not clear a newer one's mark.
    if (!closed) return;
    this.locations.markOffered(offer.driverId, NaN);
    this.notifier.offerRevoked(offer.driverId, offer.tripId, reason ?? outcome);
  }

  /** A driver sees only offers made to it: anything else is NOT_FOUND. */
  async ownOffer(actor: Actor, tripId: string): Promise<Offer> {
    const offer = await this.offers.findForDriver(tripId, actor.id);
    if (!offer) throw new DomainError(ErrorCode.NOT_FOUND, 'no offer of this trip was made to you');
    return offer;
  }

  /**
   * For a (re)connecting driver: its open trip and its pending offer, if any, in one query
   * shared with the other drivers connecting within a few milliseconds.
   */
  async driverSession(
    actor: Actor,
  ): Promise<{ trip: TripView | null; offer: TripOfferView | null }> {
    const session = await this.sessions(actor.id);
    const openTrip = session?.openTrip ?? null;
    const pending = session?.pending ?? null;
    return {
      trip: openTrip && this.trips.view(openTrip, actor),
      offer: pending && offerView(pending.trip, pending.offer),
    };
  }

  /** A cancelled or ended trip revokes its open offer at once (the driver is told). */
  @OnEvent(TRIP_CHANGED)
  async tripChanged({ trip }: DomainEvents['trip.changed']): Promise<void> {
    if (trip.status === TripStatus.REQUESTED) return;
    const pending = await this.offers.pendingForTrip(trip.id);
    if (pending && pending.driverId !== trip.driverId) {
      await this.close(pending, 'REVOKED', trip.status);
    }
  }
}

/** The offer as the driver's app gets it (`trip:offer`). */
export function offerView(trip: TripRecord, offer: Offer): TripOfferView {
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
