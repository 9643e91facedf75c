/**
 * The per-point and per-node arithmetic of the search, kept apart so the traversal reads as a
 * traversal. Everything here works on the haversine `a` term, never on metres.
 */
import { HALF_DEG_TO_RAD } from './geo-math';
import type { Neighbor } from './search';

/**
 * Relative slack between the cheap metric and the exact haversine term. The metric is within
 * ~1e-14 of `a` (truncated series, rounding); anything within SLACK of the k-th
 * candidate is kept and settled by the exact distance, so near-ties can never be cut wrongly.
 */
export const SLACK = 1 + 1e-6;
/** Node bounds are shrunk by the same order so they stay below the metric of every point inside. */
export const BOUND_SHRINK = 1 - 1e-6;
/** Below this squared half-angle the series for sin² is exact to ~3e-15, so no Math.sin is needed. */
const SERIES_LIMIT = 1e-4;

function sinSquared(halfAngle: number): number {
  const y2 = halfAngle * halfAngle;
  if (y2 < SERIES_LIMIT) return y2 * (1 - y2 * (1 / 3 - y2 * (2 / 45)));
  const s = Math.sin(halfAngle);
  return s * s;
}

/** Approximates the haversine `a` term between the query and a stored point, within ~1e-14. */
export function metric(
  lat: number,
  lng: number,
  cosLat: number,
  pLat: number,
  pLng: number,
  pCos: number,
): number {
  let dLng = pLng - lng;
  if (dLng > 180) dLng -= 360;
  else if (dLng < -180) dLng += 360;
  return (
    sinSquared((pLat - lat) * HALF_DEG_TO_RAD) + cosLat * pCos * sinSquared(dLng * HALF_DEG_TO_RAD)
  );
}

/**
 * Lower bound of the haversine term from the query to any point of a node. Both terms of `a` are
 * bounded separately: the latitude gap, and cos φq · min cos φ over the node · sin² of the
 * longitude gap (taken the short way round the antimeridian). sin y >= y - y³/6 keeps it trig-free.
 */
export function nodeLowerBound(
  bounds: Float64Array,
  minCos: Float64Array,
  node: number,
  lat: number,
  lng: number,
  cosLat: number,
): number {
  const b = node << 2;
  const minLat = bounds[b];
  const maxLat = bounds[b + 1];
  const minLng = bounds[b + 2];
  const maxLng = bounds[b + 3];
  const gapLat = lat < minLat ? minLat - lat : lat > maxLat ? lat - maxLat : 0;
  let gapLng = 0;
  if (lng < minLng || lng > maxLng) {
    let east = minLng - lng;
    if (east < 0) east += 360;
    let west = lng - maxLng;
    if (west < 0) west += 360;
    gapLng = east < west ? east : west;
    if (gapLng > 180) gapLng = 180;
  }
  const y = gapLat * HALF_DEG_TO_RAD;
  const x = gapLng * HALF_DEG_TO_RAD;
  const sy = y - (y * y * y) / 6;
  const sx = x - (x * x * x) / 6;
  return (sy * sy + cosLat * minCos[node] * sx * sx) * BOUND_SHRINK;
}

/** Insertion sort by (distance, id): results are a handful, and this beats Array#sort's setup. */
export function sortByDistanceThenId<T>(list: Neighbor<T>[]): void {
  for (let i = 1; i < list.length; i++) {
    const item = list[i];
    const d = item.distanceMeters;
    let j = i - 1;
    while (j >= 0) {
      const other = list[j];
      if (other.distanceMeters < d || (other.distanceMeters === d && other.id < item.id)) break;
      list[j + 1] = other;
      j--;
    }
    list[j + 1] = item;
  }
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
