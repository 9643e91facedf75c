import { Client } from 'pg';
import { unavailableDependency } from '../common/errors/dependency-errors';

/** After a failure, how long queries are refused at once before one is let through to try. */
const OPEN_MS = 1_000;

/**
 * A circuit breaker on the pool's connections, so that while PostgreSQL is down a request fails
 * in microseconds, not after each of its statements waits out `query_timeout`: a statement
 * that fails because the database is unavailable opens it; while open every statement is
 * refused with an error answered 503; after OPEN_MS one statement (the trial) goes through, and
 * its success closes the breaker, its failure keeps it open. Per process, and safe with N:
 * each process judges its own connections.
 */
export class DatabaseBreaker {
  private openUntilMs = 0;
  private open = false;
  private trialInFlight = false;

  constructor(private readonly now: () => number = Date.now) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Whether a statement may go now; `true` for the trial too (it reports back). */
  admit(): boolean {
    if (!this.open) return true;
    if (this.trialInFlight || this.now() < this.openUntilMs) return false;
    this.trialInFlight = true;
    return true;
  }

  succeeded(): void {
    this.open = false;
    this.trialInFlight = false;
  }

  failed(error: unknown): void {
    this.trialInFlight = false;
    if (unavailableDependency(error) !== 'database') return;
    // A statement or lock timeout is one slow statement on a reachable database, not an outage.
    const code = (error as { code?: unknown }).code;
    if (code === '57014' || code === '55P03') return;
    this.open = true;
    this.openUntilMs = this.now() + OPEN_MS;
  }
}

/** The process's breaker: one per pool would judge the same database twice. */
export const databaseBreaker = new DatabaseBreaker();

const refused = () =>
  Object.assign(new Error('Connection terminated: the database is unavailable (circuit open)'), {
    code: '08006',
  });

/**
 * The pg client the pool makes (`extra.Client`): each promise-style statement (how TypeORM
 * sends them) passes the breaker. Callback and stream forms pass unchanged.
 */
export class BreakerClient extends Client {
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    const promised =
      typeof last !== 'function' && typeof (args[0] as { submit?: unknown })?.submit !== 'function';
    const query = super.query as (...a: unknown[]) => unknown;
    if (!promised) return query.apply(this, args) as never;
    if (!databaseBreaker.admit()) return Promise.reject(refused()) as never;
    return (query.apply(this, args) as Promise<unknown>).then(
      (result) => {
        databaseBreaker.succeeded();
        return result;
      },
      (error: unknown) => {
        databaseBreaker.failed(error);
        throw error;
      },
    ) as never;
  }
}
