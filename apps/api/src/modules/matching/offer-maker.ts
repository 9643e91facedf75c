import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK } from '../../common/clock';
import { UnitOfWork } from '../../common/transactions/unit-of-work';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LocationsService } from '../locations/locations.service';
import { TripRecord } from '../trips/trip.model';
import { TripsService } from '../trips/trips.service';
import { DispatchQueue } from './dispatch-queue';
import { OfferNotifier } from './offer-notifier';
import { Offer, OffersRepository } from './offers.repository';
import { offerView } from './offers.service';

/**
 * Makes one offer, the same way for every strategy: a strategy only proposes a driver; whether
 * the offer exists is decided here, by the driver lock and the indexes, as it always was.
 */
@Injectable()
export class OfferMaker {
  constructor(
    private readonly offerRecords: OffersRepository,
    private readonly trips: TripsService,
    private readonly locations: LocationsService,
    private readonly queue: DispatchQueue,
    private readonly notifier: OfferNotifier,
    private readonly unitOfWork: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * A PENDING offer, unless the driver may not get one (on a trip, or an index refuses it: the
   * driver was offered this trip before, holds another offer, or the trip has one). The driver
   * lock orders this against a claim of the driver's other offer (`lockDriver`).
   */
  create(
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

  /** The offer exists: hold the driver in the index, start its durable timer, tell the driver. */
  async announce(trip: TripRecord, offer: Offer): Promise<void> {
    this.locations.markOffered(offer.driverId, offer.expiresAt.getTime());
    await this.queue.offerTimeout(trip.id, offer.id, this.config.matching.offerTimeoutMs);
    this.notifier.offer(offer.driverId, offerView(trip, offer));
  }
}
