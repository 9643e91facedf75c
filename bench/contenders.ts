/**
 * The in-process implementations compared by geo.bench.ts, behind one small interface.
 * Each keeps the caller's string ids so memory figures compare like with like.
 */
import { ShardedQuadtree } from '../libs/geo/src';
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import RBush from 'rbush';
import knn from 'rbush-knn';
import { METERS_PER_DEG_LAT, type PingStep, QUERY_K, QUERY_RADIUS_METERS } from './workload';

export interface Contender {
  readonly name: string;
  /** True when a "move" is a full rebuild, so partial update batches make no sense. */
  readonly static?: boolean;
  build(ids: string[], lat: Float64Array, lng: Float64Array): void;
  /** Applies pings [from, to) of a step, in their arrival order; static indexes rebuild. */
  update(step: PingStep, from: number, to: number): void;
  /** k = 10 within 3 km; returns the number of hits so the work cannot be optimised away. */
  knn(lat: number, lng: number): number;
}

/** How the bench's gateway hands a ping to our index. */
export type OursApi = 'upsert(id)' | 'move(handle)' | 'moveMany(handles)';

/** Pings a gateway buffers before one moveMany: ~25 ms of pings at 1M drivers every 3 s. */
export const FLUSH_PINGS = 8192;

export class OursContender implements Contender {
  readonly name: string;
  readonly index: ShardedQuadtree;
  private ids: string[] = [];
  /** The handle of each driver, as a gateway would keep it on the driver's socket. */
  private handles = new Float64Array(0);
  private readonly batchHandles = new Float64Array(FLUSH_PINGS);
  private readonly batchLat = new Float64Array(FLUSH_PINGS);
  private readonly batchLng = new Float64Array(FLUSH_PINGS);

  constructor(
    private readonly api: OursApi,
    label: string,
  ) {
    this.name = `ours, ${api}, ${label}`;
    this.index = new ShardedQuadtree();
  }

  build(ids: string[], lat: Float64Array, lng: Float64Array): void {
    this.ids = ids;
    this.handles = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; i++)
      this.handles[i] = this.index.upsert(ids[i], lat[i], lng[i]);
  }

  update(step: PingStep, from: number, to: number): void {
    const index = this.index;
    const { driver, pingLat, pingLng } = step;
    if (this.api === 'moveMany(handles)') {
      // The gateway's side: each ping's handle (kept on its socket) and position into buffers.
      const handles = this.handles;
      const { batchHandles, batchLat, batchLng } = this;
      for (let start = from; start < to; start += FLUSH_PINGS) {
        const count = Math.min(FLUSH_PINGS, to - start);
        for (let j = 0; j < count; j++) {
          batchHandles[j] = handles[driver[start + j]];
          batchLat[j] = pingLat[start + j];
          batchLng[j] = pingLng[start + j];
        }
        index.moveMany(batchHandles, batchLat, batchLng, count);
      }
    } else if (this.api === 'move(handle)') {
      const handles = this.handles;
      for (let i = from; i < to; i++) index.move(handles[driver[i]], pingLat[i], pingLng[i]);
    } else {
      const ids = this.ids;
      for (let i = from; i < to; i++) index.upsert(ids[driver[i]], pingLat[i], pingLng[i]);
    }
  }

  knn(lat: number, lng: number): number {
    return this.index.nearest(lat, lng, { k: QUERY_K, radiusMeters: QUERY_RADIUS_METERS }).length;
  }
}

interface RItem {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  id: string;
}

const EARTH_RADIUS_METERS = (METERS_PER_DEG_LAT * 180) / Math.PI;
const DEG_TO_RAD = Math.PI / 180;
const mercatorX = (lng: number): number => EARTH_RADIUS_METERS * lng * DEG_TO_RAD;
const mercatorY = (lat: number): number =>
  EARTH_RADIUS_METERS * Math.log(Math.tan(Math.PI / 4 + (lat * DEG_TO_RAD) / 2));

/**
 * rbush is planar, so points are projected with Web Mercator: conformal, so locally every
 * direction is scaled alike and the k nearest in the plane are the k nearest on the ground
 * (the query radius is scaled by 1 / cos(lat)). That spares rbush the spherical maths ours does,
 * which only flatters rbush; it misses neighbours across the antimeridian, which costs it nothing.
 */
export class RbushContender implements Contender {
  readonly name = 'rbush + rbush-knn';
  private tree = new RBush<RItem>(16);
  private items: RItem[] = [];

  build(ids: string[], lat: Float64Array, lng: Float64Array): void {
    this.items = ids.map((id, i) => {
      const x = mercatorX(lng[i]);
      const y = mercatorY(lat[i]);
      return { minX: x, minY: y, maxX: x, maxY: y, id };
    });
    this.tree.load(this.items);
  }

  update(step: PingStep, from: number, to: number): void {
    const tree = this.tree;
    const { driver, pingLat, pingLng } = step;
    for (let i = from; i < to; i++) {
      const item = this.items[driver[i]];
      tree.remove(item);
      item.minX = item.maxX = mercatorX(pingLng[i]);
      item.minY = item.maxY = mercatorY(pingLat[i]);
      tree.insert(item);
    }
  }

  knn(lat: number, lng: number): number {
    const radius = QUERY_RADIUS_METERS / Math.cos(lat * DEG_TO_RAD);
    return knn(this.tree, mercatorX(lng), mercatorY(lat), QUERY_K, undefined, radius).length;
  }
}

/**
 * Every driver's latest position, as a static index's user (and the brute force) keeps them:
 * each ping is written in as it arrives, in the step's network order.
 */
class DriverPositions {
  lat = new Float64Array(0);
  lng = new Float64Array(0);

  reset(n: number, lat: Float64Array, lng: Float64Array): void {
    this.lat = lat.slice(0, n);
    this.lng = lng.slice(0, n);
  }

  apply(step: PingStep, from: number, to: number): void {
    const { driver, pingLat, pingLng } = step;
    for (let i = from; i < to; i++) {
      this.lat[driver[i]] = pingLat[i];
      this.lng[driver[i]] = pingLng[i];
    }
  }
}

/**
 * kdbush is static: its user keeps every driver's position in arrays, writes each ping there as
 * it arrives (in the step's network order, like every other contender), and rebuilds the index
 * from them; both are the update cost.
 */
export class KdbushContender implements Contender {
  readonly name = 'kdbush + geokdbush, rebuilt';
  readonly static = true;
  private index: KDBush | undefined;
  private ids: string[] = [];
  private readonly positions = new DriverPositions();

  build(ids: string[], lat: Float64Array, lng: Float64Array): void {
    this.ids = ids;
    this.positions.reset(ids.length, lat, lng);
    this.rebuild();
  }

  update(step: PingStep, from: number, to: number): void {
    this.positions.apply(step, from, to);
    this.rebuild();
  }

  knn(lat: number, lng: number): number {
    return around(this.index as KDBush, lng, lat, QUERY_K, QUERY_RADIUS_METERS / 1000).length;
  }

  private rebuild(): void {
    const { lat, lng } = this.positions;
    const index = new KDBush(this.ids.length, 64);
    for (let i = 0; i < this.ids.length; i++) index.add(lng[i], lat[i]);
    index.finish();
    this.index = index;
  }
}

/** The floor: every query scans every driver in a Float64Array with a cheap planar metric. */
export class BruteForceContender implements Contender {
  readonly name = 'brute force Float64Array';
  private readonly positions = new DriverPositions();
  private bestKey = new Float64Array(QUERY_K);

  build(ids: string[], lat: Float64Array, lng: Float64Array): void {
    this.positions.reset(ids.length, lat, lng);
  }

  update(step: PingStep, from: number, to: number): void {
    this.positions.apply(step, from, to);
  }

  /** Equirectangular squared distance at the query's latitude: trig-free per point. */
  knn(qLat: number, qLng: number): number {
    const { lat, lng } = this.positions;
    const kx = Math.cos(qLat * DEG_TO_RAD) * METERS_PER_DEG_LAT;
    const ky = METERS_PER_DEG_LAT;
    const limit = QUERY_RADIUS_METERS * QUERY_RADIUS_METERS;
    const keys = this.bestKey;
    let size = 0;
    for (let i = 0; i < lat.length; i++) {
      let dLng = lng[i] - qLng;
      if (dLng > 180) dLng -= 360;
      else if (dLng < -180) dLng += 360;
      const dx = dLng * kx;
      const dy = (lat[i] - qLat) * ky;
      const d = dx * dx + dy * dy;
      if (d > limit || (size === QUERY_K && d >= keys[0])) continue;
      // Max-heap of the k best keys.
      let j: number;
      if (size < QUERY_K) {
        j = size++;
        while (j > 0 && keys[(j - 1) >> 1] < d) {
          keys[j] = keys[(j - 1) >> 1];
          j = (j - 1) >> 1;
        }
      } else {
        j = 0;
        for (;;) {
          let c = 2 * j + 1;
          if (c >= size) break;
          if (c + 1 < size && keys[c + 1] > keys[c]) c++;
          if (keys[c] <= d) break;
          keys[j] = keys[c];
          j = c;
        }
      }
      keys[j] = d;
    }
    return size;
  }
}
