/**
 * After a run: per trip, the time from the request to the first offer, from PostgreSQL (both
 * timestamps on the server's clock), plus how dispatch got there (BullMQ job timings, radius,
 * busy candidates skipped); then the run's summary and the printed tables.
 */
import { fmt, median, Quantiles, quantiles, table } from './common';
import { LoadResult } from './load';
import { withClient } from '../support/services';
import { BENCH_DB_URL, firstJobTimings } from './seed';

export interface TripOutcome {
  tripId: string;
  cabType: string;
  status: string;
  /** trips.created_at (now() of the insert transaction) to min(trip_offers.offered_at). */
  offerMs: number | null;
  /** trips.created_at and the first offer's offered_at, epoch ms (server host clock). */
  createdEpochMs: number;
  offerEpochMs: number | null;
  firstRadius: number | null;
  busySkipped: number;
  emptyRounds: number;
}

interface OutcomeRow {
  id: string;
  cab_type: string;
  status: string;
  offer_ms: number | null;
  created_ms: number;
  offered_ms: number | null;
  radius: number | null;
  busy: string;
  empty_rounds: string;
}

export async function tripOutcomes(tripIds: readonly string[]): Promise<TripOutcome[]> {
  if (tripIds.length === 0) return [];
  const { rows } = await withClient(BENCH_DB_URL, (client) =>
    client.query<OutcomeRow>(
      `WITH t AS (SELECT id, cab_type, status, created_at FROM trips WHERE id = ANY($1::uuid[])),
       f AS (
         SELECT DISTINCT ON (o.trip_id) o.trip_id, o.offered_at, o.round
         FROM trip_offers o JOIN t ON t.id = o.trip_id
         ORDER BY o.trip_id, o.offered_at
       )
       SELECT t.id, t.cab_type, t.status,
         (extract(epoch FROM (f.offered_at - t.created_at)) * 1000)::float8 AS offer_ms,
         (extract(epoch FROM t.created_at) * 1000)::float8 AS created_ms,
         (extract(epoch FROM f.offered_at) * 1000)::float8 AS offered_ms,
         (SELECT r.radius_meters FROM dispatch_rounds r
           WHERE r.trip_id = t.id AND r.round = f.round AND r.outcome = 'OFFERED' LIMIT 1) AS radius,
         (SELECT count(*) FROM dispatch_rounds r, jsonb_array_elements(r.candidates) c
           WHERE r.trip_id = t.id AND r.round = f.round
             AND c->>'decision' = 'BUSY_WITH_ANOTHER_OFFER') AS busy,
         (SELECT count(*) FROM dispatch_rounds r
           WHERE r.trip_id = t.id AND r.outcome = 'NO_CANDIDATES'
             AND (f.offered_at IS NULL OR r.created_at < f.offered_at)) AS empty_rounds
       FROM t LEFT JOIN f ON f.trip_id = t.id`,
      [tripIds],
    ),
  );
  return rows.map((r) => ({
    tripId: r.id,
    cabType: r.cab_type,
    status: r.status,
    offerMs: r.offer_ms === null ? null : Number(r.offer_ms),
    createdEpochMs: Number(r.created_ms),
    offerEpochMs: r.offered_ms === null ? null : Number(r.offered_ms),
    firstRadius: r.radius === null ? null : Number(r.radius),
    busySkipped: Number(r.busy),
    emptyRounds: Number(r.empty_rounds),
  }));
}

/** Trips of `tripIds` that have no offer yet. */
export async function tripsWithoutOffer(tripIds: readonly string[]): Promise<number> {
  if (tripIds.length === 0) return 0;
  const { rows } = await withClient(BENCH_DB_URL, (client) =>
    client.query<{ n: string }>(
      `SELECT count(*) AS n FROM unnest($1::uuid[]) AS t(id)
       WHERE NOT EXISTS (SELECT 1 FROM trip_offers o WHERE o.trip_id = t.id)`,
      [tripIds],
    ),
  );
  return Number(rows[0].n);
}

export interface Resources {
  serverCpu: number;
  pgCpu: number;
  benchCpu: number;
  otherCpu: number;
  serverRssMb: number;
  load1Before: number;
  load1After: number;
}

export interface RunSummary {
  scenario: string;
  run: string;
  sent: number;
  created: number;
  httpErrors: Record<string, number>;
  tripsPerSecond: number;
  maxSendLagMs: number;
  offer: Quantiles;
  /** Offer latency of trips requested before / after the first offers could expire. */
  offerEarly: Quantiles;
  offerLate: Quantiles;
  http: Quantiles;
  offeredWithin1s: number;
  offeredEver: number;
  withoutOffer: number;
  stillRequested: number;
  /** trips.created_at to the matching job's add (the rest of the request transaction). */
  toQueue: Quantiles;
  /** Job added to picked up by a worker. */
  queueWait: Quantiles;
  /** Job picked up to the first offer's offered_at (trips offered in their first step). */
  stepToOffer: Quantiles;
  firstRadius2kmShare: number;
  busySkipsPerTrip: number;
  emptyRounds: number;
  resources: Resources;
}

export async function summarize(
  scenario: string,
  run: string,
  load: LoadResult,
  ratePerSecond: number,
  offerTimeoutMs: number,
  resources: Resources,
): Promise<RunSummary> {
  const ok = load.requests.filter((r) => r.tripId !== undefined);
  const ids = ok.map((r) => r.tripId as string);
  const outcomes = await tripOutcomes(ids);
  const timings = await firstJobTimings(ids);
  const httpErrors: Record<string, number> = {};
  for (const r of load.requests) {
    if (r.tripId !== undefined) continue;
    const key = r.status === 0 ? (r.error ?? 'no answer') : String(r.status);
    httpErrors[key] = (httpErrors[key] ?? 0) + 1;
  }
  const offered = outcomes.filter((o) => o.offerMs !== null);
  const offerMs = offered.map((o) => o.offerMs as number);
  const firstCreated = Math.min(...outcomes.map((o) => o.createdEpochMs));
  const early = (o: TripOutcome) => o.createdEpochMs < firstCreated + offerTimeoutMs;
  const offerEarly = offered.filter(early).map((o) => o.offerMs as number);
  const offerLate = offered.filter((o) => !early(o)).map((o) => o.offerMs as number);
  const firstSend = load.requests[0]?.sentEpochMs ?? load.startedEpochMs;
  const sendSeconds = (load.lastSendEpochMs - firstSend) / 1000 + 1 / ratePerSecond;
  // Server, PostgreSQL and Redis share this host's clock: the job timestamps (Date.now() in
  // the server) and the SQL timestamps can be subtracted.
  const toQueue: number[] = [];
  const queueWait: number[] = [];
  const stepToOffer: number[] = [];
  for (const o of outcomes) {
    const t = timings.get(o.tripId);
    if (!t) continue;
    toQueue.push(t.addedMs - o.createdEpochMs);
    if (Number.isFinite(t.processedMs)) queueWait.push(t.processedMs - t.addedMs);
    if (o.offerEpochMs !== null && Number.isFinite(t.processedMs) && o.emptyRounds === 0) {
      stepToOffer.push(o.offerEpochMs - t.processedMs);
    }
  }
  return {
    scenario,
    run,
    sent: load.requests.length,
    created: ok.length,
    httpErrors,
    tripsPerSecond: ok.length / sendSeconds,
    maxSendLagMs: load.maxSendLagMs,
    offer: quantiles(offerMs),
    offerEarly: quantiles(offerEarly),
    offerLate: quantiles(offerLate),
    http: quantiles(load.requests.filter((r) => r.status > 0).map((r) => r.httpMs)),
    offeredWithin1s: offerMs.filter((ms) => ms <= 1000).length / Math.max(1, ok.length),
    offeredEver: offered.length / Math.max(1, ok.length),
    withoutOffer: ok.length - offered.length,
    stillRequested: outcomes.filter((o) => o.status === 'REQUESTED').length,
    toQueue: quantiles(toQueue),
    queueWait: quantiles(queueWait),
    stepToOffer: quantiles(stepToOffer),
    firstRadius2kmShare:
      offered.filter((o) => o.firstRadius === 2000).length / Math.max(1, offered.length),
    busySkipsPerTrip: offered.reduce((s, o) => s + o.busySkipped, 0) / Math.max(1, offered.length),
    emptyRounds: outcomes.reduce((s, o) => s + o.emptyRounds, 0),
    resources,
  };
}

function q(values: Quantiles): string[] {
  return [fmt(values.p50, 1), fmt(values.p95, 1), fmt(values.p99, 1), fmt(values.max, 1)];
}

/** The median, over runs, of every number a row shows (the row labelled `median`). */
export function medianRow(runs: readonly RunSummary[]): RunSummary {
  const m = (pick: (s: RunSummary) => number) => median(runs.map(pick));
  const mq = (pick: (s: RunSummary) => Quantiles): Quantiles => ({
    n: m((s) => pick(s).n),
    p50: m((s) => pick(s).p50),
    p95: m((s) => pick(s).p95),
    p99: m((s) => pick(s).p99),
    max: m((s) => pick(s).max),
  });
  const first = runs[0];
  return {
    ...first,
    run: 'median',
    sent: m((s) => s.sent),
    created: m((s) => s.created),
    httpErrors: {},
    tripsPerSecond: m((s) => s.tripsPerSecond),
    maxSendLagMs: m((s) => s.maxSendLagMs),
    offer: mq((s) => s.offer),
    offerEarly: mq((s) => s.offerEarly),
    offerLate: mq((s) => s.offerLate),
    http: mq((s) => s.http),
    offeredWithin1s: m((s) => s.offeredWithin1s),
    offeredEver: m((s) => s.offeredEver),
    withoutOffer: m((s) => s.withoutOffer),
    stillRequested: m((s) => s.stillRequested),
    toQueue: mq((s) => s.toQueue),
    queueWait: mq((s) => s.queueWait),
    stepToOffer: mq((s) => s.stepToOffer),
    firstRadius2kmShare: m((s) => s.firstRadius2kmShare),
    busySkipsPerTrip: m((s) => s.busySkipsPerTrip),
    emptyRounds: m((s) => s.emptyRounds),
    resources: {
      serverCpu: m((s) => s.resources.serverCpu),
      pgCpu: m((s) => s.resources.pgCpu),
      benchCpu: m((s) => s.resources.benchCpu),
      otherCpu: m((s) => s.resources.otherCpu),
      serverRssMb: m((s) => s.resources.serverRssMb),
      load1Before: m((s) => s.resources.load1Before),
      load1After: m((s) => s.resources.load1After),
    },
  };
}

const pct = (share: number) => `${fmt(share * 100, 1)}%`;

export function latencyTable(rows: readonly RunSummary[]): string {
  return table(
    [
      'scenario',
      'run',
      'trips',
      'trips/s',
      'offered',
      '<=1s',
      'offer p50',
      'p95',
      'p99',
      'max',
      'http p50',
      'p95',
      'p99',
      'max',
    ],
    rows.map((s) => [
      s.scenario,
      s.run,
      `${fmt(s.created)}/${fmt(s.sent)}`,
      fmt(s.tripsPerSecond, 1),
      pct(s.offeredEver),
      pct(s.offeredWithin1s),
      ...q(s.offer),
      ...q(s.http),
    ]),
  );
}

export function breakdownTable(rows: readonly RunSummary[], offerTimeoutMs: number): string {
  const split = `${fmt(offerTimeoutMs / 1000)}s`;
  return table(
    [
      'scenario',
      'run',
      `p99 t<${split}`,
      `t>=${split}`,
      'to queue p50',
      'p99',
      'queue wait p50',
      'p99',
      'step>offer p50',
      'p99',
      '2km',
      'busy/trip',
      'no-cand',
      'srv CPU%',
      'RSS MB',
      'pg CPU%',
      'bench CPU%',
      'other CPU%',
      'load1 before>after',
    ],
    rows.map((s) => [
      s.scenario,
      s.run,
      fmt(s.offerEarly.p99, 1),
      fmt(s.offerLate.p99, 1),
      fmt(s.toQueue.p50, 1),
      fmt(s.toQueue.p99, 1),
      fmt(s.queueWait.p50, 1),
      fmt(s.queueWait.p99, 1),
      fmt(s.stepToOffer.p50, 1),
      fmt(s.stepToOffer.p99, 1),
      pct(s.firstRadius2kmShare),
      fmt(s.busySkipsPerTrip, 2),
      fmt(s.emptyRounds),
      fmt(s.resources.serverCpu),
      fmt(s.resources.serverRssMb),
      fmt(s.resources.pgCpu),
      fmt(s.resources.benchCpu),
      fmt(s.resources.otherCpu),
      `${fmt(s.resources.load1Before, 2)}>${fmt(s.resources.load1After, 2)}`,
    ]),
  );
}
