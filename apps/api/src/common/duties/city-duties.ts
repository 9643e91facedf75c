import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { LEASE, PROCESS_ID } from './duties.tokens';
import type { Lease } from './lease';

/** Work that must run once for the whole city, every `everyMs` (a sweep, a recompute). */
export interface CityDuty {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/**
 * Runs city-wide duties once per city, not once per process: every worker process keeps a timer
 * per duty (safe with N processes: only the holder of the duty's lease runs it), and the lease
 * passes to another worker when its holder dies. The schedule lives in each worker's memory and
 * the lease in Redis, so nothing is lost when Redis restarts empty: the next tick takes the
 * lease again. A run never overlaps the previous one on this process.
 */
@Injectable()
export class CityDuties implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CityDuties.name);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  /** Duties this process has run, whose leases it gives up on shutdown. */
  private readonly held = new Set<string>();
  private stopped = false;

  constructor(
    @Inject(LEASE) private readonly lease: Lease,
    @Inject(PROCESS_ID) private readonly processId: string,
  ) {}

  /** Starts running `duty` (call from a worker-role bootstrap). */
  start(duty: CityDuty): void {
    if (this.timers.has(duty.name) || this.stopped) return;
    const timer = setInterval(() => void this.tick(duty), duty.everyMs);
    timer.unref();
    this.timers.set(duty.name, timer);
  }

  /** One tick of one duty: run it if this process holds (or takes) its lease. */
  async tick(duty: CityDuty): Promise<boolean> {
    if (this.running.has(duty.name) || this.stopped) return false;
    this.running.add(duty.name);
    try {
      // Three periods: a holder that misses two ticks in a row hands the duty over.
      if (!(await this.lease.acquire(`duty:${duty.name}`, duty.everyMs * 3))) return false;
      this.held.add(duty.name);
      await duty.run();
      return true;
    } catch (error) {
      this.logger.warn({ err: error, duty: duty.name, processId: this.processId }, 'duty failed');
      return false;
    } finally {
      this.running.delete(duty.name);
    }
  }

  /** Before the pools close (onApplicationShutdown): no tick may start on a closed database. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    // A run in progress finishes first (bounded), while its database and Redis are still open.
    for (let waited = 0; this.running.size > 0 && waited < 5_000; waited += 25) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // So another worker takes over at its next tick, not after the lease runs out.
    await Promise.all(
      [...this.held].map((name) => this.lease.release(`duty:${name}`).catch(() => undefined)),
    );
    this.held.clear();
  }
}
