/**
 * Brute-force oracle and point arbitraries shared by the geo specs. Kept out of the public index;
 * it sits outside src so the library build never ships fast-check.
 */
import fc from 'fast-check';
import { haversineMeters } from '../src/geo-math';
import type { Neighbor } from '../src/search';

export interface ModelPoint<T> {
  lat: number;
  lng: number;
  data?: T;
}

/** The specification of nearest/within: scan everything, order by distance then id. */
export function bruteForce<T>(
  points: Map<string, ModelPoint<T>>,
  lat: number,
  lng: number,
  radiusMeters: number,
  filter?: (id: string, data: T | undefined) => boolean,
  k = Infinity,
): Neighbor<T>[] {
  const out: Neighbor<T>[] = [];
  for (const [id, p] of points) {
    if (filter !== undefined && !filter(id, p.data)) continue;
    const distanceMeters = haversineMeters(lat, lng, p.lat, p.lng);
    if (distanceMeters <= radiusMeters) {
      out.push({ id, lat: p.lat, lng: p.lng, distanceMeters, data: p.data });
    }
  }
  out.sort(
    (a, b) => a.distanceMeters - b.distanceMeters || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return out.slice(0, k);
}

const clampLat = (lat: number): number => Math.min(90, Math.max(-90, lat));
const wrapLng = (lng: number): number => (lng > 180 ? lng - 360 : lng < -180 ? lng + 360 : lng);

/** Offsets from an edge: exactly on it, a hair either side, or a little further. */
const edgeOffset = fc.oneof(
  fc.constant(0),
  fc.constantFrom(1e-12, -1e-12, 1e-9, -1e-9),
  fc.double({ min: -1e-4, max: 1e-4, noNaN: true }),
  fc.double({ min: -0.05, max: 0.05, noNaN: true }),
);

/**
 * Points that land where bugs live: on and around geohash cell edges of `precision`, both sides of
 * the antimeridian, near the poles, plus a uniform share so ordinary cases stay covered.
 */
export function pointNearEdges(precision: number): fc.Arbitrary<[number, number]> {
  const bits = 5 * precision;
  const cellLat = 180 / 2 ** Math.floor(bits / 2);
  const cellLng = 360 / 2 ** Math.ceil(bits / 2);
  // A few fixed edges, so that independent points meet each other near the same border.
  const latEdges = [0, cellLat, -cellLat, 3 * cellLat, 45, -60];
  const lngEdges = [0, cellLng, -cellLng, 2 * cellLng, 180, -180, 90];
  const borderLat = fc.tuple(fc.constantFrom(...latEdges), edgeOffset).map(([e, o]) => e + o);
  const borderLng = fc.tuple(fc.constantFrom(...lngEdges), edgeOffset).map(([e, o]) => e + o);
  const anyLat = fc.double({ min: -90, max: 90, noNaN: true });
  const anyLng = fc.double({ min: -180, max: 180, noNaN: true });
  const poleLat = fc
    .tuple(fc.constantFrom(90, -90), fc.double({ min: 0, max: 0.5, noNaN: true }))
    .map(([pole, o]) => (pole > 0 ? pole - o : pole + o));
  const antimeridianLng = fc
    .tuple(fc.constantFrom(180, -180), fc.double({ min: 0, max: 0.5, noNaN: true }))
    .map(([edge, o]) => (edge > 0 ? edge - o : edge + o));
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.tuple(borderLat, borderLng) },
      { weight: 2, arbitrary: fc.tuple(borderLat, antimeridianLng) },
      { weight: 2, arbitrary: fc.tuple(poleLat, fc.oneof(anyLng, borderLng)) },
      { weight: 1, arbitrary: fc.tuple(anyLat, anyLng) },
    )
    .map(([lat, lng]) => [clampLat(lat), wrapLng(lng)] as [number, number]);
}

/** Radii from "same spot" to "whole planet", weighted towards what separates near neighbours. */
export const radiusArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 2_000, noNaN: true }) },
  { weight: 4, arbitrary: fc.double({ min: 0, max: 80_000, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 2_000_000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(20_100_000, Infinity) },
);
