/**
 * Fares in integer minor units. A fare is base + distance + time, at least the minimum, times
 * the surge multiplier, rounded to the nearest minor unit.
 */
export type CabTypeName = 'ECONOMY' | 'XL' | 'PREMIUM';

export interface Tariff {
  baseMinor: number;
  perKmMinor: number;
  perMinuteMinor: number;
  minimumMinor: number;
}

export const CURRENCY = 'USD';

export const TARIFFS: Readonly<Record<CabTypeName, Tariff>> = {
  ECONOMY: { baseMinor: 250, perKmMinor: 120, perMinuteMinor: 25, minimumMinor: 600 },
  XL: { baseMinor: 400, perKmMinor: 180, perMinuteMinor: 35, minimumMinor: 900 },
  PREMIUM: { baseMinor: 600, perKmMinor: 260, perMinuteMinor: 50, minimumMinor: 1500 },
};

export function fareMinor(
  cabType: CabTypeName,
  distanceMeters: number,
  durationSeconds: number,
  surgeMultiplier = 1,
): number {
  const t = TARIFFS[cabType];
  const raw =
    t.baseMinor +
    (t.perKmMinor * distanceMeters) / 1000 +
    (t.perMinuteMinor * durationSeconds) / 60;
  return Math.round(Math.max(raw, t.minimumMinor) * surgeMultiplier);
}
