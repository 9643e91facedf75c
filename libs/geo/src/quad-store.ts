import { DEG_TO_RAD } from './geo-math';

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
 * Deepest level below a shard root. Past it a leaf only grows its chunk chain, so many drivers at
 * one spot cannot recurse forever; 30 levels keep every midpoint exact (precision 8 + 30 < 52 bits)
 * while still resolving ~1e-5 m at precision 1.
 */
export const MAX_DEPTH = 30;

function grownInt32(old: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(old);
  return next;
}

function grownFloat64(old: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(old);
  return next;
}

/** 1.5x rather than 2x growth: at a million drivers the slack of doubling would cost ~30 B each. */
function nextCapacity(current: number, needed: number): number {
  return Math.max(needed, Math.ceil(current * 1.5) + 16);
}

/**
 * Storage for every shard's point quadtree: nodes, leaf buckets and driver slots live in shared
 * typed arrays so an upsert allocates nothing and a leaf scan reads contiguous memory.
 *
 * Nodes are allocated in quads (four siblings at consecutive indices), so an internal node only
 * stores its first child. A leaf holds its points in a chain of CHUNK-sized chunks; every chunk
 * but the head is full, which makes removal a swap with the head's last point.
 * Bounds are (lo, hi] like the shard grid: a coordinate on a midline goes to the lower child.
 */
export class QuadStore {
  readonly nodeCapacity: number;
  /** An internal node at or below this many points folds back into a leaf (hysteresis vs split). */
  readonly mergeAt: number;

  nodeF = new Float64Array(0);
  nodeI = new Int32Array(0);
  private nodeCount = new Int32Array(0);
  private nodeParent = new Int32Array(0);
  private nodeDepth = new Int32Array(0);
  private nodeTop = 0;
  private nodeCapacityTotal = 0;
  private freeQuads: number[] = [];
  /** Roots have no siblings, so they are handed out one node at a time from quads split up here. */
  private freeRoots: number[] = [];
  private liveNodes = 0;

  /** Math.cos(lat * DEG_TO_RAD) is bit-identical to what haversineMeters computes. */
  pts = new Float64Array(0);
  ptInt = new Int32Array(0);
  private chunkTop = 0;
  private chunkCapacity = 0;
  private freeChunks: number[] = [];

  /**
   * A slot's record, 16 bytes at slot << 2 in `slotRec` (Int32) and `slotF` (Float64, same
   * buffer): position, leaf, and the handle the index issued for the slot. A ping reads all three
   * in one cache line, then the leaf's record and the point: three lines in all. The search never
   * reads it.
   */
  private slotRec = new Int32Array(0);
  private slotF = new Float64Array(0);
  /** Where `warm` leaves its sum, so the loads it exists for are not optimised away. */
  private warmSink = 0;

  constructor(nodeCapacity: number) {
    this.nodeCapacity = nodeCapacity;
    this.mergeAt = nodeCapacity >> 1;
  }

  get nodeTotal(): number {
    return this.liveNodes;
  }

  /** Points under a node. */
  countOf(node: number): number {
    return this.nodeCount[node];
  }

  ensureSlots(slotCount: number): void {
    if (slotCount << 1 <= this.slotF.length) return;
    const next = new Float64Array(nextCapacity(this.slotF.length >> 1, slotCount) << 1);
    next.set(this.slotF);
    this.slotF = next;
    this.slotRec = new Int32Array(next.buffer);
  }

  /** Position of a slot's point in `pts`. */
  posOf(slot: number): number {
    return this.slotRec[slot << 2];
  }

  /** The handle stored with a slot; undefined past the slots ever allocated. */
  handleAt(slot: number): number {
    return this.slotF[(slot << 1) + 1];
  }

  setHandle(slot: number, handle: number): void {
    this.slotF[(slot << 1) + 1] = handle;
  }

  /** Allocates a childless, empty root covering the given cell. */
  allocRoot(minLat: number, maxLat: number, minLng: number, maxLng: number): number {
    let node = this.freeRoots.pop();
    if (node === undefined) {
      const quad = this.allocQuad();
      this.liveNodes -= 4;
      this.freeRoots.push(quad + 3, quad + 2, quad + 1);
      node = quad;
    }
    this.initNode(node, -1, 0, minLat, maxLat, minLng, maxLng);
    this.liveNodes++;
    return node;
  }

  freeRoot(root: number): void {
    const r = root << 4;
    if (this.nodeI[r + N_FIRST] >= 0 || this.nodeI[r + N_HEAD] >= 0) {
      throw new Error(`internal: shard root ${root} freed while holding points`);
    }
    this.freeRoots.push(root);
    this.liveNodes -= 1;
  }

  /** Inserts a slot below `root` (a shard root, or any node whose bounds hold the position). */
  insert(root: number, slot: number, lat: number, lng: number): void {
    const nodeF = this.nodeF;
    const nodeI = this.nodeI;
    const count = this.nodeCount;
    let node = root;
    for (;;) {
      count[node]++;
      const r = node << 4;
      const child = nodeI[r + N_FIRST];
      if (child < 0) break;
      const b = node << NODE_SHIFT;
      const q =
        (lat > (nodeF[b] + nodeF[b + 1]) * 0.5 ? 2 : 0) +
        (lng > (nodeF[b + 2] + nodeF[b + 3]) * 0.5 ? 1 : 0);
      node = child + q;
      if (count[node] === 0) nodeI[r + N_MASK] |= 1 << q;
    }
    this.append(node, slot, lat, lng, Math.cos(lat * DEG_TO_RAD));
    if (count[node] > this.nodeCapacity && this.nodeDepth[node] < MAX_DEPTH) this.split(node);
  }

  /** Removes a slot; returns the count left under its shard root. */
  remove(slot: number): number {
    const count = this.nodeCount;
    const parent = this.nodeParent;
    let node = this.detach(slot);
    let foldAt = -1;
    let left = 0;
    while (node >= 0) {
      left = --count[node];
      if (left <= this.mergeAt && this.nodeI[(node << 4) + N_FIRST] >= 0) foldAt = node;
      if (left === 0) this.emptied(node);
      node = parent[node];
    }
    if (foldAt >= 0) this.fold(foldAt);
    return left;
  }

  /**
   * Moves a slot to (lat, lng) in the same quadtree. It climbs from the old leaf to the lowest
   * node whose bounds hold the new position and descends from there, so moving to a neighbouring
   * leaf touches a few nodes instead of two whole root paths (and folds nothing above them).
   */
  move(slot: number, lat: number, lng: number): void {
    const count = this.nodeCount;
    const parent = this.nodeParent;
    const nodeF = this.nodeF;
    let node = this.detach(slot);
    let foldAt = -1;
    // A root holds every position of its cell, so the climb stops there at the latest.
    while (parent[node] >= 0) {
      const b = node << NODE_SHIFT;
      if (lat > nodeF[b] && lat <= nodeF[b + 1] && lng > nodeF[b + 2] && lng <= nodeF[b + 3]) break;
      const left = --count[node];
      if (left <= this.mergeAt && this.nodeI[(node << 4) + N_FIRST] >= 0) foldAt = node;
      if (left === 0) this.emptied(node);
      node = parent[node];
    }
    if (foldAt >= 0) this.fold(foldAt);
    count[node]--; // insert counts it again
    this.insert(node, slot, lat, lng);
  }

  /**
   * Reads each slot's leaf record and point, discarding the values: the loads of consecutive
   * slots are independent, so in this tight loop their cache misses overlap, where a move waits
   * for each miss in turn. A batch of moves that runs this first finds its lines in cache.
   */
  warm(slots: Int32Array, count: number): void {
    const rec = this.slotRec;
    const nodeF = this.nodeF;
    const pts = this.pts;
    let sink = 0;
    for (let i = 0; i < count; i++) {
      const r = slots[i] << 2;
      sink += nodeF[rec[r + 1] << NODE_SHIFT] + pts[rec[r]];
    }
    this.warmSink = sink;
  }

  /** Clears a node's bit in its parent's mask once its count has dropped to 0. */
  private emptied(node: number): void {
    const up = this.nodeParent[node];
    if (up >= 0) {
      const r = up << 4;
      this.nodeI[r + N_MASK] &= ~(1 << (node - this.nodeI[r + N_FIRST]));
    }
  }

  /**
   * Overwrites a point's coordinates when (lat, lng) is still inside its leaf, with no tree work;
   * false, changing nothing, otherwise. Leaf bounds are (lo, hi], the rule the descent uses, so
   * this is exactly "same leaf".
   */
  moveInPlace(slot: number, lat: number, lng: number): boolean {
    const rec = this.slotRec;
    const b = rec[(slot << 2) + 1] << NODE_SHIFT;
    const nodeF = this.nodeF;
    if (!(lat > nodeF[b] && lat <= nodeF[b + 1] && lng > nodeF[b + 2] && lng <= nodeF[b + 3])) {
      return false;
    }
    const pos = rec[slot << 2];
    const pts = this.pts;
    pts[pos] = lat;
    pts[pos + 1] = lng;
    pts[pos + 2] = Math.cos(lat * DEG_TO_RAD);
    return true;
  }

  private append(leaf: number, slot: number, lat: number, lng: number, cos: number): void {
    const nodeI = this.nodeI;
    let head = nodeI[(leaf << 4) + N_HEAD];
    if (head < 0 || this.ptInt[(head << CHUNK_INT_SHIFT) + C_COUNT] === CHUNK) {
      const chunk = this.allocChunk();
      const c = chunk << CHUNK_INT_SHIFT;
      this.ptInt[c + C_NEXT] = head;
      this.ptInt[c + C_COUNT] = 0;
      this.nodeI[(leaf << 4) + N_HEAD] = chunk;
      head = chunk;
    }
    const ptInt = this.ptInt;
    const pos = (head << POS_SHIFT) + PT_STRIDE * ptInt[(head << CHUNK_INT_SHIFT) + C_COUNT]++;
    const pts = this.pts;
    pts[pos] = lat;
    pts[pos + 1] = lng;
    pts[pos + 2] = cos;
    ptInt[slotIndex(pos)] = slot;
    const rec = this.slotRec;
    rec[slot << 2] = pos;
    rec[(slot << 2) + 1] = leaf;
  }

  /** Takes a slot's point out of its leaf's chunks; returns the leaf. */
  private detach(slot: number): number {
    const ptInt = this.ptInt;
    const rec = this.slotRec;
    const pos = rec[slot << 2];
    const leaf = rec[(slot << 2) + 1];
    const head = this.nodeI[(leaf << 4) + N_HEAD];
    const h = head << CHUNK_INT_SHIFT;
    const last = (head << POS_SHIFT) + PT_STRIDE * (ptInt[h + C_COUNT] - 1);
    if (last !== pos) {
      const pts = this.pts;
      pts[pos] = pts[last];
      pts[pos + 1] = pts[last + 1];
      pts[pos + 2] = pts[last + 2];
      const moved = ptInt[slotIndex(last)];
      ptInt[slotIndex(pos)] = moved;
      rec[moved << 2] = pos; // same leaf
    }
    if (--ptInt[h + C_COUNT] === 0) {
      this.nodeI[(leaf << 4) + N_HEAD] = ptInt[h + C_NEXT];
      this.freeChunks.push(head);
    }
    return leaf;
  }

  private split(leaf: number): void {
    const b = leaf << NODE_SHIFT;
    const minLat = this.nodeF[b];
    const maxLat = this.nodeF[b + 1];
    const minLng = this.nodeF[b + 2];
    const maxLng = this.nodeF[b + 3];
    const midLat = (minLat + maxLat) * 0.5;
    const midLng = (minLng + maxLng) * 0.5;
    const depth = this.nodeDepth[leaf] + 1;
    const quad = this.allocQuad();
    this.initNode(quad, leaf, depth, minLat, midLat, minLng, midLng);
    this.initNode(quad + 1, leaf, depth, minLat, midLat, midLng, maxLng);
    this.initNode(quad + 2, leaf, depth, midLat, maxLat, minLng, midLng);
    this.initNode(quad + 3, leaf, depth, midLat, maxLat, midLng, maxLng);
    let chunk = this.nodeI[(leaf << 4) + N_HEAD];
    this.nodeI[(leaf << 4) + N_HEAD] = -1;
    this.nodeI[(leaf << 4) + N_FIRST] = quad;
    while (chunk >= 0) {
      const c = chunk << CHUNK_INT_SHIFT;
      const next = this.ptInt[c + C_NEXT];
      const start = chunk << POS_SHIFT;
      const end = start + PT_STRIDE * this.ptInt[c + C_COUNT];
      for (let pos = start; pos < end; pos += PT_STRIDE) {
        const pts = this.pts;
        const lat = pts[pos];
        const lng = pts[pos + 1];
        const child = quad + (lat > midLat ? 2 : 0) + (lng > midLng ? 1 : 0);
        this.nodeCount[child]++;
        this.append(child, this.ptInt[slotIndex(pos)], lat, lng, pts[pos + 2]);
      }
      this.freeChunks.push(chunk);
      chunk = next;
    }
    let mask = 0;
    for (let i = 0; i < 4; i++) if (this.nodeCount[quad + i] > 0) mask |= 1 << i;
    this.nodeI[(leaf << 4) + N_MASK] = mask;
    for (let child = quad; child < quad + 4; child++) {
      if (this.countOf(child) > this.nodeCapacity && depth < MAX_DEPTH) this.split(child);
    }
  }

  /** Turns an internal node back into a leaf holding its whole subtree. */
  private fold(node: number): void {
    const r = node << 4;
    const quad = this.nodeI[r + N_FIRST];
    this.nodeI[r + N_FIRST] = -1;
    this.nodeI[r + N_HEAD] = -1;
    this.nodeI[r + N_MASK] = 0;
    this.drainInto(quad, node);
  }

  private drainInto(quad: number, leaf: number): void {
    for (let child = quad; child < quad + 4; child++) {
      const grandChildren = this.nodeI[(child << 4) + N_FIRST];
      if (grandChildren >= 0) {
        this.drainInto(grandChildren, leaf);
        continue;
      }
      let chunk = this.nodeI[(child << 4) + N_HEAD];
      while (chunk >= 0) {
        const c = chunk << CHUNK_INT_SHIFT;
        const next = this.ptInt[c + C_NEXT];
        const start = chunk << POS_SHIFT;
        const end = start + PT_STRIDE * this.ptInt[c + C_COUNT];
        for (let pos = start; pos < end; pos += PT_STRIDE) {
          const pts = this.pts;
          this.append(leaf, this.ptInt[slotIndex(pos)], pts[pos], pts[pos + 1], pts[pos + 2]);
        }
        this.freeChunks.push(chunk);
        chunk = next;
      }
    }
    this.freeQuads.push(quad);
    this.liveNodes -= 4;
  }

  private initNode(
    node: number,
    parent: number,
    depth: number,
    minLat: number,
    maxLat: number,
    minLng: number,
    maxLng: number,
  ): void {
    const b = node << NODE_SHIFT;
    const nodeF = this.nodeF;
    nodeF[b] = minLat;
    nodeF[b + 1] = maxLat;
    nodeF[b + 2] = minLng;
    nodeF[b + 3] = maxLng;
    nodeF[b + N_MIN_COS] = Math.max(
      0,
      Math.min(Math.cos(minLat * DEG_TO_RAD), Math.cos(maxLat * DEG_TO_RAD)),
    );
    const r = node << 4;
    const nodeI = this.nodeI;
    nodeI[r + N_FIRST] = -1;
    this.nodeParent[node] = parent;
    this.nodeCount[node] = 0;
    nodeI[r + N_HEAD] = -1;
    nodeI[r + N_MASK] = 0;
    this.nodeDepth[node] = depth;
  }

  private allocQuad(): number {
    this.liveNodes += 4;
    const reused = this.freeQuads.pop();
    if (reused !== undefined) return reused;
    const quad = this.nodeTop;
    this.nodeTop += 4;
    if (this.nodeTop > this.nodeCapacityTotal) {
      this.nodeCapacityTotal = nextCapacity(this.nodeCapacityTotal, this.nodeTop);
      this.nodeF = grownFloat64(this.nodeF, this.nodeCapacityTotal << NODE_SHIFT);
      this.nodeI = new Int32Array(this.nodeF.buffer);
      this.nodeCount = grownInt32(this.nodeCount, this.nodeCapacityTotal);
      this.nodeParent = grownInt32(this.nodeParent, this.nodeCapacityTotal);
      this.nodeDepth = grownInt32(this.nodeDepth, this.nodeCapacityTotal);
    }
    return quad;
  }

  private allocChunk(): number {
    const reused = this.freeChunks.pop();
    if (reused !== undefined) return reused;
    const chunk = this.chunkTop++;
    if (this.chunkTop > this.chunkCapacity) {
      this.chunkCapacity = nextCapacity(this.chunkCapacity, this.chunkTop);
      this.pts = grownFloat64(this.pts, this.chunkCapacity << POS_SHIFT);
      this.ptInt = new Int32Array(this.pts.buffer);
    }
    return chunk;
  }
}
