import { Inject, Injectable, Logger } from '@nestjs/common';
import { TripStatus } from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { TripRecord } from '../trips/trip.model';
import { TripsService } from '../trips/trips.service';
import { DispatchQueue } from './dispatch-queue';
import { OffersRepository } from './offers.repository';
import { OffersService } from './offers.service';
import { DISPATCH_STRATEGY, DispatchStrategy, StepOutcome } from './strategies/dispatch-strategy';

export type { StepOutcome } from './strategies/dispatch-strategy';

/**
 * Dispatch, as the matching processor runs it: check the trip still waits, expire an offer past
 * its time, give up after MATCH_MAX_OFFERS offers or MATCH_MAX_MS, and hand the rest to the
 * strategy (MATCH_STRATEGY): `sequential` offers one driver now, `batched` leaves the trip to
 * its region's next window. Every step reads its state from PostgreSQL and is safe to run twice
 * (BullMQ delivers at least once): a step that finds an open offer waits for it, and the
 * indexes refuse a second pending offer or a repeated one.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);

  constructor(
    private readonly offerRecords: OffersRepository,
    private readonly offers: OffersService,
    private readonly trips: TripsService,
    private readonly queue: DispatchQueue,
    @Inject(DISPATCH_STRATEGY) private readonly strategy: DispatchStrategy,
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

    if (await this.giveUpIfDue(trip, offered.size)) return 'gave-up';
    return this.strategy.offerNext(trip, rounds + 1, offered);
  }

  /**
   * Ends the trip NO_DRIVER_FOUND once it has had MATCH_MAX_OFFERS offers or waited MATCH_MAX_MS;
   * true when it is over (by this call or an earlier one).
   */
  async giveUpIfDue(trip: TripRecord, offers: number): Promise<boolean> {
    const { maxOffers, maxMs } = this.config.matching;
    if (offers < maxOffers && this.clock.now() - trip.createdAt.getTime() < maxMs) return false;
    const reason = offers >= maxOffers ? `${offers} offers made` : 'time limit reached';
    const result = await this.trips.noDriverFound(trip.id, reason);
    if (result.kind === 'ok') this.logger.log({ tripId: trip.id, reason }, 'no driver found');
    return true;
  }

  /** The offer's durable timer fired: no answer counts as a deny. */
  async offerTimedOut(tripId: string, offerId: string): Promise<void> {
    const offer = await this.offerRecords.findById(offerId);
    if (offer?.tripId === tripId) await this.offers.close(offer, 'EXPIRED');
    await this.queue.match(tripId, `after-${offerId}`);
  }
}
