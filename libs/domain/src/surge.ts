import * as ngeohash from 'ngeohash';
import { haversineMeters } from '@app/geo';

/**
 * Surge per geohash cell, as a pure function of one period's demand, supply and the previous
 * period's state. Precision 6 cells are about 1.2 km x 0.6 km: a few minutes' walk across, so
 * a rider never sees a different price by crossing a street, and small enough that a stadium
 * emptying does not raise prices across the whole district (precision 5, ~5 km, would).
 *
 * One period, in order:
 *  1. demand_c  = distinct riders who asked for a quote or requested a trip in the cell;
 *  2. supply_c  = effective supply: each available driver is one unit shared among the cells
 *                 (with demand, or next to demand) whose centre is within `supplyRadiusMeters`,
 *                 in proportion to (1 - distance / radius)^2, so a driver between two busy
 *                 cells counts half in each instead of once in both, and one at a cell's centre
 *                 counts mostly there (~0.7 at precision 6);
 *  3. p_c       = demand_c / (supply_c + 1), the pressure (the +1 keeps one rider and no driver
 *                 from being infinite);
 *  4. spatial   = (1 - neighbourWeight) x p_c + neighbourWeight x mean of the 8 neighbours' p;
 *  5. temporal  = EWMA: alpha x spatial + (1 - alpha) x previous pressure (0 for a new cell);
 *  6. target    = 1 + sensitivity x (pressure - 1), floored to `step`, within [1, cap];
 *  7. hysteresis: a higher target applies at once; a lower one only once it has been lower for
 *                 `fallPeriods` periods in a row, so prices do not flicker period to period.
 */
export interface SurgeParams {
  precision: number;
  supplyRadiusMeters: number;
  neighbourWeight: number;
  ewmaAlpha: number;
  sensitivity: number;
  cap: number;
  step: number;
  fallPeriods: number;
}

export const DEFAULT_SURGE_PARAMS: SurgeParams = {
  precision: 6,
  supplyRadiusMeters: 1_000,
  neighbourWeight: 0.3,
  ewmaAlpha: 0.5,
  sensitivity: 0.25,
  cap: 3,
  step: 0.1,
  fallPeriods: 2,
};

export interface SurgeCellState {
  geohash: string;
  demand: number;
  /** Effective supply, fractional. */
  supply: number;
  /** The smoothed pressure (after step 5), carried to the next period. */
  pressure: number;
  multiplier: number;
  /** Consecutive periods whose target was below `multiplier`. */
  periodsBelow: number;
}

export interface SurgeInput {
  demand: readonly { riderId: string; lat: number; lng: number }[];
  drivers: readonly { id: string; lat: number; lng: number }[];
  previous: ReadonlyMap<string, SurgeCellState>;
}

/** Cells below this pressure, with no demand, no supply and no surge, are dropped. */
const NEGLIGIBLE = 0.01;

export function surgeCellOf(lat: number, lng: number, precision = DEFAULT_SURGE_PARAMS.precision) {
  return ngeohash.encode(lat, lng, precision);
}

export function surgeCellCentre(geohash: string): { lat: number; lng: number } {
  const { latitude, longitude } = ngeohash.decode(geohash);
  return { lat: latitude, lng: longitude };
}

/** A multiplier on the step grid within [1, cap]. */
export function surgeTarget(pressure: number, params: SurgeParams = DEFAULT_SURGE_PARAMS): number {
  const raw = 1 + params.sensitivity * Math.max(0, pressure - 1);
  const steps = Math.floor((raw - 1) / params.step + 1e-9);
  return Math.min(params.cap, round2(1 + steps * params.step));
}

export function computeSurge(
  input: SurgeInput,
  params: SurgeParams = DEFAULT_SURGE_PARAMS,
): SurgeCellState[] {
  const riders = new Map<string, Set<string>>();
  for (const d of input.demand) {
    const cell = surgeCellOf(d.lat, d.lng, params.precision);
    let set = riders.get(cell);
    if (!set) riders.set(cell, (set = new Set()));
    set.add(d.riderId);
  }

  // Cells to compute: demand, the neighbours of demand (they take part in supply sharing and
  // smoothing), and every cell still carrying state from the last period (so it can fall back).
  const cells = new Set<string>();
  for (const cell of riders.keys()) {
    cells.add(cell);
    for (const n of ngeohash.neighbors(cell)) cells.add(n);
  }
  for (const [cell, state] of input.previous) {
    if (state.multiplier > 1 || state.pressure >= NEGLIGIBLE) cells.add(cell);
  }

  const centres = new Map<string, { lat: number; lng: number }>();
  for (const cell of cells) {
    const c = ngeohash.decode(cell);
    centres.set(cell, { lat: c.latitude, lng: c.longitude });
  }

  const supply = new Map<string, number>();
  const reach: { cell: string; weight: number }[] = [];
  for (const driver of input.drivers) {
    reach.length = 0;
    let total = 0;
    for (const [cell, centre] of centres) {
      const d = haversineMeters(driver.lat, driver.lng, centre.lat, centre.lng);
      if (d >= params.supplyRadiusMeters) continue;
      const weight = (1 - d / params.supplyRadiusMeters) ** 2;
      reach.push({ cell, weight });
      total += weight;
    }
    for (const r of reach) supply.set(r.cell, (supply.get(r.cell) ?? 0) + r.weight / total);
  }

  const raw = new Map<string, number>();
  for (const cell of cells) {
    raw.set(cell, (riders.get(cell)?.size ?? 0) / ((supply.get(cell) ?? 0) + 1));
  }

  const out: SurgeCellState[] = [];
  for (const cell of cells) {
    const neighbours = ngeohash.neighbors(cell);
    let sum = 0;
    for (const n of neighbours) sum += raw.get(n) ?? 0;
    const spatial =
      (1 - params.neighbourWeight) * (raw.get(cell) as number) +
      params.neighbourWeight * (sum / neighbours.length);
    const before = input.previous.get(cell);
    const pressure = params.ewmaAlpha * spatial + (1 - params.ewmaAlpha) * (before?.pressure ?? 0);
    const target = surgeTarget(pressure, params);
    const current = before?.multiplier ?? 1;
    let multiplier = target;
    let periodsBelow = 0;
    if (target < current) {
      periodsBelow = (before?.periodsBelow ?? 0) + 1;
      if (periodsBelow < params.fallPeriods) multiplier = current;
      else periodsBelow = 0;
    }
    const demand = riders.get(cell)?.size ?? 0;
    const cellSupply = supply.get(cell) ?? 0;
    if (demand === 0 && cellSupply === 0 && multiplier === 1 && pressure < NEGLIGIBLE) continue;
    out.push({
      geohash: cell,
      demand,
      supply: round2(cellSupply),
      pressure: Math.round(pressure * 10_000) / 10_000,
      multiplier,
      periodsBelow,
    });
  }
  return out.sort((a, b) => b.multiplier - a.multiplier || a.geohash.localeCompare(b.geohash));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
