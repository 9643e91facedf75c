import fc from 'fast-check';
import { float32AtLeast } from './quad-layout';

/** The float32 step just below a float32 value (towards -Infinity). */
function float32Below(f: number): number {
  const view = new Float32Array([f]);
  const bits = new Int32Array(view.buffer);
  if (f > 0) bits[0] -= 1;
  else if (f < 0) bits[0] += 1;
  else return -Math.fround(1.401298464324817e-45);
  return view[0];
}

/**
 * The slot record's leaf box is rounded inwards with float32AtLeast, so a ping found inside it is
 * inside the exact leaf: it must return the least float32 that is >= its argument.
 */
describe('float32AtLeast', () => {
  const coordinate = fc.oneof(
    fc.double({ min: -180, max: 180, noNaN: true }),
    fc.constantFrom(0, -0, 90, -90, 180, -180, 12.97, 77.59, 1e-40, -1e-40, 1e-300, -1e-300),
    fc.integer({ min: -180, max: 180 }).map((i) => i + 2 ** -30),
  );

  it('is a float32, at least x, and the float32 below it is less than x', () => {
    fc.assert(
      fc.property(coordinate, (x) => {
        const f = float32AtLeast(x);
        expect(Math.fround(f)).toBe(f);
        expect(f >= x).toBe(true);
        expect(float32Below(f) < x).toBe(true);
      }),
      { numRuns: 20_000, seed: 13 },
    );
  });

  it('rounds the upper bound down through negation', () => {
    for (const x of [77.59, -77.59, 12.97, 0.1, -0.1]) {
      const down = -float32AtLeast(-x);
      expect(down <= x).toBe(true);
      expect(Math.fround(down)).toBe(down);
    }
  });
});
