import type { LatLng } from '@app/contracts';
import { EARTH_RADIUS_METERS, haversineMeters as haversine } from '@app/geo';

const rad = (deg: number) => (deg * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** The index's haversine, on the simulator's `{ lat, lng }` points. */
export function haversineMeters(a: LatLng, b: LatLng): number {
  return haversine(a.lat, a.lng, b.lat, b.lng);
}

/** Initial bearing from `a` to `b`, degrees in [0, 360). */
export function bearingDegrees(a: LatLng, b: LatLng): number {
  const y = Math.sin(rad(b.lng - a.lng)) * Math.cos(rad(b.lat));
  const x =
    Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) -
    Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lng - a.lng));
  return (deg(Math.atan2(y, x)) + 360) % 360;
}

/** The point `meters` away from `from` on `bearing` (great circle). */
export function destination(from: LatLng, meters: number, bearing: number): LatLng {
  const d = meters / EARTH_RADIUS_METERS;
  const b = rad(bearing);
  const lat1 = rad(from.lat);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lng2 =
    rad(from.lng) +
    Math.atan2(
      Math.sin(b) * Math.sin(d) * Math.cos(lat1),
      Math.cos(d) - Math.sin(lat1) * Math.sin(lat2),
    );
  return { lat: deg(lat2), lng: ((deg(lng2) + 540) % 360) - 180 };
}

export interface Step {
  position: LatLng;
  /** Degrees in [0, 360), the direction of travel (kept when standing still). */
  heading: number;
  arrived: boolean;
}

/**
 * Moves from `from` toward `to` by at most `meters`; lands exactly on `to` when it is closer than
 * that, so a car never overshoots its target.
 */
export function moveToward(from: LatLng, to: LatLng, meters: number, heading = 0): Step {
  const remaining = haversineMeters(from, to);
  if (remaining <= Math.max(0, meters) || remaining < 0.5) {
    return {
      position: { ...to },
      heading: remaining < 0.5 ? heading : bearingDegrees(from, to),
      arrived: true,
    };
  }
  const bearing = bearingDegrees(from, to);
  return { position: destination(from, meters, bearing), heading: bearing, arrived: false };
}

/** A uniform random point within `radiusMeters` of `center`. */
export function randomPointWithin(
  center: LatLng,
  radiusMeters: number,
  random: () => number,
): LatLng {
  return destination(center, radiusMeters * Math.sqrt(random()), random() * 360);
}

/**
 * A point between `minMeters` and `maxMeters` from `from` that stays within the city circle
 * (a bounded number of tries; the last try is pulled back toward the centre).
 */
export function randomPointAtDistance(
  from: LatLng,
  minMeters: number,
  maxMeters: number,
  city: { center: LatLng; radiusMeters: number },
  random: () => number,
): LatLng {
  let candidate = from;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const meters = minMeters + (maxMeters - minMeters) * random();
    candidate = destination(from, meters, random() * 360);
    if (haversineMeters(city.center, candidate) <= city.radiusMeters) return candidate;
  }
  return destination(from, minMeters, bearingDegrees(from, city.center));
}

export interface TimedPing extends LatLng {
  heading: number;
  ts: number;
}

/**
 * The pings of a drive from `from` to `to` at `speedKmh`, one every `intervalMs` of phone time
 * starting at `startTs` (what the driver bot does live, as a pure function for the tests).
 */
export function drivePings(
  from: LatLng,
  to: LatLng,
  speedKmh: number,
  intervalMs: number,
  startTs: number,
  maxPings = 10_000,
): TimedPing[] {
  const pings: TimedPing[] = [{ ...from, heading: bearingDegrees(from, to), ts: startTs }];
  let at = from;
  for (let i = 1; i <= maxPings; i += 1) {
    const step = moveToward(at, to, (speedKmh / 3.6) * (intervalMs / 1000));
    at = step.position;
    pings.push({ ...at, heading: step.heading, ts: startTs + i * intervalMs });
    if (step.arrived) break;
  }
  return pings;
}
