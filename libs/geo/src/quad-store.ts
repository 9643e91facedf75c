import { DEG_TO_RAD } from './geo-math';

/** Points per storage chunk. Leaves chain chunks, so a leaf wastes at most CHUNK - 1 positions. */
export const CHUNK_SHIFT = 3;
export const CHUNK = 1 << CHUNK_SHIFT;

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

  // Nodes: bounds stride 4 = minLat, maxLat, minLng, maxLng.
  nodeBounds = new Float64Array(0);
  /** min cos(latitude) over the node, for the distance lower bound. */
  nodeMinCos = new Float64Array(0);
  nodeFirstChild = new Int32Array(0);
  nodeParent = new Int32Array(0);
  nodeCount = new Int32Array(0);
  nodeHead = new Int32Array(0);
  nodeDepth = new Int32Array(0);
  private nodeTop = 0;
  private freeQuads: number[] = [];
  private liveNodes = 0;

  // Chunks.
  chunkCount = new Int32Array(0);
  chunkNext = new Int32Array(0);
  chunkLeaf = new Int32Array(0);
  private chunkTop = 0;
  private freeChunks: number[] = [];

  // Positions (chunk << CHUNK_SHIFT | i): the coordinates live here, next to their neighbours.
  posLat = new Float64Array(0);
  posLng = new Float64Array(0);
  /** Math.cos(lat * DEG_TO_RAD), bit-identical to what haversineMeters computes, so results reuse it. */
  posCos = new Float64Array(0);
  posSlot = new Int32Array(0);

  /** Slot -> position. */
  slotPos = new Int32Array(0);

  constructor(nodeCapacity: number) {
    this.nodeCapacity = nodeCapacity;
    this.mergeAt = nodeCapacity >> 1;
  }

  get nodeTotal(): number {
    return this.liveNodes;
  }

  ensureSlots(slotCount: number): void {
    if (slotCount <= this.slotPos.length) return;
    this.slotPos = grownInt32(this.slotPos, nextCapacity(this.slotPos.length, slotCount));
  }

  /** Allocates a childless, empty root covering the given cell. */
  allocRoot(minLat: number, maxLat: number, minLng: number, maxLng: number): number {
    const node = this.allocQuad();
    this.initNode(node, -1, 0, minLat, maxLat, minLng, maxLng);
    this.liveNodes -= 3;
    return node;
  }

  freeRoot(root: number): void {
    const head = this.nodeHead[root];
    if (this.nodeFirstChild[root] >= 0 || head >= 0) {
      throw new Error(`internal: shard root ${root} freed while holding points`);
    }
    this.freeQuads.push(root);
    this.liveNodes -= 1;
  }

  insert(root: number, slot: number, lat: number, lng: number): void {
    const bounds = this.nodeBounds;
    const firstChild = this.nodeFirstChild;
    const count = this.nodeCount;
    let node = root;
    for (;;) {
      count[node]++;
      const child = firstChild[node];
      if (child < 0) break;
      const b = node << 2;
      node =
        child +
        (lat > (bounds[b] + bounds[b + 1]) * 0.5 ? 2 : 0) +
        (lng > (bounds[b + 2] + bounds[b + 3]) * 0.5 ? 1 : 0);
    }
    this.append(node, slot, lat, lng, Math.cos(lat * DEG_TO_RAD));
    if (count[node] > this.nodeCapacity && this.nodeDepth[node] < MAX_DEPTH) this.split(node);
  }

  /** Removes a slot; returns the count left under its shard root. */
  remove(slot: number): number {
    let node = this.detach(this.slotPos[slot]);
    let foldAt = -1;
    let left = 0;
    while (node >= 0) {
      left = --this.nodeCount[node];
      if (left <= this.mergeAt && this.nodeFirstChild[node] >= 0) foldAt = node;
      node = this.nodeParent[node];
    }
    if (foldAt >= 0) this.fold(foldAt);
    return left;
  }

  /** Leaf holding a slot. */
  leafOf(slot: number): number {
    return this.chunkLeaf[this.slotPos[slot] >> CHUNK_SHIFT];
  }

  /** Overwrites a point's coordinates without tree work; the caller checked it stays in its leaf. */
  moveInPlace(slot: number, lat: number, lng: number): void {
    const pos = this.slotPos[slot];
    this.posLat[pos] = lat;
    this.posLng[pos] = lng;
    this.posCos[pos] = Math.cos(lat * DEG_TO_RAD);
  }

  private append(leaf: number, slot: number, lat: number, lng: number, cos: number): void {
    let head = this.nodeHead[leaf];
    if (head < 0 || this.chunkCount[head] === CHUNK) {
      const chunk = this.allocChunk();
      this.chunkNext[chunk] = head;
      this.chunkLeaf[chunk] = leaf;
      this.chunkCount[chunk] = 0;
      this.nodeHead[leaf] = chunk;
      head = chunk;
    }
    const pos = (head << CHUNK_SHIFT) + this.chunkCount[head]++;
    this.posLat[pos] = lat;
    this.posLng[pos] = lng;
    this.posCos[pos] = cos;
    this.posSlot[pos] = slot;
    this.slotPos[slot] = pos;
  }

  /** Takes the point at `pos` out of its leaf's chunks; returns the leaf. */
  private detach(pos: number): number {
    const leaf = this.chunkLeaf[pos >> CHUNK_SHIFT];
    const head = this.nodeHead[leaf];
    const last = (head << CHUNK_SHIFT) + this.chunkCount[head] - 1;
    if (last !== pos) {
      this.posLat[pos] = this.posLat[last];
      this.posLng[pos] = this.posLng[last];
      this.posCos[pos] = this.posCos[last];
      const moved = this.posSlot[last];
      this.posSlot[pos] = moved;
      this.slotPos[moved] = pos;
    }
    if (--this.chunkCount[head] === 0) {
      this.nodeHead[leaf] = this.chunkNext[head];
      this.freeChunks.push(head);
    }
    return leaf;
  }

  private split(leaf: number): void {
    const b = leaf << 2;
    const minLat = this.nodeBounds[b];
    const maxLat = this.nodeBounds[b + 1];
    const minLng = this.nodeBounds[b + 2];
    const maxLng = this.nodeBounds[b + 3];
    const midLat = (minLat + maxLat) * 0.5;
    const midLng = (minLng + maxLng) * 0.5;
    const depth = this.nodeDepth[leaf] + 1;
    const quad = this.allocQuad();
    this.initNode(quad, leaf, depth, minLat, midLat, minLng, midLng);
    this.initNode(quad + 1, leaf, depth, minLat, midLat, midLng, maxLng);
    this.initNode(quad + 2, leaf, depth, midLat, maxLat, minLng, midLng);
    this.initNode(quad + 3, leaf, depth, midLat, maxLat, midLng, maxLng);
    let chunk = this.nodeHead[leaf];
    this.nodeHead[leaf] = -1;
    this.nodeFirstChild[leaf] = quad;
    while (chunk >= 0) {
      const next = this.chunkNext[chunk];
      const start = chunk << CHUNK_SHIFT;
      const end = start + this.chunkCount[chunk];
      for (let pos = start; pos < end; pos++) {
        const lat = this.posLat[pos];
        const lng = this.posLng[pos];
        const child = quad + (lat > midLat ? 2 : 0) + (lng > midLng ? 1 : 0);
        this.nodeCount[child]++;
        this.append(child, this.posSlot[pos], lat, lng, this.posCos[pos]);
      }
      this.freeChunks.push(chunk);
      chunk = next;
    }
    for (let child = quad; child < quad + 4; child++) {
      if (this.nodeCount[child] > this.nodeCapacity && depth < MAX_DEPTH) this.split(child);
    }
  }

  /** Turns an internal node back into a leaf holding its whole subtree. */
  private fold(node: number): void {
    const quad = this.nodeFirstChild[node];
    this.nodeFirstChild[node] = -1;
    this.nodeHead[node] = -1;
    this.drainInto(quad, node);
  }

  private drainInto(quad: number, leaf: number): void {
    for (let child = quad; child < quad + 4; child++) {
      const grandChildren = this.nodeFirstChild[child];
      if (grandChildren >= 0) {
        this.drainInto(grandChildren, leaf);
        continue;
      }
      let chunk = this.nodeHead[child];
      while (chunk >= 0) {
        const next = this.chunkNext[chunk];
        const start = chunk << CHUNK_SHIFT;
        const end = start + this.chunkCount[chunk];
        for (let pos = start; pos < end; pos++) {
          this.append(
            leaf,
            this.posSlot[pos],
            this.posLat[pos],
            this.posLng[pos],
            this.posCos[pos],
          );
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
    const b = node << 2;
    this.nodeBounds[b] = minLat;
    this.nodeBounds[b + 1] = maxLat;
    this.nodeBounds[b + 2] = minLng;
    this.nodeBounds[b + 3] = maxLng;
    this.nodeMinCos[node] = Math.max(
      0,
      Math.min(Math.cos(minLat * DEG_TO_RAD), Math.cos(maxLat * DEG_TO_RAD)),
    );
    this.nodeFirstChild[node] = -1;
    this.nodeParent[node] = parent;
    this.nodeCount[node] = 0;
    this.nodeHead[node] = -1;
    this.nodeDepth[node] = depth;
  }

  private allocQuad(): number {
    this.liveNodes += 4;
    const reused = this.freeQuads.pop();
    if (reused !== undefined) return reused;
    const quad = this.nodeTop;
    this.nodeTop += 4;
    if (this.nodeTop > this.nodeFirstChild.length) {
      const size = nextCapacity(this.nodeFirstChild.length, this.nodeTop);
      this.nodeBounds = grownFloat64(this.nodeBounds, size * 4);
      this.nodeMinCos = grownFloat64(this.nodeMinCos, size);
      this.nodeFirstChild = grownInt32(this.nodeFirstChild, size);
      this.nodeParent = grownInt32(this.nodeParent, size);
      this.nodeCount = grownInt32(this.nodeCount, size);
      this.nodeHead = grownInt32(this.nodeHead, size);
      this.nodeDepth = grownInt32(this.nodeDepth, size);
    }
    return quad;
  }

  private allocChunk(): number {
    const reused = this.freeChunks.pop();
    if (reused !== undefined) return reused;
    const chunk = this.chunkTop++;
    if (this.chunkTop > this.chunkCount.length) {
      const size = nextCapacity(this.chunkCount.length, this.chunkTop);
      this.chunkCount = grownInt32(this.chunkCount, size);
      this.chunkNext = grownInt32(this.chunkNext, size);
      this.chunkLeaf = grownInt32(this.chunkLeaf, size);
      this.posLat = grownFloat64(this.posLat, size << CHUNK_SHIFT);
      this.posLng = grownFloat64(this.posLng, size << CHUNK_SHIFT);
      this.posCos = grownFloat64(this.posCos, size << CHUNK_SHIFT);
      this.posSlot = grownInt32(this.posSlot, size << CHUNK_SHIFT);
    }
    return chunk;
  }
}
