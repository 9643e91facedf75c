/**
 * The memory layout of the quadtree store, shared by the store that writes it and the search that
 * reads it: where a point, a chunk's metadata and a node's record sit in the typed arrays.
 */
/** Points per storage chunk. Leaves chain chunks, so a leaf wastes at most CHUNK - 1 positions. */
export const CHUNK_SHIFT = 4;
export const CHUNK = 1 << CHUNK_SHIFT;
/**
 * A point is four doubles side by side in `pts`: lat, lng, cos(lat), and an Int32 pair (read
 * through `ptInt`, the Int32 view of the same buffer) holding the slot and one word of chunk
 * metadata. A chunk is therefore 512 contiguous bytes, eight cache lines with nothing else in
 * them. A position is the index of a point's lat in `pts`.
 */
export const PT_STRIDE = 4;
/** position >> POS_SHIFT is the chunk; a chunk's positions are (chunk << POS_SHIFT) + 4i. */
export const POS_SHIFT = CHUNK_SHIFT + 2;
/** The point at a position, an index into arrays kept per point (ids, data). */
export const pointOf = (pos: number): number => pos >> 2;
/** Index of a position's slot in `ptInt`. */
export const slotIndex = (pos: number): number => (pos << 1) + 6;
/** Chunk metadata in the spare Int32 words of its first points: ptInt[(chunk << CHUNK_INT_SHIFT) + C_*]. */
export const C_NEXT = 7;
export const C_COUNT = 15;
export const CHUNK_INT_SHIFT = POS_SHIFT + 1;

/**
 * What a query reads of a node is one 64-byte record: doubles minLat, maxLat, minLng, maxLng,
 * min cos(lat) in `nodeF` at (node << 3) + i, and the first child, the head chunk and the mask of
 * non-empty children in `nodeI` (same buffer) at (node << 4) + N_FIRST / N_HEAD / N_MASK.
 * Counts, parents and depths, which only updates walk, live in compact arrays of their own.
 */
export const NODE_SHIFT = 3;
export const N_MIN_COS = 4;
export const N_FIRST = 10;
export const N_HEAD = 11;
/**
 * Bit i is set while child first + i holds points, so a search never queues an empty quadrant:
 * with drivers clustered in cities most quadrants of a sparse area are empty, and each one queued
 * would cost a heap push, a pop and a cache miss on its record.
 */
export const N_MASK = 12;
/**
 * A leaf has no children, so it has no mask either: its words N_MASK..N_MASK + 3 hold, as float32
 * (read through `nodeT`, the Float32 view of the same buffer, at (node << 4) + N_TIGHT + i), a box
 * holding all its points: minLat, maxLat, minLng, maxLng, rounded outwards. A shard root that is a
 * leaf keeps the box of its points (widened with a small margin, never shrunk until the root
 * splits, folds or is freed; an empty one is (+Inf, -Inf) and bounds Infinity), and the search
 * seeds such roots by it: in a village the drivers fill a corner of a 39 km x 20 km cell. Deeper
 * leaves keep their quadrant there (see QuadNodes.resetTight).
 */
export const N_TIGHT = N_MASK;

/** The greatest float32 <= x. */
export function float32AtMost(x: number): number {
  return -float32AtLeast(-x);
}

/**
 * Deepest level below a shard root. Past it a leaf only grows its chunk chain, so many drivers at
 * one spot cannot recurse forever; 30 levels keep every midpoint exact (precision 8 + 30 < 52 bits)
 * while still resolving ~1e-5 m at precision 1.
 */
export const MAX_DEPTH = 30;

export function grownInt32(old: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(old);
  return next;
}

export function grownFloat64(old: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(old);
  return next;
}

/** 1.5x rather than 2x growth: at a million drivers the slack of doubling would cost ~30 B each. */
export function nextCapacity(current: number, needed: number): number {
  return Math.max(needed, Math.ceil(current * 1.5) + 16);
}

/** A slot's record is 8 Int32 words: position, leaf, the handle (a double), the float32 box. */
export const S_SHIFT = 3;
export const S_BOX = 4;

const f32 = new Float32Array(1);
const f32Bits = new Int32Array(f32.buffer);

/** The least float32 >= x: the leaf boxes in slot records are rounded inwards, never outwards. */
export function float32AtLeast(x: number): number {
  f32[0] = x;
  const f = f32[0];
  if (f >= x) return f;
  // One float32 step up: towards zero for a negative value, away from it for a positive one.
  f32Bits[0] = f > 0 ? f32Bits[0] + 1 : f < 0 ? f32Bits[0] - 1 : 1;
  return f32[0];
}
