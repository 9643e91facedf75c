import type { CellGrid } from './cells';
import { DEG_TO_RAD, fillBoundingBox, haversineFromCos, haversineTermForRadius } from './geo-math';
import { CHUNK_SHIFT, type QuadStore } from './quad-store';
import {
  byDistanceThenId,
  metric,
  nodeLowerBound,
  siftDownRoot,
  SLACK,
  sortByDistanceThenId,
} from './search-kernels';

export interface Neighbor<T> {
  id: string;
  lat: number;
  lng: number;
  distanceMeters: number;
  data?: T;
}

export type NeighborFilter<T> = (id: string, data: T | undefined) => boolean;

/** A shard as the search sees it: the cell key and the root node of its quadtree. */
export interface ShardRef {
  readonly key: number;
  readonly root: number;
}

/**
 * Best-first search over every shard's quadtree. Nodes wait in a min-heap keyed by their lower
 * bound; the k best points so far sit in a max-heap keyed by the cheap metric. All buffers are
 * typed arrays reused across queries, so a query allocates only its result objects.
 */
export class Searcher {
  private queueKey = new Float64Array(256);
  private queueNode = new Int32Array(256);
  private queueSize = 0;
  private bestKey = new Float64Array(16);
  private bestPos = new Int32Array(16);
  private spillKey: number[] = [];
  private spillPos: number[] = [];
  private busy = false;
  private readonly box = new Float64Array(4);
  private cachedRadius = -1;
  private cachedRadiusLimit = 0;

  constructor(
    private readonly store: QuadStore,
    private readonly grid: CellGrid,
    private readonly shards: Map<number, ShardRef>,
  ) {}

  nearest<T>(
    lat: number,
    lng: number,
    k: number,
    radiusMeters: number,
    filter: NeighborFilter<T> | undefined,
    ids: string[],
    data: (T | undefined)[] | undefined,
  ): Neighbor<T>[] {
    this.enter();
    try {
      return this.runNearest(lat, lng, k, radiusMeters, filter, ids, data);
    } finally {
      this.busy = false;
    }
  }

  within<T>(
    lat: number,
    lng: number,
    radiusMeters: number,
    filter: NeighborFilter<T> | undefined,
    ids: string[],
    data: (T | undefined)[] | undefined,
  ): Neighbor<T>[] {
    this.enter();
    try {
      return this.runWithin(lat, lng, radiusMeters, filter, ids, data);
    } finally {
      this.busy = false;
    }
  }

  /** Cached because callers nearly always repeat the same radius. */
  private radiusLimit(radiusMeters: number): number {
    if (radiusMeters !== this.cachedRadius) {
      this.cachedRadius = radiusMeters;
      this.cachedRadiusLimit = haversineTermForRadius(radiusMeters) * SLACK;
    }
    return this.cachedRadiusLimit;
  }

  private enter(): void {
    if (this.busy) {
      throw new Error(
        'ShardedQuadtree queried from inside a filter callback; filters must not call back into the index',
      );
    }
    this.busy = true;
  }

  private runNearest<T>(
    lat: number,
    lng: number,
    k: number,
    radiusMeters: number,
    filter: NeighborFilter<T> | undefined,
    ids: string[],
    data: (T | undefined)[] | undefined,
  ): Neighbor<T>[] {
    const store = this.store;
    const { posLat, posLng, posCos, posSlot, chunkCount, chunkNext } = store;
    const { nodeHead, nodeFirstChild, nodeCount, nodeBounds, nodeMinCos } = store;
    const cosLat = Math.cos(lat * DEG_TO_RAD);
    const radiusLimit = this.radiusLimit(radiusMeters);
    if (this.bestKey.length < k) {
      this.bestKey = new Float64Array(k);
      this.bestPos = new Int32Array(k);
    }
    const bestKey = this.bestKey;
    const bestPos = this.bestPos;
    const spillKey = this.spillKey;
    const spillPos = this.spillPos;
    spillKey.length = 0;
    spillPos.length = 0;
    let best = 0;
    let limit = radiusLimit;
    this.seed(lat, lng, cosLat, radiusMeters, limit);
    while (this.queueSize > 0) {
      if (this.queueKey[0] > limit) break;
      const node = this.popNode();
      const firstChild = nodeFirstChild[node];
      if (firstChild >= 0) {
        for (let child = firstChild; child < firstChild + 4; child++) {
          if (nodeCount[child] === 0) continue;
          const bound = nodeLowerBound(nodeBounds, nodeMinCos, child, lat, lng, cosLat);
          if (bound <= limit) this.pushNode(bound, child);
        }
        continue;
      }
      for (let chunk = nodeHead[node]; chunk >= 0; chunk = chunkNext[chunk]) {
        const start = chunk << CHUNK_SHIFT;
        const end = start + chunkCount[chunk];
        for (let pos = start; pos < end; pos++) {
          const key = metric(lat, lng, cosLat, posLat[pos], posLng[pos], posCos[pos]);
          if (key > limit) continue;
          if (filter !== undefined) {
            const slot = posSlot[pos];
            if (!filter(ids[slot], data === undefined ? undefined : data[slot])) continue;
          }
          if (best < k) {
            // Sift up in the max-heap of the k best.
            let i = best++;
            while (i > 0) {
              const parent = (i - 1) >> 1;
              if (bestKey[parent] >= key) break;
              bestKey[i] = bestKey[parent];
              bestPos[i] = bestPos[parent];
              i = parent;
            }
            bestKey[i] = key;
            bestPos[i] = pos;
            if (best === k) limit = Math.min(radiusLimit, bestKey[0] * SLACK);
          } else if (key < bestKey[0]) {
            const evictedKey = bestKey[0];
            const evictedPos = bestPos[0];
            siftDownRoot(bestKey, bestPos, k, key, pos);
            limit = Math.min(radiusLimit, bestKey[0] * SLACK);
            if (evictedKey <= limit) {
              spillKey.push(evictedKey);
              spillPos.push(evictedPos);
            }
          } else {
            spillKey.push(key);
            spillPos.push(pos);
          }
        }
      }
    }
    const out: Neighbor<T>[] = [];
    for (let i = 0; i < best; i++)
      this.settle(out, bestPos[i], lat, lng, cosLat, radiusMeters, ids, data);
    for (let i = 0; i < spillKey.length; i++) {
      if (spillKey[i] <= limit)
        this.settle(out, spillPos[i], lat, lng, cosLat, radiusMeters, ids, data);
    }
    sortByDistanceThenId(out);
    if (out.length > k) out.length = k;
    return out;
  }

  private runWithin<T>(
    lat: number,
    lng: number,
    radiusMeters: number,
    filter: NeighborFilter<T> | undefined,
    ids: string[],
    data: (T | undefined)[] | undefined,
  ): Neighbor<T>[] {
    const store = this.store;
    const { posLat, posLng, posCos, posSlot, chunkCount, chunkNext } = store;
    const { nodeHead, nodeFirstChild, nodeCount, nodeBounds, nodeMinCos } = store;
    const cosLat = Math.cos(lat * DEG_TO_RAD);
    const limit = this.radiusLimit(radiusMeters);
    const out: Neighbor<T>[] = [];
    this.seed(lat, lng, cosLat, radiusMeters, limit);
    // Order does not matter here, so the queue is drained without comparing bounds again.
    while (this.queueSize > 0) {
      const node = this.queueNode[--this.queueSize];
      const firstChild = nodeFirstChild[node];
      if (firstChild >= 0) {
        for (let child = firstChild; child < firstChild + 4; child++) {
          if (nodeCount[child] === 0) continue;
          const bound = nodeLowerBound(nodeBounds, nodeMinCos, child, lat, lng, cosLat);
          if (bound <= limit) this.pushStack(child);
        }
        continue;
      }
      for (let chunk = nodeHead[node]; chunk >= 0; chunk = chunkNext[chunk]) {
        const start = chunk << CHUNK_SHIFT;
        const end = start + chunkCount[chunk];
        for (let pos = start; pos < end; pos++) {
          const key = metric(lat, lng, cosLat, posLat[pos], posLng[pos], posCos[pos]);
          if (key > limit) continue;
          if (filter !== undefined) {
            const slot = posSlot[pos];
            if (!filter(ids[slot], data === undefined ? undefined : data[slot])) continue;
          }
          this.settle(out, pos, lat, lng, cosLat, radiusMeters, ids, data);
        }
      }
    }
    out.sort(byDistanceThenId);
    return out;
  }

  /** Computes the exact distance of a candidate and keeps it if it is inside the radius. */
  private settle<T>(
    out: Neighbor<T>[],
    pos: number,
    lat: number,
    lng: number,
    cosLat: number,
    radiusMeters: number,
    ids: string[],
    data: (T | undefined)[] | undefined,
  ): void {
    const store = this.store;
    const pLat = store.posLat[pos];
    const pLng = store.posLng[pos];
    const distanceMeters = haversineFromCos(lat, lng, cosLat, pLat, pLng, store.posCos[pos]);
    if (distanceMeters > radiusMeters) return;
    const slot = store.posSlot[pos];
    out.push({
      id: ids[slot],
      lat: pLat,
      lng: pLng,
      distanceMeters,
      data: data === undefined ? undefined : data[slot],
    });
  }

  /**
   * Queues the root of every shard whose cell meets the radius's bounding box. When the box holds
   * more cells than there are shards (huge radius, polar cap) scanning the shard list is cheaper.
   */
  private seed(
    lat: number,
    lng: number,
    cosLat: number,
    radiusMeters: number,
    limit: number,
  ): void {
    this.queueSize = 0;
    const shards = this.shards;
    if (shards.size === 0) return;
    const grid = this.grid;
    const box = this.box;
    fillBoundingBox(box, lat, lng, radiusMeters);
    const firstRow = grid.latRow(box[0]);
    const lastRow = grid.latRow(box[1]);
    const wraps = box[2] > box[3];
    let westCol = grid.lngColumn(box[2]);
    const eastCol = grid.lngColumn(box[3]);
    let columns = wraps ? grid.lngColumns - westCol + eastCol + 1 : eastCol - westCol + 1;
    // A wrapped box whose ends share a column would visit that column twice.
    if (columns >= grid.lngColumns) {
      columns = grid.lngColumns;
      westCol = 0;
    }
    if ((lastRow - firstRow + 1) * columns > shards.size) {
      for (const shard of shards.values()) this.seedRoot(shard.root, lat, lng, cosLat, limit);
      return;
    }
    for (let row = firstRow; row <= lastRow; row++) {
      for (let i = 0; i < columns; i++) {
        let col = westCol + i;
        if (col >= grid.lngColumns) col -= grid.lngColumns;
        const shard = shards.get(grid.keyOfCell(row, col));
        if (shard !== undefined) this.seedRoot(shard.root, lat, lng, cosLat, limit);
      }
    }
  }

  private seedRoot(root: number, lat: number, lng: number, cosLat: number, limit: number): void {
    const { nodeBounds, nodeMinCos } = this.store;
    const bound = nodeLowerBound(nodeBounds, nodeMinCos, root, lat, lng, cosLat);
    if (bound <= limit) this.pushNode(bound, root);
  }

  private pushStack(node: number): void {
    if (this.queueSize === this.queueNode.length) this.growQueue();
    this.queueNode[this.queueSize++] = node;
  }

  private pushNode(key: number, node: number): void {
    if (this.queueSize === this.queueNode.length) this.growQueue();
    const keys = this.queueKey;
    const nodes = this.queueNode;
    let i = this.queueSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= key) break;
      keys[i] = keys[parent];
      nodes[i] = nodes[parent];
      i = parent;
    }
    keys[i] = key;
    nodes[i] = node;
  }

  private popNode(): number {
    const keys = this.queueKey;
    const nodes = this.queueNode;
    const top = nodes[0];
    const size = --this.queueSize;
    if (size > 0) {
      const key = keys[size];
      const node = nodes[size];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= size) break;
        if (child + 1 < size && keys[child + 1] < keys[child]) child++;
        if (keys[child] >= key) break;
        keys[i] = keys[child];
        nodes[i] = nodes[child];
        i = child;
      }
      keys[i] = key;
      nodes[i] = node;
    }
    return top;
  }

  private growQueue(): void {
    const keys = new Float64Array(this.queueKey.length * 2);
    keys.set(this.queueKey);
    const nodes = new Int32Array(this.queueNode.length * 2);
    nodes.set(this.queueNode);
    this.queueKey = keys;
    this.queueNode = nodes;
  }
}
