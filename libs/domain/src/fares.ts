/**
 * Fares in integer minor units (cents) of one currency.
 *
 * The rule, in this order, with one rounding at the very end:
 *   1. metered  = base + perKm x km + perMinute x minutes        (exact, no rounding yet)
 *   2. ride     = max(metered, minimum)                          (the minimum is a floor on the ride)
 *   3. surged   = ride x surge                                   (surge multiplies the ride only,
 *                                                                 minimum included; never the
 *                                                                 booking fee, which is the
 *                                                                 platform's and does not scale)
 *   4. fare     = round-half-up(surged) + bookingFee
 * Surge multipliers are multiples of 0.1 (the surge function's step), so the product is computed
 * in integers: no binary fraction can make 1050.5 round to 1050.
 */
export type CabTypeName = 'ECONOMY' | 'XL' | 'PREMIUM';

export interface Tariff {
  baseMinor: number;
  perKmMinor: number;
  perMinuteMinor: number;
  minimumMinor: number;
  bookingFeeMinor: number;
}

export type Tariffs = Readonly<Record<CabTypeName, Tariff>>;

export const CURRENCY = 'USD';

export const DEFAULT_TARIFFS: Tariffs = {
  ECONOMY: {
    baseMinor: 250,
    perKmMinor: 120,
    perMinuteMinor: 25,
    minimumMinor: 600,
    bookingFeeMinor: 150,
  },
  XL: {
    baseMinor: 400,
    perKmMinor: 180,
    perMinuteMinor: 35,
    minimumMinor: 900,
    bookingFeeMinor: 200,
  },
  PREMIUM: {
    baseMinor: 600,
    perKmMinor: 260,
    perMinuteMinor: 50,
    minimumMinor: 1500,
    bookingFeeMinor: 250,
  },
};

export interface FareBreakdown {
  /** base + distance + time, before the minimum, unrounded. */
  meteredMinor: number;
  surgeMultiplier: number;
  bookingFeeMinor: number;
  totalMinor: number;
}

/** Common denominator: metres per km (1000) x seconds per minute (60) x surge tenths (10). */
const SCALE = 600_000;

export function fareBreakdown(
  tariff: Tariff,
  distanceMeters: number,
  durationSeconds: number,
  surgeMultiplier = 1,
): FareBreakdown {
  if (!(distanceMeters >= 0) || !(durationSeconds >= 0)) {
    throw new RangeError(
      `distance ${distanceMeters} m and duration ${durationSeconds} s must be >= 0`,
    );
  }
  const surgeTenths = Math.round(surgeMultiplier * 10);
  if (surgeTenths < 10) throw new RangeError(`surge ${surgeMultiplier} is below 1.0`);
  const meters = Math.round(distanceMeters);
  const seconds = Math.round(durationSeconds);
  // Everything x 60000 (so metres and seconds stay integers), then x surge tenths.
  const metered60k =
    tariff.baseMinor * 60_000 +
    tariff.perKmMinor * meters * 60 +
    tariff.perMinuteMinor * seconds * 1000;
  const ride60k = Math.max(metered60k, tariff.minimumMinor * 60_000);
  const surged = ride60k * surgeTenths; // in 1/SCALE minor units
  const rounded = Math.floor((surged * 2 + SCALE) / (2 * SCALE)); // half up
  return {
    meteredMinor: metered60k / 60_000,
    surgeMultiplier: surgeTenths / 10,
    bookingFeeMinor: tariff.bookingFeeMinor,
    totalMinor: rounded + tariff.bookingFeeMinor,
  };
}

/** The fare of a ride under `tariffs` (the defaults unless configured). */
export function fareMinor(
  cabType: CabTypeName,
  distanceMeters: number,
  durationSeconds: number,
  surgeMultiplier = 1,
  tariffs: Tariffs = DEFAULT_TARIFFS,
): number {
  return fareBreakdown(tariffs[cabType], distanceMeters, durationSeconds, surgeMultiplier)
    .totalMinor;
}

/**
 * How far the final fare may move from the quote (upfront pricing): the metered fare of what was
 * driven, at the locked surge, clamped to [quote x (1 - band), quote x (1 + band)], unless the
 * route changed: the distance driven differs from the quoted distance by more than
 * `routeChangeRatio` (a detour, a different drop-off), and then the metered fare stands.
 */
export interface FareBand {
  band: number;
  routeChangeRatio: number;
}

export const DEFAULT_FARE_BAND: FareBand = { band: 0.2, routeChangeRatio: 0.25 };

export function finalFareMinor(
  meteredMinor: number,
  quote: { fareMinor: number; distanceMeters: number },
  drivenMeters: number,
  policy: FareBand = DEFAULT_FARE_BAND,
): { fareMinor: number; routeChanged: boolean } {
  const routeChanged =
    Math.abs(drivenMeters - quote.distanceMeters) >
    policy.routeChangeRatio * Math.max(quote.distanceMeters, 1);
  if (routeChanged) return { fareMinor: meteredMinor, routeChanged };
  const low = Math.ceil(quote.fareMinor * (1 - policy.band));
  const high = Math.floor(quote.fareMinor * (1 + policy.band));
  return { fareMinor: Math.min(Math.max(meteredMinor, low), high), routeChanged };
}

/**
 * The cancellation fee: a rider who cancels after the driver has waited at the pickup longer
 * than the grace period pays `feeMinor`; an earlier cancel is free. A cancel once the ride has
 * started always pays it (the driver came and waited).
 */
export interface CancellationPolicy {
  graceSeconds: number;
  feeMinor: number;
}

export function cancellationFeeMinor(
  trip: { status: string; arrivedAtMs: number | null },
  nowMs: number,
  policy: CancellationPolicy,
): number {
  if (trip.status === 'IN_PROGRESS') return policy.feeMinor;
  if (trip.status !== 'DRIVER_ARRIVED' || trip.arrivedAtMs === null) return 0;
  return nowMs - trip.arrivedAtMs > policy.graceSeconds * 1000 ? policy.feeMinor : 0;
}
