import { type Neighbor, type NeighborFilter, SearchBase } from './search-base';
import {
  DEG_TO_RAD,
  fillBoundingBox,
  fillBoxForTerm,
  haversineTerm as metric,
  metersForTerm,
} from './geo-math';
import {
  C_COUNT,
  C_NEXT,
  CHUNK,
  CHUNK_INT_SHIFT,
  MAX_DEPTH,
  N_FIRST,
  N_HEAD,
  N_MASK,
  NODE_SHIFT,
  POS_SHIFT,
  pointOf,
  PT_STRIDE,
} from './quad-layout';
import { byDistanceThenId, heapify, quadrantBounds, siftDownRoot, SLACK } from './search-kernels';

export type { Neighbor, NeighborFilter } from './search-base';

/**
 * Best-first search over every shard's quadtree. Nodes wait in a min-heap keyed by their lower
 * bound; the k best points so far sit in a max-heap keyed by the cheap metric. All buffers are
 * typed arrays reused across queries, so a query allocates only its result objects.
 */
export class Searcher extends SearchBase {
  private bestKey = new Float64Array(16);
  private bestPos = new Int32Array(16);
  /** A chunk's points within the limit, kept by scanLeaf's first pass. */
  private readonly candKey = new Float64Array(CHUNK);
  private readonly candPos = new Int32Array(CHUNK);
  /**
   * Points among the k best and the current pruning limit, while a kNN query runs: unordered
   * until there are k of them, a max-heap from then on.
   */
  private best = 0;
  private limit = 0;
  /** Siblings passed on the greedy descent (at most three per level) and their bounds. */
  private readonly sideKey = new Float64Array(3 * MAX_DEPTH + 3);
  private readonly sideNode = new Int32Array(3 * MAX_DEPTH + 3);
  /** Bounds of the four quadrants of the node being expanded. */
  private readonly quad = new Float64Array(4);
  /** Near-ties pushed out of the k-best heap, kept for the exact comparison. */
  private spillKey = new Float64Array(16);
  private spillPos = new Int32Array(16);
  private spills = 0;
  /** Exact distances and positions of the candidates, sorted by (distance, id). */
  private outDist = new Float64Array(32);
  private outPos = new Int32Array(32);

  nearest<T>(
    lat: number,
    lng: number,
    k: number,
    radiusMeters: number,
    filter: NeighborFilter<T> | undefined,
  ): Neighbor<T>[] {
    this.enter();
    try {
      return this.runNearest(lat, lng, k, radiusMeters, filter);
    } finally {
      this.busy = false;
    }
  }

  within<T>(
    lat: number,
    lng: number,
    radiusMeters: number,
    filter: NeighborFilter<T> | undefined,
  ): Neighbor<T>[] {
    this.enter();
    try {
      return this.runWithin(lat, lng, radiusMeters, filter);
    } finally {
      this.busy = false;
    }
  }

  private runNearest<T>(
    lat: number,
    lng: number,
    k: number,
    radiusMeters: number,
    filter: NeighborFilter<T> | undefined,
  ): Neighbor<T>[] {
    const { nodeF, nodeI, ids } = this.store;
    const data = this.store.data as (T | undefined)[] | undefined;
    const cosLat = Math.cos(lat * DEG_TO_RAD);
    const radiusLimit = this.radiusLimit(radiusMeters);
    if (this.bestKey.length < k) {
      this.bestKey = new Float64Array(k);
      this.bestPos = new Int32Array(k);
    }
    this.best = 0;
    this.limit = radiusLimit;
    this.spills = 0;
    this.queueSize = 0;
    const quad = this.quad;
    // Greedy descent to the query's own leaf: its points give a tight k-th bound before anything
    // is queued. The siblings passed on the way down cover the rest of the shard; their bounds
    // are taken now and they are queued once the leaf has set the limit.
    const ownKey = this.grid.keyOf(lat, lng);
    const own = this.roots.get(ownKey);
    const sideKey = this.sideKey;
    const sideNode = this.sideNode;
    let sides = 0;
    if (own >= 0) {
      let node = own;
      for (let first = nodeI[(node << 4) + N_FIRST]; first >= 0;) {
        const b = node << NODE_SHIFT;
        const q =
          (lat > (nodeF[b] + nodeF[b + 1]) * 0.5 ? 2 : 0) +
          (lng > (nodeF[b + 2] + nodeF[b + 3]) * 0.5 ? 1 : 0);
        quadrantBounds(nodeF, node, lat, lng, cosLat, quad);
        const mask = nodeI[(node << 4) + N_MASK];
        for (let i = 0; i < 4; i++) {
          if (i === q || (mask & (1 << i)) === 0) continue;
          sideKey[sides] = quad[i];
          sideNode[sides++] = first + i;
        }
        node = first + q;
        first = nodeI[(node << 4) + N_FIRST];
      }
      this.scanLeaf(node, lat, lng, cosLat, k, radiusLimit, filter, ids, data);
    }
    for (let i = 0; i < sides; i++) {
      if (sideKey[i] <= this.limit) this.pushNode(sideKey[i], sideNode[i]);
    }
    // Other shards only matter within the k-th candidate's distance, usually well inside the
    // radius, so their box comes from the current limit (trig-free, a little loose).
    const box = this.box;
    fillBoxForTerm(box, lat, lng, cosLat, this.limit);
    if (own < 0) {
      this.seed(lat, lng, cosLat, this.limit, -1);
    } else {
      // Cells are (lo, hi], so a box strictly inside the own cell meets no other shard.
      const b = own << NODE_SHIFT;
      const inside =
        box[0] > nodeF[b] &&
        box[1] <= nodeF[b + 1] &&
        box[2] > nodeF[b + 2] &&
        box[3] <= nodeF[b + 3];
      if (!inside || box[2] > box[3]) this.seed(lat, lng, cosLat, this.limit, ownKey);
    }
    while (this.queueSize > 0 && this.queueKey[0] <= this.limit) {
      const node = this.popNode();
      const first = nodeI[(node << 4) + N_FIRST];
      if (first < 0) {
        this.scanLeaf(node, lat, lng, cosLat, k, radiusLimit, filter, ids, data);
        continue;
      }
      quadrantBounds(nodeF, node, lat, lng, cosLat, quad);
      const limit = this.limit;
      const mask = nodeI[(node << 4) + N_MASK];
      for (let i = 0; i < 4; i++) {
        if ((mask & (1 << i)) !== 0 && quad[i] <= limit) this.pushNode(quad[i], first + i);
      }
    }
    return this.results(k, radiusMeters, ids, data);
  }

  /**
   * The k best and the near-ties spilled beside them, as results: exact distances first, into a
   * typed array sorted by (distance, id) as they come, and only then the result objects, k at
   * most, in their final order. Building every candidate's object before sorting (and sorting
   * objects) made this phase ~40% of a dense query's time (uniform 100k, the same queries repeated).
   */
  private results<T>(
    k: number,
    radiusMeters: number,
    ids: string[],
    data: (T | undefined)[] | undefined,
  ): Neighbor<T>[] {
    const pts = this.store.pts;
    const total = this.best + this.spills;
    if (this.outDist.length < total) {
      this.outDist = new Float64Array(total * 2);
      this.outPos = new Int32Array(total * 2);
    }
    const dist = this.outDist;
    const at = this.outPos;
    let n = 0;
    for (let i = 0; i < total; i++) {
      let pos: number;
      let key: number;
      if (i < this.best) {
        pos = this.bestPos[i];
        key = this.bestKey[i];
      } else {
        key = this.spillKey[i - this.best];
        if (key > this.limit) continue;
        pos = this.spillPos[i - this.best];
      }
      // The key is the exact haversine term, so this is haversineMeters to the bit.
      const d = metersForTerm(key);
      if (d > radiusMeters) continue;
      // Insertion by (distance, id): candidates are a handful; ids are read only on exact ties.
      let j = n++;
      while (j > 0) {
        const other = dist[j - 1];
        if (other < d || (other === d && ids[pointOf(at[j - 1])] < ids[pointOf(pos)])) break;
        dist[j] = other;
        at[j] = at[j - 1];
        j--;
      }
      dist[j] = d;
      at[j] = pos;
    }
    if (n > k) n = k;
    const out: Neighbor<T>[] = [];
    for (let i = 0; i < n; i++) {
      const pos = at[i];
      const point = pointOf(pos);
      out.push({
        id: ids[point],
        lat: pts[pos],
        lng: pts[pos + 1],
        distanceMeters: dist[i],
        data: data === undefined ? undefined : data[point],
      });
    }
    return out;
  }

  /**
   * Offers every point of a leaf to the k best. Each chunk is read in two passes: the first
   * computes every point's metric and keeps those within the current limit, with no branch on
   * each point's fate: `+(key <= limit)` compiles to a compare and a setcc, where an `if` (or a
   * ternary, or Math.min) is a compare and a jump, and that jump, a coin toss per point, was
   * mispredicted often enough to be ~15% of a query at 100k clustered. The second pass offers
   * the few it kept. Until there are k, the best are kept unordered and heapified when the k-th
   * arrives, since results() sorts them anyway. Points within SLACK of the k-th that drop out are
   * spilled, not lost, so exact near-ties are settled by the exact distance.
   */
  private scanLeaf<T>(
    leaf: number,
    lat: number,
    lng: number,
    cosLat: number,
    k: number,
    radiusLimit: number,
    filter: NeighborFilter<T> | undefined,
    ids: string[],
    data: (T | undefined)[] | undefined,
  ): void {
    const { pts, ptInt, nodeI } = this.store;
    const bestKey = this.bestKey;
    const bestPos = this.bestPos;
    const candKey = this.candKey;
    const candPos = this.candPos;
    let best = this.best;
    let limit = this.limit;
    let chunk = nodeI[(leaf << 4) + N_HEAD];
    while (chunk >= 0) {
      const c = chunk << CHUNK_INT_SHIFT;
      const start = chunk << POS_SHIFT;
      const end = start + PT_STRIDE * ptInt[c + C_COUNT];
      chunk = ptInt[c + C_NEXT];
      let from = start;
      if (filter === undefined && best < k) {
        // Fewer than k so far: a point within the limit joins the best at once.
        for (; from < end && best < k; from += PT_STRIDE) {
          const key = metric(lat, lng, cosLat, pts[from], pts[from + 1], pts[from + 2]);
          bestKey[best] = key;
          bestPos[best] = from;
          best += +(key <= limit);
        }
        if (best === k) {
          heapify(bestKey, bestPos, k);
          limit = Math.min(radiusLimit, bestKey[0] * SLACK);
        }
      }
      let kept = 0;
      for (let pos = from; pos < end; pos += PT_STRIDE) {
        const key = metric(lat, lng, cosLat, pts[pos], pts[pos + 1], pts[pos + 2]);
        candKey[kept] = key;
        candPos[kept] = pos;
        kept += +(key <= limit);
      }
      for (let i = 0; i < kept; i++) {
        const key = candKey[i];
        // The limit may have tightened since the first pass.
        if (key > limit) continue;
        const pos = candPos[i];
        if (filter !== undefined) {
          const point = pointOf(pos);
          if (!filter(ids[point], data === undefined ? undefined : data[point])) continue;
        }
        if (best < k) {
          bestKey[best] = key;
          bestPos[best++] = pos;
          if (best === k) {
            heapify(bestKey, bestPos, k);
            limit = Math.min(radiusLimit, bestKey[0] * SLACK);
          }
        } else if (key < bestKey[0]) {
          const evictedKey = bestKey[0];
          const evictedPos = bestPos[0];
          siftDownRoot(bestKey, bestPos, k, key, pos);
          limit = Math.min(radiusLimit, bestKey[0] * SLACK);
          if (evictedKey <= limit) this.spill(evictedKey, evictedPos);
        } else {
          this.spill(key, pos);
        }
      }
    }
    this.best = best;
    this.limit = limit;
  }

  private runWithin<T>(
    lat: number,
    lng: number,
    radiusMeters: number,
    filter: NeighborFilter<T> | undefined,
  ): Neighbor<T>[] {
    const { nodeF, nodeI, pts, ptInt, ids } = this.store;
    const data = this.store.data as (T | undefined)[] | undefined;
    const cosLat = Math.cos(lat * DEG_TO_RAD);
    const limit = this.radiusLimit(radiusMeters);
    const quad = this.quad;
    const out: Neighbor<T>[] = [];
    this.queueSize = 0;
    fillBoundingBox(this.box, lat, lng, radiusMeters);
    this.seed(lat, lng, cosLat, limit, -1);
    // Order does not matter here, so the queue is drained without comparing bounds again.
    while (this.queueSize > 0) {
      const node = this.queueNode[--this.queueSize];
      const first = nodeI[(node << 4) + N_FIRST];
      if (first >= 0) {
        quadrantBounds(nodeF, node, lat, lng, cosLat, quad);
        const mask = nodeI[(node << 4) + N_MASK];
        for (let i = 0; i < 4; i++) {
          if ((mask & (1 << i)) !== 0 && quad[i] <= limit) this.pushStack(first + i);
        }
        continue;
      }
      let chunk = nodeI[(node << 4) + N_HEAD];
      while (chunk >= 0) {
        const c = chunk << CHUNK_INT_SHIFT;
        const start = chunk << POS_SHIFT;
        const end = start + PT_STRIDE * ptInt[c + C_COUNT];
        chunk = ptInt[c + C_NEXT];
        for (let pos = start; pos < end; pos += PT_STRIDE) {
          const key = metric(lat, lng, cosLat, pts[pos], pts[pos + 1], pts[pos + 2]);
          if (key > limit) continue;
          const point = pointOf(pos);
          const value = data === undefined ? undefined : data[point];
          if (filter !== undefined && !filter(ids[point], value)) continue;
          this.settle(out, pos, ids[point], value, key, radiusMeters);
        }
      }
    }
    out.sort(byDistanceThenId);
    return out;
  }

  private spill(key: number, pos: number): void {
    if (this.spills === this.spillKey.length) {
      const keys = new Float64Array(this.spills * 2);
      keys.set(this.spillKey);
      const positions = new Int32Array(this.spills * 2);
      positions.set(this.spillPos);
      this.spillKey = keys;
      this.spillPos = positions;
    }
    this.spillKey[this.spills] = key;
    this.spillPos[this.spills++] = pos;
  }
}
