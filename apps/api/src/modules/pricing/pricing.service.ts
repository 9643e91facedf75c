import { Inject, Injectable } from '@nestjs/common';
import { CAB_TYPES, CabType, FareEstimate, LatLng } from '@app/contracts';
import { CURRENCY, etaSecondsForDistance, fareMinor, roadDistanceMeters } from '@app/domain';
import { haversineMeters } from '@app/geo';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LocationsService } from '../locations/locations.service';

export interface Quote {
  fareMinor: number;
  currency: string;
  surgeMultiplier: number;
  distanceMeters: number;
  durationSeconds: number;
}

/** How far the estimate looks for the nearest cab, for its pickup ETA. */
const ESTIMATE_RADIUS_METERS = 8_000;

/**
 * Quotes from the straight-line trip (road factor and city speed from the ETA model) and the
 * tariff of the cab type. Surge is 1.0 until the surge zones exist; the quote carries the
 * multiplier so a trip keeps the price it was shown.
 */
@Injectable()
export class PricingService {
  constructor(
    private readonly locations: LocationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  quote(pickup: LatLng, dropoff: LatLng, cabType: CabType): Quote {
    const straight = haversineMeters(pickup.lat, pickup.lng, dropoff.lat, dropoff.lng);
    const distanceMeters = Math.round(roadDistanceMeters(straight, this.config.eta));
    const durationSeconds = etaSecondsForDistance(straight, this.config.eta);
    const surgeMultiplier = this.surgeAt(pickup);
    return {
      fareMinor: fareMinor(cabType, distanceMeters, durationSeconds, surgeMultiplier),
      currency: CURRENCY,
      surgeMultiplier,
      distanceMeters,
      durationSeconds,
    };
  }

  /** The final fare from what was actually driven, at the surge the rider was quoted. */
  finalFare(
    cabType: CabType,
    distanceMeters: number,
    durationSeconds: number,
    surgeMultiplier: number,
  ) {
    return fareMinor(cabType, distanceMeters, durationSeconds, surgeMultiplier);
  }

  estimate(pickup: LatLng, dropoff: LatLng): { estimates: FareEstimate[] } {
    const estimates = CAB_TYPES.map((cabType) => {
      const quote = this.quote(pickup, dropoff, cabType);
      const [nearest] = this.locations.findAvailable(pickup.lat, pickup.lng, {
        k: 1,
        radiusMeters: ESTIMATE_RADIUS_METERS,
        cabType,
      });
      return {
        cabType,
        fare: { amount: quote.fareMinor, currency: quote.currency },
        surgeMultiplier: quote.surgeMultiplier,
        etaSeconds: nearest ? etaSecondsForDistance(nearest.distanceMeters, this.config.eta) : null,
        distanceMeters: quote.distanceMeters,
        durationSeconds: quote.durationSeconds,
        available: nearest !== undefined,
      };
    });
    return { estimates };
  }

  private surgeAt(_pickup: LatLng): number {
    return 1;
  }
}
