import { Inject, Injectable, Logger } from '@nestjs/common';
import { TripStatus } from '@app/contracts';
import { geohashOf } from '@app/geo';
import { Clock, CLOCK } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DriversService } from '../drivers/drivers.service';
import { LocationsService } from '../locations/locations.service';
import { TripRecord } from '../trips/trip.model';
import { TripsService } from '../trips/trips.service';
import { BatchRequest, solveBatch } from './batch-builder';
import { BatchRepository } from './batch.repository';
import { Round, scoreRound } from './candidates';
import { DispatchService } from './dispatch.service';
import { OfferMaker } from './offer-maker';
import { OffersRepository } from './offers.repository';

/** Candidates logged per trip and round (the nearest); the offered one is always among them. */
const LOGGED_PER_ROUND = 10;

/** Nearest free drivers fetched per trip: more when many trips compete for the same cars. */
export function candidatesPerTrip(tripsInRegion: number): number {
  return Math.min(100, Math.max(10, 2 * tripsInRegion + 10));
}

/** A region is a partition of the location index: the first character of the pickup's geohash. */
export const regionOf = (lat: number, lng: number): string => geohashOf(lat, lng, 1);

interface Waiting {
  trip: TripRecord;
  offered: ReadonlySet<string>;
  round: number;
}

export interface WindowReport {
  waiting: number;
  regions: number;
  proposed: number;
  offered: number;
  solveMs: number;
}

/**
 * Batched dispatch's window (MATCH_STRATEGY=batched): every MATCH_BATCH_WINDOW_MS, once for the
 * whole city (a city duty under a lease), collect the REQUESTED trips waiting for an offer and
 * the free drivers near them, region by region, solve the assignment (`solveBatch`: pickup ETA,
 * pairs beyond the widest search radius pruned), and offer each matched pair through
 * `OfferMaker`, the same claimable offer sequential dispatch makes. A pair the indexes refuse
 * (the driver got another offer meanwhile) and a trip left unmatched wait for the next window.
 */
@Injectable()
export class BatchWindowService {
  private readonly logger = new Logger(BatchWindowService.name);

  constructor(
    private readonly batchRecords: BatchRepository,
    private readonly offerRecords: OffersRepository,
    private readonly trips: TripsService,
    private readonly dispatch: DispatchService,
    private readonly locations: LocationsService,
    private readonly drivers: DriversService,
    private readonly offers: OfferMaker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(): Promise<WindowReport> {
    const report: WindowReport = { waiting: 0, regions: 0, proposed: 0, offered: 0, solveMs: 0 };
    // Oldest first, at most 500 (the read's limit); the rest wait for the next window.
    const requested = await this.trips.findStale(
      [TripStatus.REQUESTED],
      new Date(this.clock.now() + 1),
    );
    if (requested.length === 0) return report;
    const progress = await this.batchRecords.progressOf(requested.map((t) => t.id));
    const regions = new Map<string, Waiting[]>();
    for (const trip of requested) {
      const p = progress.get(trip.id);
      // An open offer is answered, or expires through its timer (or the sweeper), first.
      if (!p || p.hasPending) continue;
      if (await this.dispatch.giveUpIfDue(trip, p.offeredDriverIds.size)) continue;
      const region = regionOf(trip.pickup.lat, trip.pickup.lng);
      let waiting = regions.get(region);
      if (!waiting) regions.set(region, (waiting = []));
      waiting.push({ trip, offered: p.offeredDriverIds, round: p.rounds + 1 });
      report.waiting += 1;
    }
    for (const waiting of regions.values()) await this.runRegion(waiting, report);
    report.regions = regions.size;
    return report;
  }

  private async runRegion(waiting: Waiting[], report: WindowReport): Promise<void> {
    const { radiiMeters } = this.config.matching;
    const maxRadiusMeters = radiiMeters[radiiMeters.length - 1];
    const k = candidatesPerTrip(waiting.length);
    const near = waiting.map((w) =>
      this.locations.findAvailable(w.trip.pickup.lat, w.trip.pickup.lng, {
        k,
        radiusMeters: maxRadiusMeters,
        cabType: w.trip.cabType,
        excludeIds: w.offered,
        withoutOffer: true,
      }),
    );
    // A driver holding an offer is no candidate, as in sequential dispatch; PostgreSQL says so
    // where the index may not (see `committedAmong`).
    const committed = await this.batchRecords.committedAmong([
      ...new Set(near.flat().map((f) => f.driverId)),
    ]);
    const found = near.map((f) => f.filter((d) => !committed.has(d.driverId)));
    const driverIds = [...new Set(found.flat().map((f) => f.driverId))];
    const scores = await this.drivers.findScores(driverIds);
    const rounds = found.map((f) => scoreRound(f, scores, this.config.eta));

    const started = process.hrtime.bigint();
    const requests: BatchRequest[] = waiting.map((w, i) => ({
      tripId: w.trip.id,
      candidates: rounds[i].ranked.map((c) => ({
        driverId: c.driverId,
        pickupEtaSeconds: c.pickupEtaSeconds,
        distanceMeters: (rounds[i].logged.get(c.driverId) as { distanceMeters: number })
          .distanceMeters,
      })),
    }));
    const pairs = new Map(solveBatch(requests, { maxRadiusMeters }).map((p) => [p.tripId, p]));
    report.solveMs += Number(process.hrtime.bigint() - started) / 1e6;
    report.proposed += pairs.size;

    for (const [i, w] of waiting.entries()) {
      const round = rounds[i];
      const pair = pairs.get(w.trip.id);
      const scored = pair && round.ranked.find((c) => c.driverId === pair.driverId);
      let outcome = found[i].length === 0 ? 'NO_CANDIDATES' : 'ALL_BUSY';
      if (pair && scored) {
        const entry = round.logged.get(pair.driverId);
        const offer = await this.offers.create(w.trip.id, pair.driverId, w.round, scored);
        if (offer) {
          if (entry) entry.decision = 'OFFERED';
          await this.offers.announce(w.trip, offer);
          outcome = 'OFFERED';
          report.offered += 1;
        } else if (entry) entry.decision = 'BUSY_WITH_ANOTHER_OFFER';
      }
      await this.offerRecords.recordRound({
        tripId: w.trip.id,
        round: w.round,
        radiusMeters: maxRadiusMeters,
        candidates: loggedCandidates(round, pair?.driverId),
        outcome,
      });
    }
    if (report.offered > 0) this.logger.debug({ ...report }, 'batch window');
  }
}

/** The nearest few candidates of a round, and the one offered if it is farther. */
function loggedCandidates(round: Round, offeredId: string | undefined) {
  const all = [...round.logged.values()];
  const kept = all.slice(0, LOGGED_PER_ROUND);
  const offered = offeredId && round.logged.get(offeredId);
  if (offered && !kept.includes(offered)) kept.push(offered);
  return kept;
}
