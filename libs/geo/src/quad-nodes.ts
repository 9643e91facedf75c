import { DEG_TO_RAD } from './geo-math';
import {
  float32AtLeast,
  float32AtMost,
  grownFloat64,
  grownInt32,
  N_FIRST,
  N_HEAD,
  N_MASK,
  N_MIN_COS,
  N_TIGHT,
  nextCapacity,
  NODE_SHIFT,
} from './quad-layout';

/**
 * The node records of every quadtree, and their allocation. What a query reads of a node is its
 * 64-byte record in `nodeF` / `nodeI` (see quad-layout.ts); counts, parents and depths, which
 * only updates walk, sit in compact arrays of their own. Nodes are allocated in quads (four
 * siblings at consecutive indices), so an internal node only stores its first child; roots have
 * no siblings and are handed out one node at a time. `QuadStore` builds the trees on top.
 */
export class QuadNodes {
  nodeF = new Float64Array(0);
  nodeI = new Int32Array(0);
  /** Float32 view of the same buffer: a leaf's box of its points (N_TIGHT). */
  nodeT = new Float32Array(0);
  protected nodeCount = new Int32Array(0);
  protected nodeParent = new Int32Array(0);
  protected nodeDepth = new Int32Array(0);
  private nodeTop = 0;
  private nodeCapacityTotal = 0;
  private freeQuads: number[] = [];
  /** Roots have no siblings, so they are handed out one node at a time from quads split up here. */
  private freeRoots: number[] = [];
  private liveNodes = 0;
  /**
   * Looseness (see LOOSE_METERS): the margin in degrees of latitude, and the size of the shard
   * root cells a point never leaves. 0 keeps every point inside its leaf's quadrant.
   */
  readonly looseLat: number;
  private readonly cellLatDeg: number;
  private readonly cellLngDeg: number;

  constructor(loose?: { latDeg: number; cellLatDeg: number; cellLngDeg: number }) {
    this.looseLat = loose?.latDeg ?? 0;
    this.cellLatDeg = loose?.cellLatDeg ?? 180;
    this.cellLngDeg = loose?.cellLngDeg ?? 360;
  }

  /**
   * Where a leaf's points may be, into out as [minLat, maxLat, minLng, maxLng], bounds (lo, hi]:
   * its quadrant widened by the looseness margin, cut to its root's cell. A root's is its cell.
   * The search widens a child quadrant's bound by the same margin (`quadrantBounds`), and the
   * lng margin uses the node's min cos, which every node inherits from its root, so a point
   * allowed in a leaf is allowed in whichever child a split hands it to.
   */
  allowedRegion(leaf: number, out: Float64Array): void {
    const b = leaf << NODE_SHIFT;
    const nodeF = this.nodeF;
    const minLat = nodeF[b];
    const maxLat = nodeF[b + 1];
    const minLng = nodeF[b + 2];
    const maxLng = nodeF[b + 3];
    const m = this.looseLat;
    if (m === 0 || this.nodeDepth[leaf] === 0) {
      out[0] = minLat;
      out[1] = maxLat;
      out[2] = minLng;
      out[3] = maxLng;
      return;
    }
    const mLng = m / nodeF[b + N_MIN_COS];
    // The cell grid is regular and the quadrant lies inside one cell, so its middle finds it.
    const cellLat = this.cellLatDeg;
    const cellLng = this.cellLngDeg;
    const cellMinLat = -90 + Math.floor(((minLat + maxLat) * 0.5 + 90) / cellLat) * cellLat;
    const cellMinLng = -180 + Math.floor(((minLng + maxLng) * 0.5 + 180) / cellLng) * cellLng;
    out[0] = Math.max(minLat - m, cellMinLat);
    out[1] = Math.min(maxLat + m, cellMinLat + cellLat);
    out[2] = Math.max(minLng - mLng, cellMinLng);
    out[3] = Math.min(maxLng + mLng, cellMinLng + cellLng);
  }

  get nodeTotal(): number {
    return this.liveNodes;
  }

  /** Points under a node. */
  countOf(node: number): number {
    return this.nodeCount[node];
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

  /** Clears a node's bit in its parent's mask once its count has dropped to 0. */
  protected emptied(node: number): void {
    const up = this.nodeParent[node];
    if (up >= 0) {
      const r = up << 4;
      this.nodeI[r + N_MASK] &= ~(1 << (node - this.nodeI[r + N_FIRST]));
    }
  }

  protected initNode(
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
    // A root's min cos over its cell, inherited unchanged below it: a hair looser for deep nodes
    // (< 1% at 70° for a 0.18°-tall cell), and one looseness margin in longitude per root.
    nodeF[b + N_MIN_COS] =
      parent >= 0
        ? nodeF[(parent << NODE_SHIFT) + N_MIN_COS]
        : Math.max(0, Math.min(Math.cos(minLat * DEG_TO_RAD), Math.cos(maxLat * DEG_TO_RAD)));
    const r = node << 4;
    const nodeI = this.nodeI;
    nodeI[r + N_FIRST] = -1;
    this.nodeParent[node] = parent;
    this.nodeCount[node] = 0;
    nodeI[r + N_HEAD] = -1;
    nodeI[r + N_MASK] = 0;
    this.nodeDepth[node] = depth;
    this.resetTight(node);
  }

  /**
   * A new leaf's box of its points (N_TIGHT). A root's starts empty and widens as points arrive:
   * most roots of a sparse area are villages, a few drivers in a corner of a 39 km x 20 km cell.
   * A deeper leaf's box is where its points may be (`allowedRegion`, rounded outwards), so its
   * pings never widen it and its slot boxes stay the whole leaf: there the points fill the
   * quadrant, and a tighter box bought no pruning worth what it cost the pings (see README).
   */
  protected resetTight(node: number): void {
    const t = (node << 4) + N_TIGHT;
    const nodeT = this.nodeT;
    if (this.nodeDepth[node] === 0) {
      nodeT[t] = Infinity;
      nodeT[t + 1] = -Infinity;
      nodeT[t + 2] = Infinity;
      nodeT[t + 3] = -Infinity;
      return;
    }
    const region = this.region;
    this.allowedRegion(node, region);
    nodeT[t] = float32AtMost(region[0]);
    nodeT[t + 1] = float32AtLeast(region[1]);
    nodeT[t + 2] = float32AtMost(region[2]);
    nodeT[t + 3] = float32AtLeast(region[3]);
  }

  /** Scratch for allowedRegion's callers, so pings allocate nothing. */
  protected readonly region = new Float64Array(4);

  protected allocQuad(): number {
    this.liveNodes += 4;
    const reused = this.freeQuads.pop();
    if (reused !== undefined) return reused;
    const quad = this.nodeTop;
    this.nodeTop += 4;
    if (this.nodeTop > this.nodeCapacityTotal) {
      this.nodeCapacityTotal = nextCapacity(this.nodeCapacityTotal, this.nodeTop);
      this.nodeF = grownFloat64(this.nodeF, this.nodeCapacityTotal << NODE_SHIFT);
      this.nodeI = new Int32Array(this.nodeF.buffer);
      this.nodeT = new Float32Array(this.nodeF.buffer);
      this.nodeCount = grownInt32(this.nodeCount, this.nodeCapacityTotal);
      this.nodeParent = grownInt32(this.nodeParent, this.nodeCapacityTotal);
      this.nodeDepth = grownInt32(this.nodeDepth, this.nodeCapacityTotal);
    }
    return quad;
  }

  protected freeQuad(quad: number): void {
    this.freeQuads.push(quad);
    this.liveNodes -= 4;
  }
}
