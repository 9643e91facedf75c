import { fareMinor } from './fares';

describe('fareMinor', () => {
  it('adds base, distance and time', () => {
    // 250 + 120 * 10 km + 25 * 20 min = 1950
    expect(fareMinor('ECONOMY', 10_000, 1_200)).toBe(1950);
  });

  it('never charges less than the minimum', () => {
    expect(fareMinor('PREMIUM', 100, 30)).toBe(1500);
  });

  it('applies the surge multiplier after the minimum and rounds to a minor unit', () => {
    expect(fareMinor('ECONOMY', 0, 0, 1.5)).toBe(900);
    // 400 + 180 * 1.234 + 35 * 77 / 60 = 667 -> minimum 900, x1.3 = 1170
    expect(fareMinor('XL', 1_234, 77, 1.3)).toBe(1170);
  });
});
