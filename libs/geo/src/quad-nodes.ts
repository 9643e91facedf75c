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
    this.resetTight(node);
  }

  /**
   * A new leaf's box of its points (N_TIGHT). A root's starts empty and widens as points arrive:
   * most roots of a sparse area are villages, a few drivers in a corner of a 39 km x 20 km cell.
   * A deeper leaf's box is its quadrant (rounded outwards), which its points never leave, so its
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
    const b = node << NODE_SHIFT;
    const nodeF = this.nodeF;
    nodeT[t] = float32AtMost(nodeF[b]);
    nodeT[t + 1] = float32AtLeast(nodeF[b + 1]);
    nodeT[t + 2] = float32AtMost(nodeF[b + 2]);
    nodeT[t + 3] = float32AtLeast(nodeF[b + 3]);
  }

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
