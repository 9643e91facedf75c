import { Inject, Injectable } from '@nestjs/common';
import { CAB_TYPES, CabType, ErrorCode, FareEstimate, LatLng } from '@app/contracts';
import {
  etaSecondsForDistance,
  fareBreakdown,
  finalFareMinor,
  Route,
  straightLineRoute,
} from '@app/domain';
import { haversineMeters } from '@app/geo';
import { Actor } from '../../common/auth/actor';
import { Clock, CLOCK } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LocationsService } from '../locations/locations.service';
import { SurgeService } from '../surge/surge.service';
import { NewQuote, QuoteRecord, QuotesRepository } from './quotes.repository';

export type Quote = QuoteRecord;

/** How far the estimate looks for the nearest cab, for its pickup ETA. */
const ESTIMATE_RADIUS_METERS = 8_000;
/** A quote is for a route: pickup and drop-off within this of the quoted ones. */
const SAME_PLACE_METERS = 250;

/**
 * Quotes: the route (one routing function), the cab type's tariff, the surge of the pickup's
 * cell. Every quote is stored with an expiry, so a trip can lock exactly the price shown, on
 * whichever process the request lands; stored quotes are also surge's demand signal.
 */
@Injectable()
export class PricingService {
  constructor(
    private readonly quotes: QuotesRepository,
    private readonly surge: SurgeService,
    private readonly locations: LocationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The one routing call; a real router replaces `straightLineRoute` here. */
  route(from: LatLng, to: LatLng): Route {
    return straightLineRoute(from.lat, from.lng, to.lat, to.lng, this.config.eta);
  }

  async estimate(
    actor: Actor,
    pickup: LatLng,
    dropoff: LatLng,
  ): Promise<{ estimates: FareEstimate[] }> {
    const drafts = await this.draft(actor, pickup, dropoff, CAB_TYPES);
    const ids = await this.quotes.insertMany(drafts);
    const estimates = drafts.map((quote, i) => {
      const [nearest] = this.locations.findAvailable(pickup.lat, pickup.lng, {
        k: 1,
        radiusMeters: ESTIMATE_RADIUS_METERS,
        cabType: quote.cabType,
      });
      return {
        cabType: quote.cabType,
        fare: { amount: quote.fareMinor, currency: quote.currency },
        surgeMultiplier: quote.surgeMultiplier,
        etaSeconds: nearest ? etaSecondsForDistance(nearest.distanceMeters, this.config.eta) : null,
        distanceMeters: quote.distanceMeters,
        durationSeconds: quote.durationSeconds,
        available: nearest !== undefined,
        quoteId: ids[i],
        quoteExpiresAt: quote.expiresAt.toISOString(),
      };
    });
    return { estimates };
  }

  /**
   * The quote a trip request keeps: the rider's own `quoteId` if it is still valid for this cab
   * type and route (else a clear 404 / 422), or a fresh one.
   */
  async quoteForRequest(
    actor: Actor,
    input: { pickup: LatLng; dropoff: LatLng; cabType: CabType; quoteId?: string },
  ): Promise<Quote> {
    if (!input.quoteId) {
      const [draft] = await this.draft(actor, input.pickup, input.dropoff, [input.cabType]);
      const [id] = await this.quotes.insertMany([draft]);
      return { ...draft, id };
    }
    const quote = await this.quotes.findById(input.quoteId);
    if (!quote || quote.riderId !== actor.id) throw DomainError.notFound('quote');
    const refuse = (why: string) =>
      new DomainError(ErrorCode.INVALID_QUOTE, `quote ${quote.id} ${why}`, [
        { field: 'quoteId', messages: [why] },
      ]);
    if (quote.expiresAt.getTime() <= this.clock.now()) {
      throw refuse(`expired at ${quote.expiresAt.toISOString()}: ask for a new estimate`);
    }
    if (quote.cabType !== input.cabType)
      throw refuse(`is for ${quote.cabType}, not ${input.cabType}`);
    const moved = (a: LatLng, b: LatLng) =>
      haversineMeters(a.lat, a.lng, b.lat, b.lng) > SAME_PLACE_METERS;
    if (moved(quote.pickup, input.pickup) || moved(quote.dropoff, input.dropoff)) {
      throw refuse(
        `is for another route (pickup or drop-off more than ${SAME_PLACE_METERS} m away)`,
      );
    }
    return quote;
  }

  /**
   * The fare at completion: metered from the distance actually driven and the time, at the
   * locked surge, within the band of the quote unless the route changed (`finalFareMinor`).
   */
  finalFare(
    trip: {
      cabType: CabType;
      quoteFareMinor: number;
      quoteDistanceMeters: number | null;
      surgeMultiplier: number;
    },
    drivenMeters: number,
    durationSeconds: number,
  ): number {
    const metered = fareBreakdown(
      this.config.fares.tariffs[trip.cabType],
      drivenMeters,
      durationSeconds,
      trip.surgeMultiplier,
    ).totalMinor;
    if (trip.quoteDistanceMeters === null) return metered;
    return finalFareMinor(
      metered,
      { fareMinor: trip.quoteFareMinor, distanceMeters: trip.quoteDistanceMeters },
      drivenMeters,
      this.config.fares.band,
    ).fareMinor;
  }

  private async draft(
    actor: Actor,
    pickup: LatLng,
    dropoff: LatLng,
    cabTypes: readonly CabType[],
  ): Promise<NewQuote[]> {
    const route = this.route(pickup, dropoff);
    const surgeMultiplier = await this.surge.multiplierAt(pickup.lat, pickup.lng);
    const now = this.clock.now();
    return cabTypes.map((cabType) => ({
      riderId: actor.role === 'rider' ? actor.id : null,
      cabType,
      pickup: { lat: pickup.lat, lng: pickup.lng },
      dropoff: { lat: dropoff.lat, lng: dropoff.lng },
      fareMinor: fareBreakdown(
        this.config.fares.tariffs[cabType],
        route.distanceMeters,
        route.durationSeconds,
        surgeMultiplier,
      ).totalMinor,
      currency: this.config.fares.currency,
      surgeMultiplier,
      distanceMeters: route.distanceMeters,
      durationSeconds: route.durationSeconds,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.config.fares.quoteTtlSeconds * 1000),
    }));
  }
}
