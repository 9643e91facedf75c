import { signBit } from './branchless';

describe('signBit', () => {
  it('is 1 exactly for negative values, -0 and -Infinity included', () => {
    for (const x of [-1, -1e-300, -5e-324, -0, -Infinity, -123456.75]) expect(signBit(x)).toBe(1);
    for (const x of [1, 1e-300, 5e-324, 0, Infinity, 123456.75]) expect(signBit(x)).toBe(0);
  });

  it('answers a <= b as 1 - signBit(b - a) for the search keys it is used on', () => {
    const keys = [0, 1e-12, 3.3e-8, 0.5, 1, Infinity];
    for (const a of keys.slice(0, -1)) {
      for (const b of keys) expect(1 - signBit(b - a)).toBe(a <= b ? 1 : 0);
    }
  });
});
