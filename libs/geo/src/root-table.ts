/**
 * Index cell key -> quadtree root node, the lookup every query starts with and repeats for each
 * neighbouring cell. Open addressing with linear probing over one Float64Array of (key, root)
 * pairs, so a probe reads one cache line, where a Map<number, object> read a bucket, an entry and
 * the object: three or four cache misses on a query far from the previous one, which with drivers
 * spread over the world's cities was a fifth of a query's time. Keys are CellGrid keys
 * (non-negative integers below 2^40); removal shifts the probe run back, so no tombstones pile up
 * as cells empty and fill again.
 */
const EMPTY = -1;
const MIN_CAPACITY = 16;

/** Mixes both halves of a key below 2^40 (multiplicative hashing, then a fold). */
function hash(key: number): number {
  const lo = key >>> 0;
  const hi = Math.floor(key / 4294967296);
  const h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  return h ^ (h >>> 15);
}

export class RootTable {
  /** (key, root) at 2i, 2i + 1; key EMPTY marks a free entry. */
  private entries = new Float64Array(2 * MIN_CAPACITY).fill(EMPTY);
  private mask = MIN_CAPACITY - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Entries to scan with `keyAt` / `rootAt` (free ones have key -1). */
  get capacity(): number {
    return this.mask + 1;
  }

  keyAt(i: number): number {
    return this.entries[i << 1];
  }

  rootAt(i: number): number {
    return this.entries[(i << 1) + 1];
  }

  /** The root of cell `key`, or -1 when the cell holds no points. */
  get(key: number): number {
    const entries = this.entries;
    const mask = this.mask;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const k = entries[i << 1];
      if (k === key) return entries[(i << 1) + 1];
      if (k === EMPTY) return -1;
    }
  }

  /** Adds a cell that is not in the table yet. */
  add(key: number, root: number): void {
    // At most half full, so probe runs stay short.
    if ((this.count + 1) * 2 > this.capacity) this.rehash(this.capacity * 2);
    this.place(key, root);
    this.count++;
  }

  /** Removes a cell that is in the table. */
  delete(key: number): void {
    const entries = this.entries;
    const mask = this.mask;
    let hole = hash(key) & mask;
    while (entries[hole << 1] !== key) hole = (hole + 1) & mask;
    // Backward shift: move up every later entry of the run whose home is not in (hole, j].
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const k = entries[j << 1];
      if (k === EMPTY) break;
      const home = hash(k) & mask;
      const stays = j > hole ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      entries[hole << 1] = k;
      entries[(hole << 1) + 1] = entries[(j << 1) + 1];
      hole = j;
    }
    entries[hole << 1] = EMPTY;
    this.count--;
    if (this.count * 8 < this.capacity && this.capacity > MIN_CAPACITY) {
      this.rehash(this.capacity / 2);
    }
  }

  private place(key: number, root: number): void {
    const entries = this.entries;
    const mask = this.mask;
    let i = hash(key) & mask;
    while (entries[i << 1] !== EMPTY) i = (i + 1) & mask;
    entries[i << 1] = key;
    entries[(i << 1) + 1] = root;
  }

  private rehash(capacity: number): void {
    const old = this.entries;
    this.entries = new Float64Array(2 * capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY) this.place(old[i], old[i + 1]);
  }
}
