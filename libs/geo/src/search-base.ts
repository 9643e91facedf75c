import type { CellGrid } from './cells';
import { haversineTermForRadius, metersForTerm } from './geo-math';
import type { QuadStore } from './quad-store';
import type { RootTable } from './root-table';
import { N_FIRST } from './quad-layout';
import { leafLowerBound, nodeLowerBound, SLACK } from './search-kernels';

export interface Neighbor<T> {
  id: string;
  lat: number;
  lng: number;
  distanceMeters: number;
  data?: T;
}

export type NeighborFilter<T> = (id: string, data: T | undefined) => boolean;

/**
 * What nearest and within share: the re-entrancy guard, the node queue (a typed-array min-heap
 * keyed by lower bound, or a plain stack), seeding it with shard roots, and exact settling.
 */
export abstract class SearchBase {
  protected queueKey = new Float64Array(256);
  protected queueNode = new Int32Array(256);
  protected queueSize = 0;
  protected busy = false;
  /** The box whose cells `seed` visits: [minLat, maxLat, minLng, maxLng]. */
  protected readonly box = new Float64Array(4);
  private cachedRadius = -1;
  private cachedRadiusLimit = 0;

  constructor(
    protected readonly store: QuadStore,
    protected readonly grid: CellGrid,
    protected readonly roots: RootTable,
  ) {}

  /** Cached because callers nearly always repeat the same radius. */
  protected radiusLimit(radiusMeters: number): number {
    if (radiusMeters !== this.cachedRadius) {
      this.cachedRadius = radiusMeters;
      this.cachedRadiusLimit = haversineTermForRadius(radiusMeters) * SLACK;
    }
    return this.cachedRadiusLimit;
  }

  protected enter(): void {
    if (this.busy) {
      throw new Error(
        'ShardedQuadtree queried from inside a filter callback; filters must not call back into the index',
      );
    }
    this.busy = true;
  }

  /** Keeps a candidate if it is inside the radius; `key` is its exact haversine term. */
  protected settle<T>(
    out: Neighbor<T>[],
    pos: number,
    id: string,
    data: T | undefined,
    key: number,
    radiusMeters: number,
  ): void {
    const distanceMeters = metersForTerm(key);
    if (distanceMeters > radiusMeters) return;
    const pts = this.store.pts;
    out.push({ id, lat: pts[pos], lng: pts[pos + 1], distanceMeters, data });
  }

  /**
   * Queues the root of every shard but `skipKey` whose cell meets `this.box` (filled by the
   * caller). When the box holds more cells than there are shards (huge radius, polar cap)
   * scanning the shard list is cheaper.
   */
  protected seed(lat: number, lng: number, cosLat: number, limit: number, skipKey: number): void {
    const roots = this.roots;
    if (roots.size === 0) return;
    const grid = this.grid;
    const box = this.box;
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
    if ((lastRow - firstRow + 1) * columns > roots.size) {
      for (let i = 0; i < roots.capacity; i++) {
        const key = roots.keyAt(i);
        if (key >= 0 && key !== skipKey) this.seedRoot(roots.rootAt(i), lat, lng, cosLat, limit);
      }
      return;
    }
    for (let row = firstRow; row <= lastRow; row++) {
      for (let i = 0; i < columns; i++) {
        let col = westCol + i;
        if (col >= grid.lngColumns) col -= grid.lngColumns;
        const key = grid.keyOfCell(row, col);
        if (key === skipKey) continue;
        const root = roots.get(key);
        if (root >= 0) this.seedRoot(root, lat, lng, cosLat, limit);
      }
    }
  }

  protected seedRoot(root: number, lat: number, lng: number, cosLat: number, limit: number): void {
    // Most roots of a sparse area are leaves (a village's drivers): bounded by their points' box.
    const { nodeF, nodeI } = this.store;
    const bound =
      nodeI[(root << 4) + N_FIRST] < 0
        ? leafLowerBound(nodeF, this.store.nodeT, root, lat, lng, cosLat)
        : nodeLowerBound(nodeF, root, lat, lng, cosLat);
    if (bound <= limit) this.pushNode(bound, root);
  }

  protected pushStack(node: number): void {
    if (this.queueSize === this.queueNode.length) this.growQueue();
    this.queueNode[this.queueSize++] = node;
  }

  protected pushNode(key: number, node: number): void {
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

  protected popNode(): number {
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

  protected growQueue(): void {
    const keys = new Float64Array(this.queueKey.length * 2);
    keys.set(this.queueKey);
    const nodes = new Int32Array(this.queueNode.length * 2);
    nodes.set(this.queueNode);
    this.queueKey = keys;
    this.queueNode = nodes;
  }
}
