import { haversineMeters } from '@app/geo';

/** The rules a driver's location ping must pass, with their written defaults. */
export interface PingLimits {
  /** A `ts` further ahead of the server clock than this is refused (phone clocks drift). */
  maxFutureSkewMs: number;
  /** A `ts` older than this is refused: stale positions must not move a car on the map. */
  maxAgeMs: number;
  /** More pings than this within one second are refused with RATE_LIMITED. */
  maxPingsPerSecond: number;
  /** A jump implying more than this since the last accepted ping is IMPLAUSIBLE_LOCATION. */
  maxSpeedKmh: number;
}

export const DEFAULT_PING_LIMITS: PingLimits = {
  maxFutureSkewMs: 5_000,
  maxAgeMs: 30_000,
  maxPingsPerSecond: 5,
  maxSpeedKmh: 300,
};

/** The optional fields of a ping and their ranges, `[min, max]` inclusive, with units. */
export const PING_OPTIONAL_RANGES = {
  /** Degrees clockwise from north. */
  heading: [0, 360],
  /** Metres per second. */
  speed: [0, 150],
  /** Metres. */
  accuracy: [0, 10_000],
} as const satisfies Record<string, readonly [number, number]>;

/** True when an optional ping field is absent or a number within its range. */
export function optionalPingField(
  value: unknown,
  field: keyof typeof PING_OPTIONAL_RANGES,
): boolean {
  const [min, max] = PING_OPTIONAL_RANGES[field];
  return value === undefined || (typeof value === 'number' && value >= min && value <= max);
}

/** What the rules need to remember of one driver; mutated in place (no allocation per ping). */
export interface PingHistory {
  /** Server times of the last `maxPingsPerSecond` pings that were not rate-limited, a ring. */
  recentPingAtMs: Float64Array;
  recentCursor: number;
  /** The last accepted position and its phone time; NaN before the first. */
  lastLat: number;
  lastLng: number;
  lastTs: number;
}

export function newPingHistory(limits: PingLimits = DEFAULT_PING_LIMITS): PingHistory {
  return {
    recentPingAtMs: new Float64Array(limits.maxPingsPerSecond).fill(-Infinity),
    recentCursor: 0,
    lastLat: NaN,
    lastLng: NaN,
    lastTs: NaN,
  };
}

export type PingVerdict = 'OK' | 'VALIDATION' | 'RATE_LIMITED' | 'IMPLAUSIBLE_LOCATION';

/**
 * Checks a ping against a driver's history at server time `nowMs`, in the order that costs
 * least: shape, rate, time window, plausibility. Only an `OK` ping is remembered as the last
 * position; every ping that is not rate-limited counts towards the rate.
 */
export function checkPing(
  history: PingHistory,
  lat: number,
  lng: number,
  ts: number,
  nowMs: number,
  limits: PingLimits = DEFAULT_PING_LIMITS,
): PingVerdict {
  if (!isCoordinate(lat, lng) || !Number.isFinite(ts)) return 'VALIDATION';

  const oldest = history.recentPingAtMs[history.recentCursor];
  if (nowMs - oldest < 1_000) return 'RATE_LIMITED';
  history.recentPingAtMs[history.recentCursor] = nowMs;
  history.recentCursor = (history.recentCursor + 1) % history.recentPingAtMs.length;

  if (ts > nowMs + limits.maxFutureSkewMs || ts < nowMs - limits.maxAgeMs) return 'VALIDATION';

  if (!Number.isNaN(history.lastTs)) {
    const meters = haversineMeters(history.lastLat, history.lastLng, lat, lng);
    const seconds = (ts - history.lastTs) / 1_000;
    // A ping older than the last accepted one cannot move the car; it may only confirm it.
    if (seconds <= 0) return meters < 1 ? 'OK' : 'IMPLAUSIBLE_LOCATION';
    if ((meters / seconds) * 3.6 > limits.maxSpeedKmh) return 'IMPLAUSIBLE_LOCATION';
  }
  history.lastLat = lat;
  history.lastLng = lng;
  history.lastTs = ts;
  return 'OK';
}

export function isCoordinate(lat: unknown, lng: unknown): lat is number {
  return (
    typeof lat === 'number' &&
    typeof lng === 'number' &&
    lat >= -90 &&
    lat <= 90 &&
    lng >= -180 &&
    lng <= 180
  );
}
