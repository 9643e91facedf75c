import { DEG_TO_RAD } from './geo-math';
import {
  C_COUNT,
  C_NEXT,
  CHUNK,
  CHUNK_INT_SHIFT,
  grownFloat64,
  MAX_DEPTH,
  N_FIRST,
  N_HEAD,
  N_MASK,
  nextCapacity,
  NODE_SHIFT,
  POS_SHIFT,
  pointOf,
  PT_STRIDE,
  slotIndex,
  S_BOX,
  S_SHIFT,
  float32AtLeast,
  float32AtMost,
  N_TIGHT,
} from './quad-layout';
import { QuadNodes } from './quad-nodes';

/** Degrees a leaf's box of its points is widened past the point that widens it (~55 m of lat). */
const BOX_MARGIN = 5e-4;

/**
 * Storage for every shard's point quadtree: nodes, leaf buckets and driver slots live in shared
 * typed arrays so an upsert allocates nothing and a leaf scan reads contiguous memory.
 *
 * Nodes are allocated in quads (four siblings at consecutive indices), so an internal node only
 * stores its first child. A leaf holds its points in a chain of CHUNK-sized chunks; every chunk
 * but the head is full, which makes removal a swap with the head's last point.
 * Bounds are (lo, hi] like the shard grid: a coordinate on a midline goes to the lower child.
 */
export class QuadStore extends QuadNodes {
  readonly nodeCapacity: number;
  /** An internal node at or below this many points folds back into a leaf (hysteresis vs split). */
  readonly mergeAt: number;

  /** Math.cos(lat * DEG_TO_RAD) is bit-identical to what haversineMeters computes. */
  pts = new Float64Array(0);
  ptInt = new Int32Array(0);
  /**
   * Each point's id, and its data once any point has data, by point (position / PT_STRIDE): the
   * results of a query come from one or two leaves, so their ids sit in a line or two beside each
   * other, where an array by slot made each result's id a cache miss of its own.
   */
  readonly ids: string[] = [];
  data: unknown[] | undefined;
  private chunkTop = 0;
  private chunkCapacity = 0;
  private freeChunks: number[] = [];

  /**
   * A slot's record, 32 bytes at slot << 3 in `slotRec` (Int32; `slotF` and `slotBox` are Float64
   * and Float32 views of the same buffer): position, leaf, the handle the index issued for the
   * slot, and the leaf's bounds rounded inwards to float32 and cut to the leaf's box of its points (`S_BOX`). A ping reads it, checks the
   * new position against that box and overwrites the point: two cache lines, where reading the
   * leaf's own record for its bounds made three. Only positions within a float32 step (~1e-5
   * degrees) of a leaf edge fall back to the exact bounds. The search never reads it.
   */
  private slotRec = new Int32Array(0);
  private slotF = new Float64Array(0);
  private slotBox = new Float32Array(0);

  constructor(nodeCapacity: number) {
    super();
    this.nodeCapacity = nodeCapacity;
    this.mergeAt = nodeCapacity >> 1;
  }

  ensureSlots(slotCount: number): void {
    if (slotCount << 2 <= this.slotF.length) return;
    const next = new Float64Array(nextCapacity(this.slotF.length >> 2, slotCount) << 2);
    next.set(this.slotF);
    this.slotF = next;
    this.slotRec = new Int32Array(next.buffer);
    this.slotBox = new Float32Array(next.buffer);
  }

  /** Position of a slot's point in `pts`. */
  posOf(slot: number): number {
    return this.slotRec[slot << S_SHIFT];
  }

  /** The handle stored with a slot; undefined past the slots ever allocated. */
  handleAt(slot: number): number {
    return this.slotF[(slot << 2) + 1];
  }

  setHandle(slot: number, handle: number): void {
    this.slotF[(slot << 2) + 1] = handle;
  }

  /** Inserts a slot below `root` (a shard root, or any node whose bounds hold the position). */
  insert(root: number, slot: number, lat: number, lng: number, id: string, value: unknown): void {
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
    this.append(node, slot, lat, lng, Math.cos(lat * DEG_TO_RAD), id, value);
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
    const point = pointOf(this.slotRec[slot << S_SHIFT]);
    const id = this.ids[point];
    const value = this.data === undefined ? undefined : this.data[point];
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
    this.insert(node, slot, lat, lng, id, value);
  }

  /**
   * The handle stored with each of `count` slots, into `out`. In a loop this tight the slot
   * records' cache misses overlap (in `moveMany`'s loop of checks they did not), and the moves
   * that follow find the records in cache.
   */
  handlesAt(slots: Int32Array, out: Float64Array, count: number): void {
    for (let i = 0; i < count; i++) out[i] = this.handleAt(slots[i]);
  }

  /**
   * Whether (lat, lng) is inside a slot's box, i.e. a move there needs nothing but `writePoint`.
   * Reads the slot's record only, so after `handlesAt` it reads nothing out of cache.
   */
  inSlotBox(slot: number, lat: number, lng: number): boolean {
    const s = slot << S_SHIFT;
    const box = this.slotBox;
    return (
      lat > box[s + S_BOX] &&
      lat <= box[s + S_BOX + 1] &&
      lng > box[s + S_BOX + 2] &&
      lng <= box[s + S_BOX + 3]
    );
  }

  /**
   * Overwrites a slot's point, for a position already known to be in its leaf and its box
   * (`inSlotBox`, or `moveInPlace` after widening the box); `cos` is its latitude's cosine.
   */
  writePoint(slot: number, lat: number, lng: number, cos: number): void {
    const pos = this.slotRec[slot << S_SHIFT];
    const pts = this.pts;
    pts[pos] = lat;
    pts[pos + 1] = lng;
    pts[pos + 2] = cos;
  }

  /**
   * A latitude and a longitude strictly inside a slot's leaf: its index cell is the point's, and
   * reading it costs no miss after a failed `moveInPlace` (which read the leaf's record), where
   * the point itself is one.
   */
  leafMidLat(slot: number): number {
    const b = this.slotRec[(slot << S_SHIFT) + 1] << NODE_SHIFT;
    return (this.nodeF[b] + this.nodeF[b + 1]) * 0.5;
  }

  leafMidLng(slot: number): number {
    const b = this.slotRec[(slot << S_SHIFT) + 1] << NODE_SHIFT;
    return (this.nodeF[b + 2] + this.nodeF[b + 3]) * 0.5;
  }

  /**
   * Overwrites a point's coordinates when (lat, lng) is still inside its leaf, with no tree work;
   * false, changing nothing, otherwise. Leaf bounds are (lo, hi], the rule the descent uses, so
   * this is exactly "same leaf". `cos` is Math.cos(lat * DEG_TO_RAD), which `moveMany` computes
   * for a whole block in a loop of its own, away from the loop whose stores miss.
   */
  moveInPlace(slot: number, lat: number, lng: number, cos: number): boolean {
    const rec = this.slotRec;
    const s = slot << S_SHIFT;
    if (!this.inSlotBox(slot, lat, lng)) {
      const b = rec[s + 1] << NODE_SHIFT;
      const nodeF = this.nodeF;
      if (!(lat > nodeF[b] && lat <= nodeF[b + 1] && lng > nodeF[b + 2] && lng <= nodeF[b + 3])) {
        return false;
      }
      // Inside the leaf but outside the box this slot last saw: the leaf's box may need to grow.
      this.widen(rec[s + 1], lat, lng);
      this.setSlotBox(s, rec[s + 1]);
    }
    this.writePoint(slot, lat, lng, cos);
    return true;
  }

  /**
   * A slot's box: its leaf's bounds rounded inwards, cut to the leaf's box of its points. That box
   * only grows until the leaf splits or folds (which re-appends every point, so every slot box is
   * set again), so a ping inside the slot box is inside both and needs neither record.
   */
  private setSlotBox(s: number, leaf: number): void {
    const b = leaf << NODE_SHIFT;
    const nodeF = this.nodeF;
    const t = (leaf << 4) + N_TIGHT;
    const nodeT = this.nodeT;
    const box = this.slotBox;
    box[s + S_BOX] = Math.max(float32AtLeast(nodeF[b]), nodeT[t]);
    box[s + S_BOX + 1] = Math.min(float32AtMost(nodeF[b + 1]), nodeT[t + 1]);
    box[s + S_BOX + 2] = Math.max(float32AtLeast(nodeF[b + 2]), nodeT[t + 2]);
    box[s + S_BOX + 3] = Math.min(float32AtMost(nodeF[b + 3]), nodeT[t + 3]);
  }

  /**
   * Widens a leaf's box of its points (N_TIGHT) to hold (lat, lng), with a margin of BOX_MARGIN
   * degrees so that a ping near the edge does not widen it again on the next one.
   */
  private widen(leaf: number, lat: number, lng: number): void {
    const t = (leaf << 4) + N_TIGHT;
    const nodeT = this.nodeT;
    // Clamped to the leaf's bounds (themselves in [-90, 90] x [-180, 180]): a box reaching past
    // the antimeridian would make the search's short-way longitude gap come out negative.
    const b = leaf << NODE_SHIFT;
    const nodeF = this.nodeF;
    if (lat < nodeT[t]) nodeT[t] = float32AtMost(Math.max(lat - BOX_MARGIN, nodeF[b]));
    if (lat > nodeT[t + 1]) nodeT[t + 1] = float32AtLeast(Math.min(lat + BOX_MARGIN, nodeF[b + 1]));
    if (lng < nodeT[t + 2]) nodeT[t + 2] = float32AtMost(Math.max(lng - BOX_MARGIN, nodeF[b + 2]));
    if (lng > nodeT[t + 3]) nodeT[t + 3] = float32AtLeast(Math.min(lng + BOX_MARGIN, nodeF[b + 3]));
  }

  /** The id of a slot's point. */
  idOf(slot: number): string {
    return this.ids[pointOf(this.slotRec[slot << S_SHIFT])];
  }

  /** The data of a slot's point. */
  dataOf(slot: number): unknown {
    return this.data === undefined ? undefined : this.data[pointOf(this.slotRec[slot << S_SHIFT])];
  }

  /** Starts keeping data: indexes that never store any pay nothing for it. */
  enableData(): unknown[] {
    if (this.data === undefined) this.data = new Array<unknown>(this.ids.length).fill(undefined);
    return this.data;
  }

  setData(slot: number, value: unknown): void {
    this.enableData()[pointOf(this.slotRec[slot << S_SHIFT])] = value;
  }

  private append(
    leaf: number,
    slot: number,
    lat: number,
    lng: number,
    cos: number,
    id: string,
    value: unknown,
  ): void {
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
    this.widen(leaf, lat, lng);
    this.ids[pointOf(pos)] = id;
    if (this.data !== undefined) this.data[pointOf(pos)] = value;
    const s = slot << S_SHIFT;
    this.slotRec[s] = pos;
    this.slotRec[s + 1] = leaf;
    this.setSlotBox(s, leaf);
  }

  /** Takes a slot's point out of its leaf's chunks; returns the leaf. */
  private detach(slot: number): number {
    const ptInt = this.ptInt;
    const rec = this.slotRec;
    const pos = rec[slot << S_SHIFT];
    const leaf = rec[(slot << S_SHIFT) + 1];
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
      this.ids[pointOf(pos)] = this.ids[pointOf(last)];
      if (this.data !== undefined) this.data[pointOf(pos)] = this.data[pointOf(last)];
      rec[moved << S_SHIFT] = pos; // same leaf, so its box stays
    }
    // Let go of the id and data the vacated position held.
    this.ids[pointOf(last)] = '';
    if (this.data !== undefined) this.data[pointOf(last)] = undefined;
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
        const id = this.ids[pointOf(pos)];
        const value = this.data === undefined ? undefined : this.data[pointOf(pos)];
        this.append(child, this.ptInt[slotIndex(pos)], lat, lng, pts[pos + 2], id, value);
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
    this.resetTight(node);
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
          const id = this.ids[pointOf(pos)];
          const value = this.data === undefined ? undefined : this.data[pointOf(pos)];
          this.append(
            leaf,
            this.ptInt[slotIndex(pos)],
            pts[pos],
            pts[pos + 1],
            pts[pos + 2],
            id,
            value,
          );
        }
        this.freeChunks.push(chunk);
        chunk = next;
      }
    }
    this.freeQuad(quad);
  }

  private allocChunk(): number {
    const reused = this.freeChunks.pop();
    if (reused !== undefined) return reused;
    const chunk = this.chunkTop++;
    // Grown by push so the arrays stay packed (holes would make every read check for them).
    for (let i = 0; i < CHUNK; i++) {
      this.ids.push('');
      if (this.data !== undefined) this.data.push(undefined);
    }
    if (this.chunkTop > this.chunkCapacity) {
      this.chunkCapacity = nextCapacity(this.chunkCapacity, this.chunkTop);
      this.pts = grownFloat64(this.pts, this.chunkCapacity << POS_SHIFT);
      this.ptInt = new Int32Array(this.pts.buffer);
    }
    return chunk;
  }
}
