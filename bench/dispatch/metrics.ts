import type { Client } from 'pg';

/** What the comparison measures of one run (times in simulated seconds). */
export interface RunMetrics {
  requested: number;
  matchRatePercent: number;
  waitToPickupS: { p50: number | null; p90: number | null };
  pickupMeters: { mean: number | null; p90: number | null };
  pickupEtaS: { promisedMean: number | null; actualMean: number | null };
  offersPerTrip: number;
  cancelledByRider: number;
  noDriverFound: number;
  completed: number;
  driverTimePercent: { idle: number; enRoute: number; withRider: number };
  tripsPerDriver: { mean: number; stddev: number; gini: number };
}

const round = (x: number | null, digits = 0) =>
  x === null || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;

function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;

/** The Gini coefficient of non-negative counts: 0 when every driver got as many trips. */
export function gini(counts: readonly number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  if (counts.length === 0 || total === 0) return 0;
  const sorted = [...counts].sort((a, b) => a - b);
  const weighted = sorted.reduce((s, c, i) => s + (i + 1) * c, 0);
  return (2 * weighted) / (counts.length * total) - (counts.length + 1) / counts.length;
}

/**
 * Reads one run's outcome from its (fresh) database. `timeScale` turns the server's real
 * timestamps into simulated seconds; `driverMs` is the simulator's tally of driver time.
 */
export async function measure(
  db: Client,
  timeScale: number,
  driverMs: Record<string, number>,
): Promise<RunMetrics> {
  // Trips the simulator cancelled because the run ended are not part of the demand measured.
  const { rows: trips } = await db.query<{
    status: string;
    cancel_reason: string | null;
    driver_id: string | null;
    wait_ms: number | null;
    to_pickup_ms: number | null;
    assigned: boolean;
    offers: number;
  }>(
    `SELECT t.status, t.cancel_reason, t.driver_id,
       extract(epoch FROM t.arrived_at - t.created_at) * 1000 AS wait_ms,
       extract(epoch FROM t.arrived_at - t.assigned_at) * 1000 AS to_pickup_ms,
       t.assigned_at IS NOT NULL AS assigned,
       (SELECT count(*)::int FROM trip_offers o WHERE o.trip_id = t.id) AS offers
     FROM trips t
     WHERE NOT (t.status = 'CANCELLED' AND t.cancel_reason = 'cancelled at shutdown'
                AND t.assigned_at IS NULL)`,
  );
  const { rows: accepted } = await db.query<{ meters: number; eta: number }>(
    `SELECT DISTINCT ON (o.id) (c ->> 'distanceMeters')::float AS meters,
       o.pickup_eta_seconds AS eta
     FROM trip_offers o
     JOIN dispatch_rounds r ON r.trip_id = o.trip_id AND r.round = o.round AND r.outcome = 'OFFERED'
     CROSS JOIN LATERAL jsonb_array_elements(r.candidates) AS c
     WHERE o.status = 'ACCEPTED' AND c ->> 'driverId' = o.driver_id::text`,
  );
  const { rows: drivers } = await db.query<{ id: string }>(`SELECT id FROM drivers`);

  const requested = trips.length;
  const waits = trips.filter((t) => t.wait_ms !== null).map((t) => (t.wait_ms as number) / 1000);
  const toPickup = trips
    .filter((t) => t.to_pickup_ms !== null)
    .map((t) => ((t.to_pickup_ms as number) / 1000) * timeScale);
  const perDriver = new Map(drivers.map((d) => [d.id, 0]));
  for (const t of trips)
    if (t.assigned && t.driver_id)
      perDriver.set(t.driver_id, (perDriver.get(t.driver_id) ?? 0) + 1);
  const counts = [...perDriver.values()];
  const countMean = mean(counts) ?? 0;
  const stddev = Math.sqrt(mean(counts.map((c) => (c - countMean) ** 2)) ?? 0);
  const busy =
    (driverMs['idle'] ?? 0) + (driverMs['en route'] ?? 0) + (driverMs['with rider'] ?? 0);
  const share = (key: string) => round((100 * (driverMs[key] ?? 0)) / Math.max(1, busy), 1) ?? 0;

  return {
    requested,
    matchRatePercent:
      round((100 * trips.filter((t) => t.assigned).length) / Math.max(1, requested), 1) ?? 0,
    waitToPickupS: {
      p50: round(
        quantile(waits, 0.5) === null ? null : (quantile(waits, 0.5) as number) * timeScale,
      ),
      p90: round(
        quantile(waits, 0.9) === null ? null : (quantile(waits, 0.9) as number) * timeScale,
      ),
    },
    pickupMeters: {
      mean: round(mean(accepted.map((a) => a.meters))),
      p90: round(
        quantile(
          accepted.map((a) => a.meters),
          0.9,
        ),
      ),
    },
    pickupEtaS: {
      promisedMean: round(mean(accepted.map((a) => a.eta))),
      actualMean: round(mean(toPickup)),
    },
    offersPerTrip: round(trips.reduce((s, t) => s + t.offers, 0) / Math.max(1, requested), 2) ?? 0,
    cancelledByRider: trips.filter(
      (t) => t.status === 'CANCELLED' && t.cancel_reason === 'cancelled by rider',
    ).length,
    noDriverFound: trips.filter((t) => t.status === 'NO_DRIVER_FOUND').length,
    completed: trips.filter((t) => t.status === 'COMPLETED').length,
    driverTimePercent: {
      idle: share('idle'),
      enRoute: share('en route'),
      withRider: share('with rider'),
    },
    tripsPerDriver: {
      mean: round(countMean, 2) ?? 0,
      stddev: round(stddev, 2) ?? 0,
      gini: round(gini(counts), 3) ?? 0,
    },
  };
}
