import { Inject, Injectable } from '@nestjs/common';
import { CAB_TYPES, NearbyCab, NearbyCabs } from '@app/contracts';
import { etaSecondsForDistance, EtaModel } from '@app/domain';
import { Clock, CLOCK } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LiveDrivers } from './live-drivers';

/** Cabs shown per cab type: enough to draw a map, few enough to keep the payload small. */
const CABS_PER_TYPE = 10;

/**
 * What a rider sees around a point: available drivers with a fresh ping, per cab type, nearest
 * first, with an ETA. No driver ids or names leave here.
 */
@Injectable()
export class NearbyCabsService {
  private readonly eta: EtaModel;

  constructor(
    private readonly live: LiveDrivers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.eta = config.eta;
  }

  nearby(lat: number, lng: number, radiusMeters: number): NearbyCabs {
    const staleBeforeMs = this.clock.now() - this.config.locations.staleAfterMs;
    const cabs: NearbyCab[] = [];
    for (const cabType of CAB_TYPES) {
      const found = this.live.nearestAvailable(lat, lng, {
        k: CABS_PER_TYPE,
        radiusMeters,
        cabType,
        staleBeforeMs,
      });
      for (const n of found) {
        const heading = n.data?.heading;
        cabs.push({
          cabType,
          location: { lat: n.lat, lng: n.lng },
          etaSeconds: etaSecondsForDistance(n.distanceMeters, this.eta),
          ...(heading !== undefined && !Number.isNaN(heading) ? { heading } : {}),
        });
      }
    }
    return { cabs };
  }
}
