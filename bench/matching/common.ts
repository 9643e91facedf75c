/**
 * Shared pieces of the matching-latency benchmark: seeded randomness, the service area, cab-type
 * weights, percentiles and small helpers. No I/O beyond stderr and /proc/loadavg.
 */
import { readFileSync } from 'node:fs';

export { mulberry32 } from '../support/prng';

/** Centre of the 40 km x 40 km service area (central London). */
export const CENTER = { lat: 51.5, lng: -0.12 };
const HALF_SIDE_METERS = 20_000;
const METERS_PER_DEG_LAT = 111_320;
const METERS_PER_DEG_LNG = METERS_PER_DEG_LAT * Math.cos((CENTER.lat * Math.PI) / 180);

export interface LatLng {
  lat: number;
  lng: number;
}

/** A point uniform in the box, rounded to 1e-6 degrees (~10 cm). */
export function pointInBox(random: () => number): LatLng {
  const north = (random() * 2 - 1) * HALF_SIDE_METERS;
  const east = (random() * 2 - 1) * HALF_SIDE_METERS;
  return {
    lat: Math.round((CENTER.lat + north / METERS_PER_DEG_LAT) * 1e6) / 1e6,
    lng: Math.round((CENTER.lng + east / METERS_PER_DEG_LNG) * 1e6) / 1e6,
  };
}

/** A point 1-8 km from `from` in a random direction, clamped to the box. */
export function dropoffNear(from: LatLng, random: () => number): LatLng {
  const meters = 1_000 + random() * 7_000;
  const angle = random() * 2 * Math.PI;
  const clamp = (v: number, c: number, half: number) => Math.min(c + half, Math.max(c - half, v));
  const lat = clamp(
    from.lat + (meters * Math.cos(angle)) / METERS_PER_DEG_LAT,
    CENTER.lat,
    HALF_SIDE_METERS / METERS_PER_DEG_LAT,
  );
  const lng = clamp(
    from.lng + (meters * Math.sin(angle)) / METERS_PER_DEG_LNG,
    CENTER.lng,
    HALF_SIDE_METERS / METERS_PER_DEG_LNG,
  );
  return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
}

export type CabType = 'ECONOMY' | 'XL' | 'PREMIUM';

/** Fleet and demand share the same mix: 70 % ECONOMY, 20 % XL, 10 % PREMIUM. */
export function pickCabType(random: () => number): CabType {
  const r = random();
  if (r < 0.7) return 'ECONOMY';
  if (r < 0.9) return 'XL';
  return 'PREMIUM';
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export interface Quantiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function quantiles(values: readonly number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
  };
}

/** Median of finite values (runs), NaN when there are none. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): [number, number, number] {
  try {
    const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    return [a, b, c];
  } catch {
    return [NaN, NaN, NaN];
  }
}

export function progress(message: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[match ${time}] ${message}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Only loopback targets, whatever the caller passes. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1') throw new Error(`refusing target ${url}: only 127.0.0.1 is allowed`);
}

/** A number for a table cell: fixed decimals, `-` for NaN. */
export function fmt(value: number, decimals = 0): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : '-';
}

/** A plain-text table with right-aligned columns (the first left-aligned). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
