import {
  cancellationFeeMinor,
  DEFAULT_TARIFFS,
  fareBreakdown,
  fareMinor,
  finalFareMinor,
} from './fares';

describe('fareMinor', () => {
  it.each([
    // [why, cabType, metres, seconds, surge, expected]
    ['base + distance + time + booking fee', 'ECONOMY', 10_000, 1_200, 1, 250 + 1200 + 500 + 150],
    ['the minimum when the ride is short', 'PREMIUM', 100, 30, 1, 1500 + 250],
    ['surge multiplies the minimum, not the booking fee', 'ECONOMY', 0, 0, 1.5, 900 + 150],
    ['surge after the minimum', 'XL', 1_234, 77, 1.3, 1170 + 200],
    // 250 + 120 x 5.125 = 865; x 1.3 = 1124.5 exactly: half up to 1125 (floats would say 1124.4999)
    ['one rounding, half up, in integers', 'ECONOMY', 5_125, 0, 1.3, 1125 + 150],
    ['surge 1.1 without float drift', 'ECONOMY', 10_000, 0, 1.1, 1595 + 150],
    ['fractional metres and seconds round first', 'ECONOMY', 9_999.6, 1_199.6, 1, 2100],
  ] as const)('%s', (_why, cabType, meters, seconds, surge, expected) => {
    expect(fareMinor(cabType, meters, seconds, surge)).toBe(expected);
  });

  it('uses configured tariffs', () => {
    const tariffs = {
      ...DEFAULT_TARIFFS,
      ECONOMY: { ...DEFAULT_TARIFFS.ECONOMY, bookingFeeMinor: 0 },
    };
    expect(fareMinor('ECONOMY', 0, 0, 1, tariffs)).toBe(600);
  });

  it('refuses a surge below 1 and negative distances, saying which', () => {
    expect(() => fareBreakdown(DEFAULT_TARIFFS.XL, 1, 1, 0.9)).toThrow(/surge 0.9 is below 1.0/);
    expect(() => fareBreakdown(DEFAULT_TARIFFS.XL, -1, 1)).toThrow(/must be >= 0/);
  });

  it('reports the metered part before the minimum', () => {
    expect(fareBreakdown(DEFAULT_TARIFFS.ECONOMY, 1_000, 60, 2)).toEqual({
      meteredMinor: 395,
      surgeMultiplier: 2,
      bookingFeeMinor: 150,
      totalMinor: 1350,
    });
  });
});

describe('finalFareMinor (upfront price band)', () => {
  const quote = { fareMinor: 2000, distanceMeters: 5000 };
  it.each([
    ['metered within the band stands', 2100, 5200, 2100, false],
    ['slow traffic is capped at +20 %', 3000, 5100, 2400, false],
    ['a short cut is floored at -20 %', 1000, 4000, 1600, false],
    ['a route 30 % longer pays the meter', 3000, 6600, 3000, true],
    ['a route 30 % shorter pays the meter', 1000, 3400, 1000, true],
  ] as const)('%s', (_why, metered, driven, fare, routeChanged) => {
    expect(finalFareMinor(metered, quote, driven)).toEqual({ fareMinor: fare, routeChanged });
  });
});

describe('cancellationFeeMinor', () => {
  const policy = { graceSeconds: 120, feeMinor: 500 };
  it.each([
    ['before the driver arrives', 'DRIVER_ASSIGNED', null, 999_000, 0],
    ['within the grace period', 'DRIVER_ARRIVED', 0, 120_000, 0],
    ['after the grace period', 'DRIVER_ARRIVED', 0, 120_001, 500],
    ['during the ride', 'IN_PROGRESS', 0, 1, 500],
    ['while still requested', 'REQUESTED', null, 999_000, 0],
  ] as const)('%s', (_why, status, arrivedAtMs, nowMs, fee) => {
    expect(cancellationFeeMinor({ status, arrivedAtMs }, nowMs, policy)).toBe(fee);
  });
});
