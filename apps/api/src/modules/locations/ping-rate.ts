const WINDOW_SECONDS = 10;

/** Accepted pings per second over the last ten whole seconds, in ten counters. */
export class PingRate {
  private readonly counts = new Float64Array(WINDOW_SECONDS);
  private readonly seconds = new Float64Array(WINDOW_SECONDS).fill(-1);

  record(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] += 1;
  }

  /** The mean over the ten seconds before the current one (which is still filling). */
  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let total = 0;
    for (let i = 0; i < WINDOW_SECONDS; i += 1) {
      const age = current - this.seconds[i];
      if (age >= 1 && age <= WINDOW_SECONDS) total += this.counts[i];
    }
    return Math.round((total / WINDOW_SECONDS) * 10) / 10;
  }
}
