import { CellGrid } from './cells';
import { NODE_SHIFT, QuadStore } from './quad-store';
import { type Neighbor, type NeighborFilter, Searcher, type ShardRef } from './search';
import {
  assertId,
  assertIntegerOption,
  assertK,
  assertLat,
  assertLng,
  assertRadius,
} from './validate';

export interface ShardedQuadtreeOptions {
  /**
   * Geohash length of a shard cell, as `shards()` reports them. Default 4 (~39 km x 20 km at the
   * equator): a city sits in a handful of shards. Inside, each shard is split further into
   * quadtrees rooted at cells of `max(shardPrecision, INDEX_PRECISION)`.
   */
  shardPrecision?: number;
  /** Points a leaf holds before it splits. Default 32: 16 and 64 were slower on kNN. */
  nodeCapacity?: number;
}

export const DEFAULT_SHARD_PRECISION = 4;
export const DEFAULT_NODE_CAPACITY = 32;
/**
 * Geohash length of the cells the quadtrees are rooted at (when shardPrecision is coarser): a hash
 * lookup replaces the top levels of every descent. Measured against precision 4 roots on the
 * benchmark city: +10% kNN at 100k drivers and +14% at 1M; precision 6 was slower at 1M.
 */
export const INDEX_PRECISION = 5;

export interface NearestOptions<T> {
  /** Maximum number of results, a positive integer. */
  k: number;
  /** Only points at most this far (great-circle metres) are returned; Infinity for no limit. */
  radiusMeters: number;
  /** Applied during the search, so k matches are found even when most nearby points fail it. */
  filter?: NeighborFilter<T>;
}

/** One shard as reported to stats and the admin surge map. Bounds are the geohash cell's. */
export interface ShardInfo {
  cell: string;
  size: number;
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

/** How upserts were served since construction; the in-place share is what keeps pings cheap. */
export interface MoveCounters {
  inserts: number;
  inPlaceMoves: number;
  leafMoves: number;
  shardMoves: number;
}

/** A quadtree root: an index cell (`key`) inside the shard cell `shardKey`. */
interface Root extends ShardRef {
  shardKey: number;
}

/** A shard as reported: how many non-empty index cells it has, and its name once asked for. */
interface ShardCell {
  roots: number;
  cell: string | undefined;
}

/**
 * Latest position of every driver, indexed for k-nearest and radius queries.
 *
 * The world is cut into geohash cells (`shardPrecision`); each non-empty cell is a shard holding
 * point quadtrees, one per non-empty index cell (`INDEX_PRECISION`) inside it. Results are ordered by haversine distance, ties broken by id (code-unit order).
 * Not re-entrant: a filter must not call back into the same index.
 */
export class ShardedQuadtree<T = unknown> {
  readonly shardPrecision: number;
  readonly nodeCapacity: number;
  readonly counters: MoveCounters = { inserts: 0, inPlaceMoves: 0, leafMoves: 0, shardMoves: 0 };

  /** Index cells, where quadtrees are rooted, and shard cells, which group them for reporting. */
  private readonly grid: CellGrid;
  private readonly shardGrid: CellGrid;
  private readonly store: QuadStore;
  private readonly roots = new Map<number, Root>();
  private readonly shardCells = new Map<number, ShardCell>();
  private readonly searcher: Searcher;
  private readonly slots = new Map<string, number>();
  private readonly ids: string[] = [];
  /** Created on the first upsert that carries data, so pure position indexes pay nothing for it. */
  private data: (T | undefined)[] | undefined;
  private readonly freeSlots: number[] = [];

  constructor(options: ShardedQuadtreeOptions = {}) {
    const shardPrecision = options.shardPrecision ?? DEFAULT_SHARD_PRECISION;
    const nodeCapacity = options.nodeCapacity ?? DEFAULT_NODE_CAPACITY;
    assertIntegerOption('nodeCapacity', nodeCapacity, 1, 4096);
    this.shardGrid = new CellGrid(shardPrecision);
    this.grid = new CellGrid(Math.max(shardPrecision, INDEX_PRECISION));
    this.shardPrecision = shardPrecision;
    this.nodeCapacity = nodeCapacity;
    this.store = new QuadStore(nodeCapacity);
    this.searcher = new Searcher(this.store, this.grid, this.roots);
  }

  get size(): number {
    return this.slots.size;
  }

  get shardCount(): number {
    return this.shardCells.size;
  }

  /** Quadtree nodes alive across all shards (roots included). */
  get nodeCount(): number {
    return this.store.nodeTotal;
  }

  /**
   * Inserts `id` at (lat, lng) or moves it there. `data` replaces the stored data when given;
   * omitting it keeps the previous data, so a position ping need not resend the driver's status.
   */
  upsert(id: string, lat: number, lng: number, data?: T): void {
    if (typeof id !== 'string' || id.length === 0) assertId(id);
    // Negated comparisons also reject NaN and non-numbers.
    if (!(lat >= -90 && lat <= 90)) assertLat(lat);
    if (!(lng >= -180 && lng <= 180)) assertLng(lng);
    const slot = this.slots.get(id);
    if (slot === undefined) {
      this.insertNew(id, lat, lng, data);
      return;
    }
    if (data !== undefined) this.setData(slot, data);
    const store = this.store;
    const b = store.leafOf(slot) << NODE_SHIFT;
    const bounds = store.nodeF;
    // Leaf bounds are (lo, hi], the same rule the descent uses, so this is exactly "same leaf".
    if (lat > bounds[b] && lat <= bounds[b + 1] && lng > bounds[b + 2] && lng <= bounds[b + 3]) {
      store.moveInPlace(slot, lat, lng);
      this.counters.inPlaceMoves++;
      return;
    }
    const pos = store.slotPos[slot];
    const oldKey = this.grid.keyOf(store.pts[pos], store.pts[pos + 1]);
    const newKey = this.grid.keyOf(lat, lng);
    if (oldKey === newKey) {
      store.move(slot, lat, lng);
      this.counters.leafMoves++;
      return;
    }
    const oldShard = this.shardKeyOf(oldKey);
    this.detach(slot, oldKey);
    const root = this.rootFor(newKey);
    store.insert(root.root, slot, lat, lng);
    if (root.shardKey === oldShard) this.counters.leafMoves++;
    else this.counters.shardMoves++;
  }

  /** Removes `id`; false when it was not indexed. */
  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const store = this.store;
    const pos = store.slotPos[slot];
    this.detach(slot, this.grid.keyOf(store.pts[pos], store.pts[pos + 1]));
    this.slots.delete(id);
    this.ids[slot] = '';
    if (this.data !== undefined) this.data[slot] = undefined;
    this.freeSlots.push(slot);
    return true;
  }

  get(id: string): { lat: number; lng: number; data?: T } | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    const pos = this.store.slotPos[slot];
    return {
      lat: this.store.pts[pos],
      lng: this.store.pts[pos + 1],
      data: this.data === undefined ? undefined : this.data[slot],
    };
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /**
   * At most `k` points passing `filter` within `radiusMeters` of (lat, lng), closest first;
   * equal distances are ordered by id.
   */
  nearest(lat: number, lng: number, options: NearestOptions<T>): Neighbor<T>[] {
    assertLat(lat);
    assertLng(lng);
    if (options === null || typeof options !== 'object') {
      throw new RangeError('options must be an object { k, radiusMeters, filter? }');
    }
    const { k, radiusMeters, filter } = options;
    assertK(k);
    assertRadius(radiusMeters);
    assertFilter(filter);
    if (this.slots.size === 0) return [];
    return this.searcher.nearest(lat, lng, k, radiusMeters, filter, this.ids, this.data);
  }

  /** Every point passing `filter` within `radiusMeters` of (lat, lng), closest first, ties by id. */
  within(
    lat: number,
    lng: number,
    radiusMeters: number,
    filter?: NeighborFilter<T>,
  ): Neighbor<T>[] {
    assertLat(lat);
    assertLng(lng);
    assertRadius(radiusMeters);
    assertFilter(filter);
    if (this.slots.size === 0) return [];
    return this.searcher.within(lat, lng, radiusMeters, filter, this.ids, this.data);
  }

  /** Geohash cell of the shard that holds (or would hold) a point at (lat, lng). */
  shardCellOf(lat: number, lng: number): string {
    assertLat(lat);
    assertLng(lng);
    return this.shardGrid.nameOf(this.shardGrid.keyOf(lat, lng));
  }

  /** Every non-empty shard, in no particular order. */
  *shards(): IterableIterator<ShardInfo> {
    const sizes = new Map<number, number>();
    for (const root of this.roots.values()) {
      sizes.set(root.shardKey, (sizes.get(root.shardKey) ?? 0) + this.store.countOf(root.root));
    }
    const grid = this.shardGrid;
    for (const [key, size] of sizes) {
      const shard = this.shardCells.get(key) as ShardCell;
      if (shard.cell === undefined) shard.cell = grid.nameOf(key);
      const minLat = grid.minLatOf(key);
      const minLng = grid.minLngOf(key);
      yield {
        cell: shard.cell,
        size,
        minLat,
        minLng,
        maxLat: minLat + grid.cellLatDeg,
        maxLng: minLng + grid.cellLngDeg,
      };
    }
  }

  /** Snapshot of `shards()` sorted by cell, convenient for stats endpoints and tests. */
  shardStats(): ShardInfo[] {
    return [...this.shards()].sort((a, b) => (a.cell < b.cell ? -1 : a.cell > b.cell ? 1 : 0));
  }

  private insertNew(id: string, lat: number, lng: number, data: T | undefined): void {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.ids.length;
      this.ids.push(id);
      this.store.ensureSlots(slot + 1);
      if (this.data !== undefined) this.data.push(undefined);
    } else {
      this.ids[slot] = id;
    }
    this.slots.set(id, slot);
    if (data !== undefined) this.setData(slot, data);
    this.store.insert(this.rootFor(this.grid.keyOf(lat, lng)).root, slot, lat, lng);
    this.counters.inserts++;
  }

  private setData(slot: number, value: T): void {
    if (this.data === undefined) {
      this.data = new Array<T | undefined>(this.ids.length).fill(undefined);
    }
    this.data[slot] = value;
  }

  /** The shard cell holding an index cell: index cells nest exactly inside shard cells. */
  private shardKeyOf(key: number): number {
    const grid = this.grid;
    const shardGrid = this.shardGrid;
    const row = Math.floor(key / grid.lngColumns);
    const col = key - row * grid.lngColumns;
    return (
      Math.floor(row / (grid.latRows / shardGrid.latRows)) * shardGrid.lngColumns +
      Math.floor(col / (grid.lngColumns / shardGrid.lngColumns))
    );
  }

  private rootFor(key: number): Root {
    let root = this.roots.get(key);
    if (root === undefined) {
      const grid = this.grid;
      const minLat = grid.minLatOf(key);
      const minLng = grid.minLngOf(key);
      const node = this.store.allocRoot(
        minLat,
        minLat + grid.cellLatDeg,
        minLng,
        minLng + grid.cellLngDeg,
      );
      root = { key, root: node, shardKey: this.shardKeyOf(key) };
      this.roots.set(key, root);
      const shard = this.shardCells.get(root.shardKey);
      if (shard === undefined) this.shardCells.set(root.shardKey, { roots: 1, cell: undefined });
      else shard.roots++;
    }
    return root;
  }

  /** Takes a slot out of its quadtree and drops the root (and the shard) when it empties. */
  private detach(slot: number, key: number): void {
    if (this.store.remove(slot) === 0) {
      const root = this.roots.get(key) as Root;
      this.store.freeRoot(root.root);
      this.roots.delete(key);
      const shard = this.shardCells.get(root.shardKey) as ShardCell;
      if (--shard.roots === 0) this.shardCells.delete(root.shardKey);
    }
  }
}

function assertFilter(filter: unknown): void {
  if (filter !== undefined && typeof filter !== 'function') {
    throw new RangeError(`filter must be a function (id, data) => boolean, got ${typeof filter}`);
  }
}
