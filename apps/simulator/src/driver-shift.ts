import type { Prng } from '@app/domain';
import { exponentialS } from './scenarios';
import type { World } from './world';

export type DriverState = 'offline' | 'idle' | 'en route' | 'with rider';

/** What a driver is doing, from its status and the leg of its trip. */
export function driverState(online: boolean, leg: string | undefined): DriverState {
  if (!online) return 'offline';
  if (!leg) return 'idle';
  return leg === 'toPickup' || leg === 'waiting' ? 'en route' : 'with rider';
}

/**
 * A driver's shift in a scenario: breaks (AVAILABLE for an exponential while, then OFFLINE
 * for one) and the tally of driver time by state, for the comparison's time shares.
 */
export class DriverShift {
  private breakUntilMs = 0;
  private nextBreakAtMs = Infinity;
  private lastTallyMs = Date.now();

  constructor(
    private readonly world: World,
    private readonly rng: Prng,
  ) {}

  /** The drive starts: the tally runs from now, and the first break is planned. */
  begin(): void {
    this.lastTallyMs = Date.now();
    this.planBreak();
  }

  /** Adds the time since the last call to `state` (only while the run is running). */
  tally(state: DriverState): void {
    const now = Date.now();
    const ms = now - this.lastTallyMs;
    this.lastTallyMs = now;
    if (this.world.phase === 'running') this.world.stats.driverMs.add(state, ms);
  }

  /**
   * What the driver does about breaks at this tick: `start` one (go OFFLINE), `end` it (go
   * AVAILABLE), stay `on` it, or `work`. Only an idle driver (`canBreak`) starts a break.
   */
  next(canBreak: boolean): 'start' | 'end' | 'on' | 'work' {
    const scenario = this.world.scenario;
    if (!scenario || this.world.phase !== 'running') return 'work';
    const now = Date.now();
    if (this.breakUntilMs > 0) {
      if (now < this.breakUntilMs) return 'on';
      this.breakUntilMs = 0;
      this.planBreak();
      return 'end';
    }
    if (now < this.nextBreakAtMs || !canBreak) return 'work';
    this.breakUntilMs = now + this.world.realMs(exponentialS(scenario.driverBreakMeanS, this.rng));
    this.world.stats.events.add('driver breaks (scenario)');
    return 'start';
  }

  private planBreak(): void {
    const scenario = this.world.scenario;
    if (!scenario) return;
    this.nextBreakAtMs =
      Date.now() + this.world.realMs(exponentialS(scenario.driverOnlineMeanS, this.rng));
  }
}
