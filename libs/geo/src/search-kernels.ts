/**
 * The per-point and per-node arithmetic of the search, kept apart so the traversal reads as a
 * traversal. Everything here works on the haversine `a` term, never on metres.
 */
import { HALF_DEG_TO_RAD } from './geo-math';
import { N_MIN_COS, N_TIGHT, NODE_SHIFT } from './quad-layout';
import type { Neighbor } from './search-base';

/**
 * Relative slack kept around the k-th candidate. The per-point metric is the exact haversine
 * term (`haversineTerm`), but the metres it maps to can round equal for different terms (and
 * the other way round by an ulp), so anything within SLACK of the k-th is kept and settled by
 * the distance in metres and then the id.
 */
export const SLACK = 1 + 1e-6;
/** Node bounds are shrunk by the same order so they stay below the metric of every point inside. */
export const BOUND_SHRINK = 1 - 1e-6;

/** sin² of the latitude gap between the query and [lo, hi], bounded below (sin y >= y - y³/6). */
function latTerm(lat: number, lo: number, hi: number): number {
  const gap = lat < lo ? lo - lat : lat > hi ? lat - hi : 0;
  const y = gap * HALF_DEG_TO_RAD;
  const s = y - (y * y * y) / 6;
  return s * s;
}

/** sin² of the longitude gap to [lo, hi], taken the short way round the antimeridian. */
function lngTerm(lng: number, lo: number, hi: number): number {
  if (lng >= lo && lng <= hi) return 0;
  let east = lo - lng;
  if (east < 0) east += 360;
  let west = lng - hi;
  if (west < 0) west += 360;
  let gap = east < west ? east : west;
  if (gap > 180) gap = 180;
  const x = gap * HALF_DEG_TO_RAD;
  const s = x - (x * x * x) / 6;
  return s * s;
}

/**
 * Lower bound of the haversine term from the query to any point of a node. Both terms of `a` are
 * bounded separately: the latitude gap, and cos φq · min cos φ over the node · sin² of the
 * longitude gap (taken the short way round the antimeridian). sin y >= y - y³/6 keeps it trig-free.
 */
export function nodeLowerBound(
  nodeF: Float64Array,
  node: number,
  lat: number,
  lng: number,
  cosLat: number,
): number {
  const b = node << NODE_SHIFT;
  const lt = latTerm(lat, nodeF[b], nodeF[b + 1]);
  const ln = lngTerm(lng, nodeF[b + 2], nodeF[b + 3]);
  return (lt + cosLat * nodeF[b + N_MIN_COS] * ln) * BOUND_SHRINK;
}

/**
 * Lower bound of the haversine term from the query to any point of a leaf, from the box of its
 * points (N_TIGHT, float32 rounded outwards) rather than its quadrant; the quadrant's min cos
 * still bounds the box's. An empty leaf's box gives Infinity.
 */
export function leafLowerBound(
  nodeF: Float64Array,
  nodeT: Float32Array,
  leaf: number,
  lat: number,
  lng: number,
  cosLat: number,
): number {
  const t = (leaf << 4) + N_TIGHT;
  const lo = nodeT[t];
  if (lo > nodeT[t + 1]) return Infinity;
  const lt = latTerm(lat, lo, nodeT[t + 1]);
  const ln = lngTerm(lng, nodeT[t + 2], nodeT[t + 3]);
  return (lt + cosLat * nodeF[(leaf << NODE_SHIFT) + N_MIN_COS] * ln) * BOUND_SHRINK;
}

/**
 * Lower bounds of the four quadrants of a node into out[0..3], in child order (SW, SE, NW, NE),
 * from the node's own record: the children's cache lines are not touched until they are popped.
 * The parent's min cos is at most each child's, so the bounds stay valid, merely a hair looser.
 */
export function quadrantBounds(
  nodeF: Float64Array,
  node: number,
  lat: number,
  lng: number,
  cosLat: number,
  out: Float64Array,
): void {
  const b = node << NODE_SHIFT;
  const minLat = nodeF[b];
  const maxLat = nodeF[b + 1];
  const minLng = nodeF[b + 2];
  const maxLng = nodeF[b + 3];
  const midLat = (minLat + maxLat) * 0.5;
  const midLng = (minLng + maxLng) * 0.5;
  const south = latTerm(lat, minLat, midLat);
  const north = latTerm(lat, midLat, maxLat);
  const c = cosLat * nodeF[b + N_MIN_COS];
  const west = c * lngTerm(lng, minLng, midLng);
  const east = c * lngTerm(lng, midLng, maxLng);
  out[0] = (south + west) * BOUND_SHRINK;
  out[1] = (south + east) * BOUND_SHRINK;
  out[2] = (north + west) * BOUND_SHRINK;
  out[3] = (north + east) * BOUND_SHRINK;
}

export function byDistanceThenId<T>(a: Neighbor<T>, b: Neighbor<T>): number {
  return a.distanceMeters - b.distanceMeters || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Replaces the root of the k-best max-heap and restores the heap order. */
export function siftDownRoot(
  keys: Float64Array,
  pos: Int32Array,
  size: number,
  key: number,
  p: number,
): void {
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && keys[child + 1] > keys[child]) child++;
    if (keys[child] <= key) break;
    keys[i] = keys[child];
    pos[i] = pos[child];
    i = child;
  }
  keys[i] = key;
  pos[i] = p;
}

/**
 * Orders keys[0..size) and their positions into a max-heap by key (Floyd's bottom-up build). Its
 * sift is siftDownRoot's, written out again on purpose: one shared siftDown(at) made clustered
 * 100k kNN 0.92x (A/B, 7 rounds), siftDownRoot no longer being inlined into scanLeaf.
 */
export function heapify(keys: Float64Array, pos: Int32Array, size: number): void {
  for (let start = (size >> 1) - 1; start >= 0; start--) {
    const key = keys[start];
    const p = pos[start];
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && keys[child + 1] > keys[child]) child++;
      if (keys[child] <= key) break;
      keys[i] = keys[child];
      pos[i] = pos[child];
      i = child;
    }
    keys[i] = key;
    pos[i] = p;
  }
}
