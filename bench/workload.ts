/**
 * The seeded workload every contender sees: N drivers uniform in a 40 km x 40 km box, steps where
 * each driver moves up to 40 m (one ping), and random query points. Never Math.random: two runs
 * of the bench, and every contender within a run, see exactly the same numbers.
 */
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export const CITY_CENTER_LAT = 12.97;
export const CITY_CENTER_LNG = 77.59;
export const CITY_SIDE_METERS = 40_000;
export const STEP_MAX_METERS = 40;
export const QUERY_K = 10;
export const QUERY_RADIUS_METERS = 3_000;

export const METERS_PER_DEG_LAT = 111_195.08;
export const METERS_PER_DEG_LNG = METERS_PER_DEG_LAT * Math.cos((CITY_CENTER_LAT * Math.PI) / 180);
const HALF_LAT = CITY_SIDE_METERS / 2 / METERS_PER_DEG_LAT;
const HALF_LNG = CITY_SIDE_METERS / 2 / METERS_PER_DEG_LNG;
export const BOX = {
  minLat: CITY_CENTER_LAT - HALF_LAT,
  maxLat: CITY_CENTER_LAT + HALF_LAT,
  minLng: CITY_CENTER_LNG - HALF_LNG,
  maxLng: CITY_CENTER_LNG + HALF_LNG,
};

import { mulberry32 } from './support/prng';

export { mulberry32 };

export interface Positions {
  lat: Float64Array;
  lng: Float64Array;
}

export function initialPositions(n: number, seed: number): Positions {
  const rnd = mulberry32(seed);
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lat[i] = BOX.minLat + rnd() * (BOX.maxLat - BOX.minLat);
    lng[i] = BOX.minLng + rnd() * (BOX.maxLng - BOX.minLng);
  }
  return { lat, lng };
}

function reflect(value: number, min: number, max: number): number {
  if (value < min) return min + (min - value);
  if (value > max) return max - (value - max);
  return value;
}

/** One ping for every driver: up to 40 m in a random direction, bouncing off the city edge. */
export function nextStep(previous: Positions, seed: number): Positions {
  const rnd = mulberry32(seed);
  const n = previous.lat.length;
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const meters = rnd() * STEP_MAX_METERS;
    const bearing = rnd() * 2 * Math.PI;
    lat[i] = reflect(
      previous.lat[i] + (meters * Math.cos(bearing)) / METERS_PER_DEG_LAT,
      BOX.minLat,
      BOX.maxLat,
    );
    lng[i] = reflect(
      previous.lng[i] + (meters * Math.sin(bearing)) / METERS_PER_DEG_LNG,
      BOX.minLng,
      BOX.maxLng,
    );
  }
  return { lat, lng };
}

export function queryPoints(count: number, seed: number): Positions {
  return initialPositions(count, seed);
}

const HEX = '0123456789abcdef';

/**
 * Fresh 36-character uuid-shaped ids. Built through a latin1 Buffer so each is one flat
 * one-byte string (a concatenation would leave cons strings and overstate the memory).
 */
export function makeIds(n: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  const buf = Buffer.alloc(36);
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 36; j++) {
      buf[j] = j === 8 || j === 13 || j === 18 || j === 23 ? 45 : HEX.charCodeAt((rnd() * 16) | 0);
    }
    ids[i] = buf.toString('latin1');
  }
  return ids;
}

/** `global.gc` without asking the caller for --expose-gc. */
export const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/** Heap plus typed-array backing stores, which live outside the JS heap but are ours all the same. */
export function liveBytes(): number {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

export const now = (): number => performance.now();

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
