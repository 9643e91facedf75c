import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { LatLng } from '@app/contracts';
import type { SimOptions } from './options';
import { Prng } from '@app/domain';
import { Scenario, scenarioNamed } from './scenarios';
import { Stats } from './stats';

export type Phase = 'running' | 'draining' | 'stopped';

/** Fleet mix: drivers are signed up with it, riders ask for cab types with the same weights. */
export const FLEET_MIX = { ECONOMY: 0.7, XL: 0.2, PREMIUM: 0.1 } as const;

/** Everything the bots of one run share: options, counters, the phase, and what riders know. */
export class World {
  readonly stats: Stats;
  readonly city: { center: LatLng; radiusMeters: number };
  /** Unique per run, so a second run on the same database signs up new accounts. */
  readonly runTag = Date.now().toString(36).slice(-6).toUpperCase();
  /** tripId -> pickupCode, filled by the rider bots, read by the driver bots. */
  readonly pickupCodes = new Map<string, string>();
  /** The demand preset, if the run has one. */
  readonly scenario: Scenario | undefined;
  /** tripId -> the driver first seen on it, to catch a trip with two drivers. */
  private readonly tripDrivers = new Map<string, string>();
  private phaseNow: Phase = 'running';
  private readonly phaseChange = new AbortController();
  private readonly stopChange = new AbortController();

  constructor(
    readonly options: SimOptions,
    readonly log: (line: string) => void,
  ) {
    this.stats = new Stats(log);
    this.city = { center: options.city, radiusMeters: options.radiusKm * 1000 };
    this.scenario = options.scenario && scenarioNamed(options.scenario);
    // Every sleeping bot listens to these two signals.
    setMaxListeners(0, this.phaseChange.signal, this.stopChange.signal);
  }

  get phase(): Phase {
    return this.phaseNow;
  }

  setPhase(phase: 'draining' | 'stopped'): void {
    if (phase === this.phaseNow || this.phaseNow === 'stopped') return;
    this.phaseNow = phase;
    if (!this.phaseChange.signal.aborted) this.phaseChange.abort();
    if (phase === 'stopped') this.stopChange.abort();
  }

  /** Simulated seconds since the traffic started (`--time-scale` per real second). */
  simNowS(): number {
    return ((Date.now() - this.stats.trafficStartedAtMs) / 1000) * this.options.timeScale;
  }

  /** Real milliseconds that `simS` simulated seconds take. */
  realMs(simS: number): number {
    return (simS * 1000) / this.options.timeScale;
  }

  /** The PRNG stream of one bot, e.g. `rng('driver', 7)`. */
  rng(kind: 'fleet' | 'driver' | 'offers' | 'rider' | 'shift', index: number): Prng {
    const offset = {
      fleet: 0,
      driver: 1_000_000,
      offers: 1_500_000,
      rider: 2_000_000,
      shift: 2_500_000,
    }[kind];
    return new Prng(this.options.seed).fork(offset + index);
  }

  /** Sleeps `ms`; wakes early (false) once the run leaves `running` (or `stopped` if asked). */
  async sleep(ms: number, wakeOn: 'draining' | 'stopped' = 'draining'): Promise<boolean> {
    const signal = wakeOn === 'draining' ? this.phaseChange.signal : this.stopChange.signal;
    if (signal.aborted) return false;
    try {
      await delay(Math.max(0, ms), undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }

  /** Records who drives a trip; a second, different driver on the same trip breaks the run. */
  seeDriverOnTrip(tripId: string, driverId: string, source: string): void {
    const known = this.tripDrivers.get(tripId);
    if (known === undefined) this.tripDrivers.set(tripId, driverId);
    else if (known !== driverId) {
      this.stats.violation(
        `trip ${tripId} has two drivers: ${known} and then ${driverId} (seen in ${source})`,
      );
    }
  }
}
