/**
 * The in-process implementations compared by geo.bench.ts, behind one small interface.
 * Each keeps the caller's string ids so memory figures compare like with like.
 */
import { ShardedQuadtree } from '../libs/geo/src';
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import RBush from 'rbush';
import knn from 'rbush-knn';
import {
  CITY_CENTER_LAT,
  CITY_CENTER_LNG,
  METERS_PER_DEG_LAT,
  METERS_PER_DEG_LNG,
  QUERY_K,
  QUERY_RADIUS_METERS,
} from './workload';

export interface Contender {
  readonly name: string;
  /** True when a "move" is a full rebuild, so partial update batches make no sense. */
  readonly static?: boolean;
  build(ids: string[], lat: Float64Array, lng: Float64Array): void;
  /** Moves drivers [from, to) to the given positions; static indexes rebuild everything. */
  update(lat: Float64Array, lng: Float64Array, from: number, to: number): void;
  /** k = 10 within 3 km; returns the number of hits so the work cannot be optimised away. */
  knn(lat: number, lng: number): number;
  /** Ids of the k nearest, for the cross-check against brute force. */
  knnIds(lat: number, lng: number): string[];
}

export class OursContender implements Contender {
  readonly name = 'ShardedQuadtree (ours)';
  private index: ShardedQuadtree;
  private ids: string[] = [];

  constructor(options: { shardPrecision?: number; nodeCapacity?: number } = {}) {
    this.index = new ShardedQuadtree(options);
  }

  build(ids: string[], lat: Float64Array, lng: Float64Array): void {
    this.ids = ids;
    for (let i = 0; i < ids.length; i++) this.index.upsert(ids[i], lat[i], lng[i]);
  }

  update(lat: Float64Array, lng: Float64Array, from: number, to: number): void {
    const index = this.index;
    const ids = this.ids;
    for (let i = from; i < to; i++) index.upsert(ids[i], lat[i], lng[i]);
  }

  knn(lat: number, lng: number): number {
    return this.index.nearest(lat, lng, { k: QUERY_K, radiusMeters: QUERY_RADIUS_METERS }).length;
  }

  knnIds(lat: number, lng: number): string[] {
    return this.index
      .nearest(lat, lng, { k: QUERY_K, radiusMeters: QUERY_RADIUS_METERS })
      .map((n) => n.id);
  }

  get shardCount(): number {
    return this.index.shardCount;
  }
}

interface RItem {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  id: string;
}

/**
 * rbush is planar, so points are projected to local metres around the city centre; that spares it
 * the spherical maths ours does, which only flatters rbush.
 */
export class RbushContender implements Contender {
  readonly name = 'rbush + rbush-knn';
  private tree = new RBush<RItem>(16);
  private items: RItem[] = [];

  build(ids: string[], lat: Float64Array, lng: Float64Array): void {
    this.items = ids.map((id, i) => {
      const x = (lng[i] - CITY_CENTER_LNG) * METERS_PER_DEG_LNG;
      const y = (lat[i] - CITY_CENTER_LAT) * METERS_PER_DEG_LAT;
      return { minX: x, minY: y, maxX: x, maxY: y, id };
    });
    this.tree.load(this.items);
  }

  update(lat: Float64Array, lng: Float64Array, from: number, to: number): void {
    const tree = this.tree;
    for (let i = from; i < to; i++) {
      const item = this.items[i];
      tree.remove(item);
      item.minX = item.maxX = (lng[i] - CITY_CENTER_LNG) * METERS_PER_DEG_LNG;
      item.minY = item.maxY = (lat[i] - CITY_CENTER_LAT) * METERS_PER_DEG_LAT;
      tree.insert(item);
    }
  }

  knn(lat: number, lng: number): number {
    return this.search(lat, lng).length;
  }

  knnIds(lat: number, lng: number): string[] {
    return this.search(lat, lng).map((item) => item.id);
  }

  private search(lat: number, lng: number): RItem[] {
    const x = (lng - CITY_CENTER_LNG) * METERS_PER_DEG_LNG;
    const y = (lat - CITY_CENTER_LAT) * METERS_PER_DEG_LAT;
    return knn(this.tree, x, y, QUERY_K, undefined, QUERY_RADIUS_METERS);
  }
}

/** kdbush is static: every ping step is a full rebuild, and that rebuild is the update cost. */
export class KdbushContender implements Contender {
  readonly name = 'kdbush + geokdbush';
  readonly static = true;
  private index: KDBush | undefined;
  private ids: string[] = [];

  build(ids: string[], lat: Float64Array, lng: Float64Array): void {
    this.ids = ids;
    this.rebuild(lat, lng);
  }

  update(lat: Float64Array, lng: Float64Array): void {
    this.rebuild(lat, lng);
  }

  knn(lat: number, lng: number): number {
    return around(this.index as KDBush, lng, lat, QUERY_K, QUERY_RADIUS_METERS / 1000).length;
  }

  knnIds(lat: number, lng: number): string[] {
    const hits = around(this.index as KDBush, lng, lat, QUERY_K, QUERY_RADIUS_METERS / 1000);
    return hits.map((i) => this.ids[i]);
  }

  private rebuild(lat: Float64Array, lng: Float64Array): void {
    const index = new KDBush(this.ids.length, 64);
    for (let i = 0; i < this.ids.length; i++) index.add(lng[i], lat[i]);
    index.finish();
    this.index = index;
  }
}

/** The floor: every query scans every driver in a Float64Array with the same cheap metric. */
export class BruteForceContender implements Contender {
  readonly name = 'brute force Float64Array';
  private lat = new Float64Array(0);
  private lng = new Float64Array(0);
  private ids: string[] = [];
  private bestKey = new Float64Array(QUERY_K);
  private bestIdx = new Int32Array(QUERY_K);

  build(ids: string[], lat: Float64Array, lng: Float64Array): void {
    this.ids = ids;
    this.lat = lat.slice(0, ids.length);
    this.lng = lng.slice(0, ids.length);
  }

  update(lat: Float64Array, lng: Float64Array, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      this.lat[i] = lat[i];
      this.lng[i] = lng[i];
    }
  }

  knn(lat: number, lng: number): number {
    return this.scan(lat, lng);
  }

  knnIds(lat: number, lng: number): string[] {
    const found = this.scan(lat, lng);
    const idx = Array.from(this.bestIdx.subarray(0, found));
    const keys = Array.from(this.bestKey.subarray(0, found));
    return idx
      .map((i, j) => ({ i, key: keys[j] }))
      .sort((a, b) => a.key - b.key)
      .map((e) => this.ids[e.i]);
  }

  /** Equirectangular squared distance: monotonic enough at city scale and trig-free per point. */
  private scan(qLat: number, qLng: number): number {
    const lat = this.lat;
    const lng = this.lng;
    const kx = Math.cos((qLat * Math.PI) / 180) * METERS_PER_DEG_LAT;
    const ky = METERS_PER_DEG_LAT;
    const limit = QUERY_RADIUS_METERS * QUERY_RADIUS_METERS;
    const keys = this.bestKey;
    const idx = this.bestIdx;
    let size = 0;
    for (let i = 0; i < lat.length; i++) {
      const dx = (lng[i] - qLng) * kx;
      const dy = (lat[i] - qLat) * ky;
      const d = dx * dx + dy * dy;
      if (d > limit || (size === QUERY_K && d >= keys[0])) continue;
      let j: number;
      if (size < QUERY_K) {
        j = size++;
        while (j > 0 && keys[(j - 1) >> 1] < d) {
          keys[j] = keys[(j - 1) >> 1];
          idx[j] = idx[(j - 1) >> 1];
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
          idx[j] = idx[c];
          j = c;
        }
      }
      keys[j] = d;
      idx[j] = i;
    }
    return size;
  }
}
