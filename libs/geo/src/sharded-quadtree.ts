import { CellGrid } from './cells';
import { DEG_TO_RAD } from './geo-math';
import { QuadStore } from './quad-store';
import { RepeatedSlots } from './repeated-slots';
import { type Neighbor, type NeighborFilter, Searcher } from './search';
import { ShardDirectory, type ShardInfo } from './shard-directory';
import {
  assertHandle,
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
   * equator): a city sits in a handful of shards. Each shard holds the quadtrees of the index
   * cells inside it (`indexPrecision`; by default the shard cell itself, one quadtree).
   */
  shardPrecision?: number;
  /** Points a leaf holds before it splits. Default 32: 16 and 64 were slower on kNN. */
  nodeCapacity?: number;
  /**
   * Geohash length of the cells quadtrees are rooted at, at least `shardPrecision`. Default
   * `max(shardPrecision, INDEX_PRECISION)`.
   */
  indexPrecision?: number;
}

export const DEFAULT_SHARD_PRECISION = 4;
export const DEFAULT_NODE_CAPACITY = 48;
/**
 * Geohash length of the cells the quadtrees are rooted at, by default: the shard cells themselves.
 * Precision 5 roots were +6-8% kNN on the uniform benchmark city, but with drivers clustered
 * around real cities they cost 1.4-1.6x in kNN (a query probes the many empty cells around it)
 * and 1.8x in memory (a root and a chunk for every village), measured in one process on the same
 * moved indexes.
 */
export const INDEX_PRECISION = 4;

/**
 * A handle is `generation * SLOT_LIMIT + slot`: a non-negative integer below 2^52, so a plain
 * number, whose low bits are the slot (`handle & SLOT_MASK`, exact for integers below 2^53).
 * The generation changes each time a slot is reused, so a handle kept past its point's removal
 * is refused instead of moving somebody else. The store keeps each slot's handle beside its
 * position and leaf; a free slot holds minus the handle its next point will get, which no valid
 * handle equals.
 */
const SLOT_LIMIT = 2 ** 26;
const SLOT_MASK = SLOT_LIMIT - 1;
const HANDLE_LIMIT = 2 ** 52;
/** Pings `moveMany` checks before moving any: their slot records (32 B each) stay within L1. */
const MOVE_BLOCK = 256;

export interface NearestOptions<T> {
  /** Maximum number of results, a positive integer. */
  k: number;
  /** Only points at most this far (great-circle metres) are returned; Infinity for no limit. */
  radiusMeters: number;
  /** Applied during the search, so k matches are found even when most nearby points fail it. */
  filter?: NeighborFilter<T>;
}

/** How upserts were served since construction; the in-place share is what keeps pings cheap. */
export interface MoveCounters {
  inserts: number;
  inPlaceMoves: number;
  leafMoves: number;
  shardMoves: number;
}

/**
 * Latest position of every driver, indexed for k-nearest and radius queries.
 *
 * The world is cut into geohash cells (`shardPrecision`); each non-empty cell is a shard holding
 * point quadtrees, one per non-empty index cell (`indexPrecision`, by default the shard cell)
 * inside it. Results are ordered by haversine distance, ties broken by id (code-unit order).
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
  private readonly directory: ShardDirectory;
  private readonly searcher: Searcher;
  private readonly slots = new Map<string, number>();
  /** Slots ever allocated; removed ones wait in `freeSlots`. */
  private slotTop = 0;
  private readonly freeSlots: number[] = [];
  private readonly blockSlots = new Int32Array(MOVE_BLOCK);
  private readonly blockHandles = new Float64Array(MOVE_BLOCK);
  private readonly blockCos = new Float64Array(MOVE_BLOCK);
  /** 1 where a block's ping was inside its slot's box when the block was checked. */
  private readonly blockFits = new Uint8Array(MOVE_BLOCK);
  private readonly repeats = new RepeatedSlots(MOVE_BLOCK);

  constructor(options: ShardedQuadtreeOptions = {}) {
    const shardPrecision = options.shardPrecision ?? DEFAULT_SHARD_PRECISION;
    const nodeCapacity = options.nodeCapacity ?? DEFAULT_NODE_CAPACITY;
    assertIntegerOption('nodeCapacity', nodeCapacity, 1, 4096);
    this.shardGrid = new CellGrid(shardPrecision);
    const indexPrecision = options.indexPrecision ?? Math.max(shardPrecision, INDEX_PRECISION);
    assertIntegerOption('indexPrecision', indexPrecision, shardPrecision, 8);
    this.grid = new CellGrid(indexPrecision);
    this.shardPrecision = shardPrecision;
    this.nodeCapacity = nodeCapacity;
    this.store = new QuadStore(nodeCapacity);
    this.directory = new ShardDirectory(this.grid, this.shardGrid, this.store);
    this.searcher = new Searcher(this.store, this.grid, this.directory.roots);
  }

  get size(): number {
    return this.slots.size;
  }

  get shardCount(): number {
    return this.directory.shardCount;
  }

  /** Quadtree nodes alive across all shards (roots included). */
  get nodeCount(): number {
    return this.store.nodeTotal;
  }

  /**
   * Inserts `id` at (lat, lng) or moves it there, and returns the point's handle (see `move`).
   * `data` replaces the stored data when given; omitting it keeps the previous data, so a
   * position ping need not resend the driver's status.
   */
  upsert(id: string, lat: number, lng: number, data?: T): number {
    if (typeof id !== 'string' || id.length === 0) assertId(id);
    // Negated comparisons also reject NaN and non-numbers.
    if (!(lat >= -90 && lat <= 90)) assertLat(lat);
    if (!(lng >= -180 && lng <= 180)) assertLng(lng);
    const slot = this.slots.get(id);
    if (slot === undefined) return this.insertNew(id, lat, lng, data);
    this.moveSlot(slot, lat, lng, Math.cos(lat * DEG_TO_RAD), data);
    return this.store.handleAt(slot);
  }

  /**
   * Moves the point `handle` names (what `upsert` or `handleOf` returned) to (lat, lng): an
   * upsert of a known point without the id -> slot lookup, which under pings in network order
   * is most of an upsert's time (a hash probe and the id string, both cache misses). The handle
   * stays valid until its point is removed; after that it throws, even once the slot is reused.
   */
  move(handle: number, lat: number, lng: number, data?: T): void {
    const slot = this.slotOf(handle);
    if (!(lat >= -90 && lat <= 90)) assertLat(lat);
    if (!(lng >= -180 && lng <= 180)) assertLng(lng);
    this.moveSlot(slot, lat, lng, Math.cos(lat * DEG_TO_RAD), data);
  }

  /**
   * A batch of pings by handle: moves `handles[i]` to (`lat[i]`, `lng[i]`) for every i < count,
   * in order: the index ends as that many `move` calls would leave it, without data (only
   * `counters` may differ: see `moveBlock`). For a gateway that buffers the pings of a few
   * milliseconds: on a large index each ping's slot record and point are cache misses. This first
   * reads a block's slot records in a tight loop whose misses overlap, then checks the block, in
   * cache: the entries, each ping against its slot's box, and the cosines of the latitudes. Then
   * it moves the block (`moveBlock`). An invalid entry throws before anything of its block of
   * MOVE_BLOCK pings is moved; the blocks before it stay applied.
   */
  moveMany(
    handles: ArrayLike<number>,
    lat: ArrayLike<number>,
    lng: ArrayLike<number>,
    count: number = handles.length,
  ): void {
    if (
      !Number.isInteger(count) ||
      count < 0 ||
      count > Math.min(handles.length, lat.length, lng.length)
    ) {
      throw new RangeError(
        `count must be an integer in [0, shortest of handles, lat and lng = ${Math.min(handles.length, lat.length, lng.length)}], got ${String(count)}`,
      );
    }
    const store = this.store;
    const slots = this.blockSlots;
    const seen = this.blockHandles;
    const cos = this.blockCos;
    const fits = this.blockFits;
    for (let from = 0; from < count; from += MOVE_BLOCK) {
      const n = Math.min(MOVE_BLOCK, count - from);
      // Three tight loops before any move: slots, the handles their records hold (each a miss on
      // a large index, independent of the others, so they overlap), then the checks, in cache.
      for (let i = 0; i < n; i++) slots[i] = handles[from + i] & SLOT_MASK;
      store.handlesAt(slots, seen, n);
      for (let i = 0; i < n; i++) {
        const handle = handles[from + i];
        if (!isLive(handle, seen[i])) assertHandle(handle);
        const pLat = lat[from + i];
        const pLng = lng[from + i];
        if (!(pLat >= -90 && pLat <= 90)) assertLat(pLat, `lat[${from + i}]`);
        if (!(pLng >= -180 && pLng <= 180)) assertLng(pLng, `lng[${from + i}]`);
        cos[i] = Math.cos(pLat * DEG_TO_RAD);
        fits[i] = store.inSlotBox(slots[i], pLat, pLng) ? 1 : 0;
      }
      this.moveBlock(n, lat, lng, from);
    }
  }

  /** The handle of `id`'s point, undefined when it is not indexed. */
  handleOf(id: string): number | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.store.handleAt(slot);
  }

  /** Removes `id`; false when it was not indexed. Its handle is refused from then on. */
  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const store = this.store;
    const pos = store.posOf(slot);
    this.directory.detach(slot, this.grid.keyOf(store.pts[pos], store.pts[pos + 1]));
    this.slots.delete(id);
    // The generation wraps to 1, not 0: slot 0's handle 0 must not come back as a free -0.
    const next = store.handleAt(slot) + SLOT_LIMIT;
    store.setHandle(slot, -(next < HANDLE_LIMIT ? next : slot + SLOT_LIMIT));
    this.freeSlots.push(slot);
    return true;
  }

  get(id: string): { lat: number; lng: number; data?: T } | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    const pos = this.store.posOf(slot);
    return {
      lat: this.store.pts[pos],
      lng: this.store.pts[pos + 1],
      data: this.store.dataOf(slot) as T | undefined,
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
    return this.searcher.nearest(lat, lng, k, radiusMeters, filter);
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
    return this.searcher.within(lat, lng, radiusMeters, filter);
  }

  /** Geohash cell of the shard that holds (or would hold) a point at (lat, lng). */
  shardCellOf(lat: number, lng: number): string {
    assertLat(lat);
    assertLng(lng);
    return this.shardGrid.nameOf(this.shardGrid.keyOf(lat, lng));
  }

  /** Every non-empty shard, in no particular order. */
  shards(): IterableIterator<ShardInfo> {
    return this.directory.shards();
  }

  /** Snapshot of `shards()` sorted by cell, convenient for stats endpoints and tests. */
  shardStats(): ShardInfo[] {
    return [...this.shards()].sort((a, b) => (a.cell < b.cell ? -1 : a.cell > b.cell ? 1 : 0));
  }

  /** The slot a live handle names; throws for anything else. */
  private slotOf(handle: number): number {
    const slot = handle & SLOT_MASK;
    if (!isLive(handle, this.store.handleAt(slot))) assertHandle(handle);
    return slot;
  }

  /**
   * Moves a checked block of `moveMany`. `fits[i]` says ping i was inside its slot's box when the
   * block was checked, so it needs nothing but its point written. Those writes go first, in a loop
   * of their own (stores to missing lines, which overlap); the other pings then move in order by
   * the checked path. Writing the fitting pings first is what keeps their checks true: nothing has
   * moved yet, and a later split or fold re-appends a point with the position already written.
   * Only a slot pinged twice in the block is order-sensitive that way, so all its pings take the
   * checked path, in order. A ping written first may count as in place where one `move` at a time
   * would have found its leaf split by then and counted a leaf move; where the points end is the
   * same. Against moving the block in order with every check at its move: clustered 1M 0.92x the
   * time per ping, uniform 1M 0.99x (both indexes in one process, steps alternating).
   */
  private moveBlock(n: number, lat: ArrayLike<number>, lng: ArrayLike<number>, from: number): void {
    const store = this.store;
    const slots = this.blockSlots;
    const cos = this.blockCos;
    const fits = this.blockFits;
    this.repeats.mark(slots, n, fits);
    let written = 0;
    for (let i = 0; i < n; i++) {
      if (fits[i] === 0) continue;
      store.writePoint(slots[i], lat[from + i], lng[from + i], cos[i]);
      written++;
    }
    this.counters.inPlaceMoves += written;
    for (let i = 0; i < n; i++) {
      if (fits[i] === 1) continue;
      this.moveSlot(slots[i], lat[from + i], lng[from + i], cos[i], undefined);
    }
  }

  /**
   * The move behind `upsert`, `move` and `moveMany`: in place, within the index cell, or across
   * cells. `cos` is Math.cos(lat * DEG_TO_RAD).
   */
  private moveSlot(slot: number, lat: number, lng: number, cos: number, data: T | undefined): void {
    const store = this.store;
    if (data !== undefined) store.setData(slot, data);
    if (store.moveInPlace(slot, lat, lng, cos)) {
      this.counters.inPlaceMoves++;
      return;
    }
    // From the leaf, whose record moveInPlace has just read, not the point: that is a miss.
    const oldKey = this.grid.keyOf(store.leafMidLat(slot), store.leafMidLng(slot));
    const newKey = this.grid.keyOf(lat, lng);
    if (oldKey === newKey) {
      store.move(slot, lat, lng);
      this.counters.leafMoves++;
      return;
    }
    const id = store.idOf(slot);
    const value = store.dataOf(slot);
    const directory = this.directory;
    directory.detach(slot, oldKey);
    store.insert(directory.rootFor(newKey), slot, lat, lng, id, value);
    if (directory.shardKeyOf(newKey) === directory.shardKeyOf(oldKey)) this.counters.leafMoves++;
    else this.counters.shardMoves++;
  }

  private insertNew(id: string, lat: number, lng: number, data: T | undefined): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotTop;
      if (slot >= SLOT_LIMIT) {
        throw new RangeError(`the index holds at most ${SLOT_LIMIT} points; remove some first`);
      }
      this.slotTop++;
      this.store.ensureSlots(slot + 1);
      this.store.setHandle(slot, slot);
    } else {
      this.store.setHandle(slot, -this.store.handleAt(slot));
    }
    this.slots.set(id, slot);
    if (data !== undefined) this.store.enableData();
    const root = this.directory.rootFor(this.grid.keyOf(lat, lng));
    this.store.insert(root, slot, lat, lng, id, data);
    this.counters.inserts++;
    return this.store.handleAt(slot);
  }
}

/** Whether `handle` is the one its slot's record holds, i.e. names a point still indexed. */
function isLive(handle: number, stored: number): boolean {
  // `>= 0` first: a negative number could otherwise equal a free slot's marker.
  return handle >= 0 && stored === handle;
}

function assertFilter(filter: unknown): void {
  if (filter !== undefined && typeof filter !== 'function') {
    throw new RangeError(`filter must be a function (id, data) => boolean, got ${typeof filter}`);
  }
}
