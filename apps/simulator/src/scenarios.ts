import type { LatLng } from '@app/contracts';
import type { Prng } from '@app/domain';
import { destination } from './geo';

export const SCENARIO_NAMES = ['normal', 'rush-hour', 'scarce', 'event'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * A named, seeded preset of demand and supply over the same population. Times are simulated
 * seconds (`--time-scale` of them pass per real second); rates are per rider per simulated hour.
 * The rates are set for the compare command's short runs (150 riders, 40 drivers, a 3 km city,
 * trips of 1-4 km at 19 km/h, about 10 simulated minutes: a driver serves about one trip in
 * that time): normal asks for well under one trip per driver, scarce for several.
 */
export interface Scenario {
  name: ScenarioName;
  /** What it models, for the report. */
  description: string;
  /** Poisson intensity of one rider's requests at `t` of a run of `durationS`. */
  requestsPerRiderHour(t: number, durationS: number): number;
  /** Share of the requests at `t` whose pickup is in the event cell (the stadium). */
  eventShare(t: number, durationS: number): number;
  /** A rider not yet assigned after this long (drawn per request) cancels. */
  patienceS: readonly [number, number];
  /** Trip length (pickup to dropoff), metres. */
  tripMeters: readonly [number, number];
  /** Mean time a driver stays available between breaks, and a break's mean length. */
  driverOnlineMeanS: number;
  driverBreakMeanS: number;
}

/** `phase(t)` is 1 inside [from, to) of the run, as shares of its duration. */
const within = (t: number, durationS: number, from: number, to: number) =>
  t >= from * durationS && t < to * durationS;

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  normal: {
    name: 'normal',
    description: 'plenty of idle drivers: about 30 requests for 40 drivers',
    requestsPerRiderHour: () => 1.2,
    eventShare: () => 0,
    patienceS: [300, 600],
    tripMeters: [1_000, 4_000],
    driverOnlineMeanS: 3_600,
    driverBreakMeanS: 300,
  },
  'rush-hour': {
    name: 'rush-hour',
    description: 'demand rises to about the fleet for the middle half of the run',
    requestsPerRiderHour: (t, d) => (within(t, d, 0.2, 0.75) ? 5.6 : 2),
    eventShare: () => 0,
    patienceS: [240, 480],
    tripMeters: [1_000, 4_000],
    driverOnlineMeanS: 3_600,
    driverBreakMeanS: 300,
  },
  scarce: {
    name: 'scarce',
    description: 'demand above supply all along: several requests per driver',
    requestsPerRiderHour: () => 8,
    eventShare: () => 0,
    patienceS: [240, 480],
    tripMeters: [1_000, 4_000],
    driverOnlineMeanS: 2_400,
    driverBreakMeanS: 300,
  },
  event: {
    name: 'event',
    description: 'a stadium empties: a burst of requests from one cell for a tenth of the run',
    requestsPerRiderHour: (t, d) => (within(t, d, 0.3, 0.4) ? 30 : 1.2),
    eventShare: (t, d) => (within(t, d, 0.3, 0.4) ? 0.85 : 0),
    patienceS: [180, 420],
    tripMeters: [1_000, 4_000],
    driverOnlineMeanS: 3_600,
    driverBreakMeanS: 300,
  },
};

export function scenarioNamed(name: string): Scenario | undefined {
  return (SCENARIOS as Record<string, Scenario>)[name];
}

/**
 * The gap to a rider's next request, by thinning a Poisson process whose intensity changes
 * over the run: candidates at the peak rate, each kept with probability rate(t) / peak.
 * Returns simulated seconds from `t`, or null when no request falls before the end.
 */
export function nextRequestGapS(
  scenario: Scenario,
  t: number,
  durationS: number,
  rng: Prng,
): number | null {
  const peak = peakRate(scenario, durationS);
  if (peak <= 0) return null;
  let at = t;
  for (let i = 0; i < 10_000; i += 1) {
    at += -Math.log(1 - rng.next()) * (3_600 / peak);
    if (at >= durationS) return null;
    if (rng.next() * peak < scenario.requestsPerRiderHour(at, durationS)) return at - t;
  }
  return null;
}

function peakRate(scenario: Scenario, durationS: number): number {
  let peak = 0;
  for (let i = 0; i <= 100; i += 1)
    peak = Math.max(peak, scenario.requestsPerRiderHour((i / 100) * durationS, durationS));
  return peak;
}

/** An exponential draw of mean `meanS` (a driver's time online, or a break). */
export function exponentialS(meanS: number, rng: Prng): number {
  return -Math.log(1 - rng.next()) * meanS;
}

/** The stadium: a fixed point 2 km north-east of the centre; pickups within 150 m of it. */
export function eventPickup(center: LatLng, rng: Prng): LatLng {
  const stadium = destination(center, 2_000, 45);
  return destination(stadium, rng.between(0, 150), rng.between(0, 360));
}
