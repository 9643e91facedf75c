/**
 * Great-circle maths on a spherical Earth. Every distance the index returns comes from
 * `haversineMeters`, so brute-force checks that use it agree with the index bit for bit.
 */

/** Mean Earth radius (IUGG), the radius every distance in this library assumes. */
export const EARTH_RADIUS_METERS = 6_371_008.8;

export const DEG_TO_RAD = Math.PI / 180;
export const HALF_DEG_TO_RAD = Math.PI / 360;
const RAD_TO_DEG = 180 / Math.PI;

/** Half the equator: no two points are further apart than this. */
export const MAX_DISTANCE_METERS = Math.PI * EARTH_RADIUS_METERS;

/**
 * Axis-aligned box in degrees. `minLng > maxLng` means the box crosses the antimeridian
 * (it covers [minLng, 180] and [-180, maxLng]); a box that reaches a pole spans all longitudes.
 */
export interface BoundingBox {
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

/** Longitude difference folded into [-180, 180], so points either side of the antimeridian are close. */
export function wrapLngDelta(deltaLng: number): number {
  if (deltaLng > 180) return deltaLng - 360;
  if (deltaLng < -180) return deltaLng + 360;
  return deltaLng;
}

/**
 * sin² of a half-angle in radians. Below SERIES_LIMIT (|y| < 0.01, ~127 km of latitude) by its
 * Taylor series, whose first omitted term is below 2e-20 of the value, so it is as exact as
 * squaring Math.sin and several times cheaper; the search's per-point metric is this same term.
 */
export function sinSquared(y: number): number {
  const y2 = y * y;
  if (y2 < SERIES_LIMIT) return y2 * (1 - y2 * (1 / 3 - y2 * (2 / 45 - y2 * (1 / 315))));
  const s = Math.sin(y);
  return s * s;
}

const SERIES_LIMIT = 1e-4;

/**
 * The haversine `a` term (sin² of half the central angle) with both latitudes' cosines supplied.
 * The search computes exactly this for every point it scans and turns the winners' terms into
 * metres with `metersForTerm`, so its distances are `haversineMeters` bit for bit.
 */
export function haversineTerm(
  lat1: number,
  lng1: number,
  cosLat1: number,
  lat2: number,
  lng2: number,
  cosLat2: number,
): number {
  let dLng = lng2 - lng1;
  if (dLng > 180) dLng -= 360;
  else if (dLng < -180) dLng += 360;
  return (
    sinSquared((lat2 - lat1) * HALF_DEG_TO_RAD) +
    cosLat1 * cosLat2 * sinSquared(dLng * HALF_DEG_TO_RAD)
  );
}

/**
 * Metres for a haversine term: 2R asin(sqrt a). Below x = 0.01 (~127 km) asin by its series,
 * whose first omitted term is below 4e-18 of the value.
 */
export function metersForTerm(a: number): number {
  const x = Math.sqrt(Math.min(1, a));
  if (x >= 0.01) return 2 * EARTH_RADIUS_METERS * Math.asin(x);
  const x2 = x * x;
  return 2 * EARTH_RADIUS_METERS * (x + x * x2 * (1 / 6 + x2 * (3 / 40 + x2 * (5 / 112))));
}

/**
 * Haversine with the cosines of both latitudes supplied by the caller. The index caches the
 * query's cosine; keeping one formula means the cached and uncached paths round identically.
 */
export function haversineFromCos(
  lat1: number,
  lng1: number,
  cosLat1: number,
  lat2: number,
  lng2: number,
  cosLat2: number,
): number {
  return metersForTerm(haversineTerm(lat1, lng1, cosLat1, lat2, lng2, cosLat2));
}

/** Great-circle distance in metres between (lat1, lng1) and (lat2, lng2), degrees in. */
export function haversineMeters(lat1: number, lng1: number, lat2: number, lng2: number): number {
  return haversineFromCos(
    lat1,
    lng1,
    Math.cos(lat1 * DEG_TO_RAD),
    lat2,
    lng2,
    Math.cos(lat2 * DEG_TO_RAD),
  );
}

/**
 * The haversine `a` term (sin² of half the central angle) for a radius: comparing `a` values
 * orders points exactly like comparing distances, without the asin/sqrt per point.
 * Radii of half the circumference or more cover the globe and map to Infinity.
 */
export function haversineTermForRadius(radiusMeters: number): number {
  if (radiusMeters >= MAX_DISTANCE_METERS) return Infinity;
  const s = Math.sin(radiusMeters / (2 * EARTH_RADIUS_METERS));
  return s * s;
}

/**
 * Smallest box that contains every point within `radiusMeters` of (lat, lng).
 * Longitude half-width uses the tangent-meridian formula asin(sin δ / cos φ), which is exact for a
 * spherical cap; when the cap contains a pole the box spans all longitudes.
 * Inputs are trusted: validate before calling.
 */
export function boundingBoxAround(lat: number, lng: number, radiusMeters: number): BoundingBox {
  const out = new Float64Array(4);
  fillBoundingBox(out, lat, lng, radiusMeters);
  return { minLat: out[0], minLng: out[2], maxLat: out[1], maxLng: out[3] };
}

/** `boundingBoxAround` into [minLat, maxLat, minLng, maxLng], so queries allocate nothing. */
export function fillBoundingBox(
  out: Float64Array,
  lat: number,
  lng: number,
  radiusMeters: number,
): void {
  // A relative margin keeps points whose computed distance rounds onto the radius inside the box.
  const delta = (radiusMeters / EARTH_RADIUS_METERS) * (1 + 1e-9) + 1e-12;
  out[0] = -90;
  out[1] = 90;
  out[2] = -180;
  out[3] = 180;
  if (delta >= Math.PI) return;
  const deltaDeg = delta * RAD_TO_DEG;
  const minLat = lat - deltaDeg;
  const maxLat = lat + deltaDeg;
  out[0] = Math.max(minLat, -90);
  out[1] = Math.min(maxLat, 90);
  if (minLat <= -90 || maxLat >= 90) return;
  const ratio = Math.sin(delta) / Math.cos(lat * DEG_TO_RAD);
  if (ratio >= 1) return;
  const halfWidth = Math.asin(ratio) * RAD_TO_DEG;
  let minLng = lng - halfWidth;
  let maxLng = lng + halfWidth;
  if (minLng < -180) minLng += 360;
  if (maxLng > 180) maxLng -= 360;
  out[2] = minLng;
  out[3] = maxLng;
}

/**
 * A box containing every point whose haversine term from (lat, lng) is at most `a`, written like
 * `fillBoundingBox`. Built from upper bounds only (asin x <= x / sqrt(1 - x²), sin x <= x, plus a
 * relative margin for rounding), so it needs one or two square roots and no trigonometry; it is a
 * hair larger than the tight box. `cosLat` must be Math.cos(lat * DEG_TO_RAD).
 */
export function fillBoxForTerm(
  out: Float64Array,
  lat: number,
  lng: number,
  cosLat: number,
  a: number,
): void {
  out[0] = -90;
  out[1] = 90;
  out[2] = -180;
  out[3] = 180;
  const t = a * (1 + 1e-9);
  // Beyond a 60° central angle the bounds get loose; the whole world is as good (and NaN-safe).
  if (!(t < 0.25)) return;
  // Central angle θ = 2 asin(sqrt a) <= 2 sqrt(a / (1 - a)).
  const delta = 2 * Math.sqrt(t / (1 - t)) * (1 + 1e-9) + 1e-15;
  const deltaDeg = delta * RAD_TO_DEG;
  const minLat = lat - deltaDeg;
  const maxLat = lat + deltaDeg;
  out[0] = Math.max(minLat, -90);
  out[1] = Math.min(maxLat, 90);
  if (minLat <= -90 || maxLat >= 90) return;
  // Tangent-meridian half-width asin(sin δ / cos φ), bounded above with sin δ <= δ.
  const ratio = delta / cosLat;
  if (!(ratio < 0.5)) return;
  const halfWidth = (ratio / Math.sqrt(1 - ratio * ratio)) * (1 + 1e-9) * RAD_TO_DEG;
  let minLng = lng - halfWidth;
  let maxLng = lng + halfWidth;
  if (minLng < -180) minLng += 360;
  if (maxLng > 180) maxLng -= 360;
  out[2] = minLng;
  out[3] = maxLng;
}
