const WINDOW_SECONDS = 10;
/** The ten whole seconds, plus the one still filling. */
const SLOTS = WINDOW_SECONDS + 1;

/**
 * Accepted pings per second over the last ten whole seconds, in eleven counters: this
 * process's pings, plus those other processes report in their stream entries, so every
 * process shows the city's rate.
 */
export class PingRate {
  private readonly counts = new Float64Array(SLOTS);
  private readonly seconds = new Float64Array(SLOTS).fill(-1);

  record(nowMs: number, count = 1): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % SLOTS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] += count;
  }

  /** The mean over the ten seconds before the current one (which is still filling). */
  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let total = 0;
    for (let i = 0; i < SLOTS; i += 1) {
      const age = current - this.seconds[i];
      if (age >= 1 && age <= WINDOW_SECONDS) total += this.counts[i];
    }
    return Math.round((total / WINDOW_SECONDS) * 10) / 10;
  }
}
