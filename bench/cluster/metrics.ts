/**
 * What the cluster benchmark reads besides its own clocks: a Prometheus histogram from a
 * process's `/metrics` (bucket counts, diffed between two scrapes), Redis's own CPU from
 * `INFO cpu`, and quantiles of plain arrays.
 */
import Redis from 'ioredis';
import { assertLoopback } from '../ingest/common';

/** Cumulative bucket counts of one histogram: `le` (seconds, Infinity last) -> count. */
export type Buckets = [number, number][];

/**
 * Scrapes `url/metrics` and returns the cumulative buckets of histogram `name`. A server
 * saturated by the load may take seconds to answer: 20 s, then the buckets are empty (the
 * table says so) rather than the whole phase failing.
 */
export async function scrapeHistogram(url: string, name: string): Promise<Buckets> {
  assertLoopback(url);
  const text = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(20_000) })
    .then((r) => r.text())
    .catch((error: unknown) => {
      process.stderr.write(`[cluster] scraping ${url}/metrics failed: ${String(error)}\n`);
      return '';
    });
  const buckets: Buckets = [];
  const pattern = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm');
  for (const match of text.matchAll(pattern)) {
    const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
    buckets.push([le, Number(match[2])]);
  }
  return buckets.sort((a, b) => a[0] - b[0]);
}

/** The observations between two scrapes, as cumulative buckets. */
export function diffBuckets(after: Buckets, before: Buckets): Buckets {
  const earlier = new Map(before);
  return after.map(([le, count]) => [le, count - (earlier.get(le) ?? 0)]);
}

/**
 * Quantile q of a cumulative histogram, linearly interpolated inside its bucket (as Prometheus'
 * histogram_quantile does), in ms; the top finite bound when it falls in +Inf.
 */
export function histogramQuantileMs(buckets: Buckets, q: number): number {
  const total = buckets.length > 0 ? buckets[buckets.length - 1][1] : 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerLe * 1000;
      const inside = count - lowerCount;
      const share = inside > 0 ? (rank - lowerCount) / inside : 1;
      return (lowerLe + (le - lowerLe) * share) * 1000;
    }
    lowerLe = le;
    lowerCount = count;
  }
  return lowerLe * 1000;
}

export function histogramTotal(buckets: Buckets): number {
  return buckets.length > 0 ? buckets[buckets.length - 1][1] : 0;
}

/** Redis's CPU seconds so far (user + system, all its threads), from INFO cpu. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Samples Redis's CPU twice a second; answers the mean CPU % over an epoch-ms window. */
export class RedisCpuSampler {
  private readonly samples: { atMs: number; seconds: number }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly redis: Redis) {}

  start(): void {
    const sample = () =>
      void redisCpuSeconds(this.redis).then(
        (seconds) => this.samples.push({ atMs: Date.now(), seconds }),
        () => undefined,
      );
    sample();
    this.timer = setInterval(sample, 500);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  window(fromMs: number, toMs: number): number {
    const inside = this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
    if (inside.length < 2) return NaN;
    const first = inside[0];
    const last = inside[inside.length - 1];
    return (100 * (last.seconds - first.seconds)) / ((last.atMs - first.atMs) / 1000);
  }
}

export interface Quantiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank quantiles of plain values. */
export function quantiles(values: readonly number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
  return {
    n: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
  };
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}
