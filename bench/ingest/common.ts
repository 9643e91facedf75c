/**
 * Shared pieces of the ingest benchmark: seeded randomness, a mergeable latency histogram, the
 * JSON report a load process prints, and small helpers. No I/O beyond stderr.
 */

export { mulberry32 } from '../support/prng';

const HIST_MIN_MS = 0.01;
const HIST_RATIO = 1.01;
const HIST_LOG_RATIO = Math.log(HIST_RATIO);
/** 0.01 ms .. 10 s in 1 % steps. */
const HIST_BUCKETS = 1400;

/** Latency histogram: log buckets 1 % wide, fixed size, mergeable across processes. */
export class Histogram {
  readonly counts = new Uint32Array(HIST_BUCKETS);
  total = 0;
  maxMs = 0;

  record(ms: number): void {
    const idx = ms <= HIST_MIN_MS ? 0 : Math.floor(Math.log(ms / HIST_MIN_MS) / HIST_LOG_RATIO);
    this.counts[Math.min(idx, HIST_BUCKETS - 1)]++;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Upper bound of the bucket holding quantile q (within 1 %), capped at the true max. */
  quantileMs(q: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < HIST_BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(HIST_MIN_MS * HIST_RATIO ** (i + 1), this.maxMs);
    }
    return this.maxMs;
  }

  toJSON(): HistogramJson {
    const buckets: [number, number][] = [];
    this.counts.forEach((count, idx) => {
      if (count > 0) buckets.push([idx, count]);
    });
    return { total: this.total, maxMs: this.maxMs, buckets };
  }

  merge(json: HistogramJson): void {
    for (const [idx, count] of json.buckets) this.counts[idx] += count;
    this.total += json.total;
    this.maxMs = Math.max(this.maxMs, json.maxMs);
  }
}

export interface HistogramJson {
  total: number;
  maxMs: number;
  buckets: [number, number][];
}

export type Mode = 'cadence' | 'flood';
export const MODES: readonly Mode[] = ['cadence', 'flood'];

/** Outcome counts by key: `ok`, an error code from the ack, `TIMEOUT`, `DISCONNECTED`. */
export type Counts = Record<string, number>;

export interface PhaseReport {
  mode: Mode;
  warmupSeconds: number;
  measureSeconds: number;
  /** Pings emitted during the whole phase (warmup + measure). */
  sentTotal: number;
  /** Pings emitted inside the measure window. */
  sentInWindow: number;
  /** `ok` acks received inside the measure window. */
  okInWindow: number;
  /** Ack latency of pings sent inside the measure window (ok and error acks, not timeouts). */
  latency: HistogramJson;
  /** Outcomes of pings sent inside the measure window. */
  outcomesInWindow: Counts;
  /** Outcomes of every ping of the phase, warmup included. */
  outcomesTotal: Counts;
  /** Worst delay between a ping's planned and actual send time (load generator health). */
  maxSendLagMs: number;
}

export interface LoadReport {
  pid: number;
  drivers: number;
  connect: { ms: number; ok: number; failed: number; errors: Counts };
  status: { ms: number; ok: number; failed: number; errors: Counts };
  disconnects: Counts;
  phases: PhaseReport[];
}

/** Progress line on stderr, prefixed so interleaved children stay readable. */
export function progress(prefix: string, message: string): void {
  process.stderr.write(`[${prefix}] ${message}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function increment(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

export function mergeCounts(into: Counts, from: Counts): void {
  for (const [key, value] of Object.entries(from)) increment(into, key, value);
}

/** `--name value` pairs from argv; values are strings. */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) args.set(arg.slice(2), 'true');
    else {
      args.set(arg.slice(2), next);
      i++;
    }
  }
  return args;
}

/** Only loopback targets, whatever the caller passes. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1') throw new Error(`refusing target ${url}: only 127.0.0.1 is allowed`);
}

/**
 * The loopback address driver `index` connects from: 64 drivers per address, as phones share
 * a carrier's NAT, so that the server's handshake budget per IP sees a fleet, not one client.
 * Only the source varies; the target stays 127.0.0.1.
 */
export function sourceAddress(index: number): string {
  const a = Math.floor(index / 64);
  return `127.0.${1 + Math.floor(a / 250)}.${1 + (a % 250)}`;
}
