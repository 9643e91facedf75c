import type { CellGrid } from './cells';
import type { QuadStore } from './quad-store';
import { RootTable } from './root-table';

/** One shard as reported to stats and the admin surge map. Bounds are the geohash cell's. */
export interface ShardInfo {
  cell: string;
  size: number;
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

/** A shard as reported: how many non-empty index cells it has, and its name once asked for. */
interface ShardCell {
  roots: number;
  cell: string | undefined;
}

/**
 * Which index cells have a quadtree, and which shards those cells make up: the root of a cell is
 * created with its first point and freed with its last, and a shard lives while any of its index
 * cells does. Index cells nest exactly inside shard cells (`indexPrecision >= shardPrecision`).
 */
export class ShardDirectory {
  /** Index cell key -> root node of its quadtree, for every cell that holds points. */
  readonly roots = new RootTable();
  private readonly shardCells = new Map<number, ShardCell>();

  constructor(
    private readonly grid: CellGrid,
    private readonly shardGrid: CellGrid,
    private readonly store: QuadStore,
  ) {}

  get shardCount(): number {
    return this.shardCells.size;
  }

  /** The shard cell holding an index cell. */
  shardKeyOf(key: number): number {
    const grid = this.grid;
    const shardGrid = this.shardGrid;
    const row = Math.floor(key / grid.lngColumns);
    const col = key - row * grid.lngColumns;
    return (
      Math.floor(row / (grid.latRows / shardGrid.latRows)) * shardGrid.lngColumns +
      Math.floor(col / (grid.lngColumns / shardGrid.lngColumns))
    );
  }

  /** The root node of index cell `key`, created (with its shard) when the cell was empty. */
  rootFor(key: number): number {
    let root = this.roots.get(key);
    if (root < 0) {
      const grid = this.grid;
      const minLat = grid.minLatOf(key);
      const minLng = grid.minLngOf(key);
      root = this.store.allocRoot(
        minLat,
        minLat + grid.cellLatDeg,
        minLng,
        minLng + grid.cellLngDeg,
      );
      this.roots.add(key, root);
      const shardKey = this.shardKeyOf(key);
      const shard = this.shardCells.get(shardKey);
      if (shard === undefined) this.shardCells.set(shardKey, { roots: 1, cell: undefined });
      else shard.roots++;
    }
    return root;
  }

  /** Takes a slot out of its quadtree (in cell `key`); drops the root and shard when they empty. */
  detach(slot: number, key: number): void {
    if (this.store.remove(slot) === 0) {
      this.store.freeRoot(this.roots.get(key));
      this.roots.delete(key);
      const shardKey = this.shardKeyOf(key);
      const shard = this.shardCells.get(shardKey) as ShardCell;
      if (--shard.roots === 0) this.shardCells.delete(shardKey);
    }
  }

  /** Every non-empty shard, in no particular order. */
  *shards(): IterableIterator<ShardInfo> {
    const sizes = new Map<number, number>();
    const roots = this.roots;
    for (let i = 0; i < roots.capacity; i++) {
      const key = roots.keyAt(i);
      if (key < 0) continue;
      const shardKey = this.shardKeyOf(key);
      sizes.set(shardKey, (sizes.get(shardKey) ?? 0) + this.store.countOf(roots.rootAt(i)));
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
}
