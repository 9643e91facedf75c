import { Inject, Injectable } from '@nestjs/common';
import { TripView } from '@app/contracts';
import { Actor } from '../../common/auth/actor';
import { Clock, CLOCK } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { UnitOfWork } from '../../common/transactions/unit-of-work';
import { isUniqueViolation } from '../../database/pg-errors';
import { LocationsService } from '../locations/locations.service';
import { TripsService } from '../trips/trips.service';
import { DispatchQueue } from './dispatch-queue';
import { OffersRepository } from './offers.repository';
import { OffersService } from './offers.service';

/** Thrown inside the claim to roll it back: the offer was no longer open. */
class OfferClosed extends Error {}
/** Thrown inside the claim to roll it back: the trip is no longer waiting for a driver. */
class TripNotWaiting extends Error {}

/** The drivers' answers to offers: accept (the claim) and deny. */
@Injectable()
export class OfferAnswersService {
  constructor(
    private readonly offers: OffersService,
    private readonly offerRecords: OffersRepository,
    private readonly trips: TripsService,
    private readonly locations: LocationsService,
    private readonly queue: DispatchQueue,
    private readonly unitOfWork: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The driver takes the trip. One unit of work: lock the driver (ordering this against any
   * offer being created for it), claim the offer, assign the trip; all or nothing.
   */
  async accept(actor: Actor, tripId: string): Promise<{ trip: TripView }> {
    const offer = await this.offers.ownOffer(actor, tripId);
    if (offer.status !== 'PENDING' || offer.expiresAt.getTime() <= this.clock.now()) {
      throw DomainError.conflict(
        `this offer is ${offer.status === 'PENDING' ? 'EXPIRED' : offer.status}`,
      );
    }
    let result;
    try {
      result = await this.unitOfWork.run(async () => {
        await this.offerRecords.lockDriver(actor.id);
        if (!(await this.offerRecords.resolve(offer.id, 'ACCEPTED', null))) throw new OfferClosed();
        const assigned = await this.trips.assignDriver(tripId, actor.id, offer.id);
        if (assigned.kind !== 'ok') throw new TripNotWaiting();
        return assigned;
      });
    } catch (error) {
      if (error instanceof OfferClosed) throw DomainError.conflict('this offer is no longer open');
      if (error instanceof TripNotWaiting) {
        await this.offers.close(offer, 'REVOKED', 'trip no longer requested');
        throw DomainError.conflict('this trip is no longer waiting for a driver');
      }
      if (isUniqueViolation(error, 'trips_one_open_per_driver')) {
        await this.offers.close(offer, 'REVOKED', 'driver already on a trip');
        throw DomainError.conflict('this driver is already on a trip');
      }
      throw error;
    }
    this.locations.markOffered(actor.id, NaN);
    this.locations.markOnTrip(actor.id, result.trip.cabType);
    return { trip: this.trips.view(result.trip, actor) };
  }

  async deny(actor: Actor, tripId: string): Promise<{ tripId: string }> {
    const offer = await this.offers.ownOffer(actor, tripId);
    if (!(await this.offerRecords.resolve(offer.id, 'DENIED', null))) {
      throw DomainError.conflict(
        `this offer is ${offer.status === 'PENDING' ? 'EXPIRED' : offer.status}`,
      );
    }
    this.locations.markOffered(actor.id, NaN);
    await this.queue.match(tripId, `after-${offer.id}`);
    return { tripId };
  }
}
