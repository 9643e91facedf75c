import { haversineMeters } from '@app/geo';

/**
 * Straight-line ETA: great-circle distance stretched by a road factor, over a city speed.
 * The one place ETAs are computed, so a routing engine can replace it behind the same shape.
 */
export interface EtaModel {
  /** Average door-to-door speed in the city, km/h. */
  citySpeedKmh: number;
  /** Road distance ÷ straight-line distance; about 1.3 in most grid-like cities. */
  roadFactor: number;
}

export const DEFAULT_ETA_MODEL: EtaModel = { citySpeedKmh: 25, roadFactor: 1.3 };

export function roadDistanceMeters(straightLineMeters: number, model = DEFAULT_ETA_MODEL): number {
  return straightLineMeters * model.roadFactor;
}

export function etaSecondsForDistance(
  straightLineMeters: number,
  model = DEFAULT_ETA_MODEL,
): number {
  const metersPerSecond = model.citySpeedKmh / 3.6;
  return Math.round(roadDistanceMeters(straightLineMeters, model) / metersPerSecond);
}

export function etaSeconds(
  fromLat: number,
  fromLng: number,
  toLat: number,
  toLng: number,
  model = DEFAULT_ETA_MODEL,
): number {
  return etaSecondsForDistance(haversineMeters(fromLat, fromLng, toLat, toLng), model);
}

/** A trip's road distance and driving time: what a real router would answer. */
export interface Route {
  distanceMeters: number;
  durationSeconds: number;
}

/**
 * The one routing function: the straight line stretched by the road factor, at the city speed.
 * Quotes, final-fare fallbacks and surge all call this, so a routing engine replaces it here.
 */
export function straightLineRoute(
  fromLat: number,
  fromLng: number,
  toLat: number,
  toLng: number,
  model = DEFAULT_ETA_MODEL,
): Route {
  const straight = haversineMeters(fromLat, fromLng, toLat, toLng);
  return {
    distanceMeters: Math.round(roadDistanceMeters(straight, model)),
    durationSeconds: etaSecondsForDistance(straight, model),
  };
}
