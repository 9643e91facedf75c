import { Inject, Injectable } from '@nestjs/common';
import { CAB_TYPES, SurgeCellView } from '@app/contracts';
import {
  computeSurge,
  DEFAULT_SURGE_PARAMS,
  SurgeParams,
  surgeCellCentre,
  surgeCellOf,
} from '@app/domain';
import { Clock, CLOCK } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LocationsService } from '../locations/locations.service';
import { SurgeRepository } from './surge.repository';

/** Drivers looked at around each cell (per cab type): more than any cell's fair share. */
const SUPPLY_K = 200;

/**
 * The city's surge: recomputed as a city-wide duty (one process at a time, under a lease), from
 * demand in PostgreSQL and supply from the location index (replicated to every process), and
 * stored in PostgreSQL for every process's quotes. A cell whose row has not been refreshed for
 * three periods (the duty stopped) counts as 1.0: a stale surge is never charged.
 */
@Injectable()
export class SurgeService {
  readonly params: SurgeParams;

  constructor(
    private readonly cells: SurgeRepository,
    private readonly locations: LocationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.params = { ...DEFAULT_SURGE_PARAMS, cap: config.surge.cap };
  }

  async multiplierAt(lat: number, lng: number): Promise<number> {
    const freshAfter = new Date(this.clock.now() - 3 * this.config.surge.intervalMs);
    return this.cells.multiplierOf(surgeCellOf(lat, lng, this.params.precision), freshAfter);
  }

  /** One period for the whole city. Returns the number of cells with a surge. */
  async recompute(): Promise<number> {
    const now = this.clock.now();
    const demand = await this.cells.demandSince(
      new Date(now - this.config.surge.demandWindowSeconds * 1000),
    );
    const previous = new Map((await this.cells.all()).map((c) => [c.geohash, c]));
    // Supply near every cell that demand or the last period makes interesting.
    const around = new Map<string, { lat: number; lng: number }>();
    for (const d of demand) around.set(surgeCellOf(d.lat, d.lng, this.params.precision), d);
    for (const c of previous.values()) around.set(c.geohash, surgeCellCentre(c.geohash));
    const drivers = new Map<string, { id: string; lat: number; lng: number }>();
    for (const at of around.values()) {
      for (const cabType of CAB_TYPES) {
        const found = this.locations.findAvailable(at.lat, at.lng, {
          k: SUPPLY_K,
          radiusMeters: this.params.supplyRadiusMeters * 2,
          cabType,
        });
        for (const f of found) drivers.set(f.driverId, { id: f.driverId, lat: f.lat, lng: f.lng });
      }
    }
    const next = computeSurge({ demand, drivers: [...drivers.values()], previous }, this.params);
    await this.cells.replaceAll(next, new Date(now));
    return next.filter((c) => c.multiplier > 1).length;
  }

  async list(): Promise<{ cells: SurgeCellView[] }> {
    const cells = await this.cells.all();
    return {
      cells: cells.map((c) => ({
        geohash: c.geohash,
        multiplier: c.multiplier,
        demand: c.demand,
        supply: c.supply,
        updatedAt: c.updatedAt.toISOString(),
      })),
    };
  }
}
