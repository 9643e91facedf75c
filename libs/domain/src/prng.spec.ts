import { Prng } from './prng';

const draw = (rng: Prng, n: number) => Array.from({ length: n }, () => rng.next());

describe('Prng (mulberry32)', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    expect(draw(new Prng(42), 20)).toEqual(draw(new Prng(42), 20));
    expect(draw(new Prng(42), 20)).not.toEqual(draw(new Prng(43), 20));
  });

  it('is pinned to the reference mulberry32 (seed 42 starts 0.6011037519...)', () => {
    expect(draw(new Prng(42), 3).map((x) => x.toFixed(8))).toEqual([
      '0.60110375',
      '0.44829056',
      '0.85246579',
    ]);
  });

  it('draws floats in [0, 1) and integers within their bounds, roughly uniformly', () => {
    const rng = new Prng(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i += 1) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      buckets[Math.floor(x * 10)] += 1;
      const n = rng.int(3, 5);
      expect([3, 4, 5]).toContain(n);
    }
    for (const count of buckets) expect(count).toBeGreaterThan(850);
  });

  it('picks weighted keys in proportion', () => {
    const rng = new Prng(1);
    const counts = { A: 0, B: 0, C: 0 };
    for (let i = 0; i < 10_000; i += 1) counts[rng.weighted({ A: 0.7, B: 0.2, C: 0.1 })] += 1;
    expect(counts.A / 10_000).toBeCloseTo(0.7, 1);
    expect(counts.B / 10_000).toBeCloseTo(0.2, 1);
    expect(counts.C / 10_000).toBeCloseTo(0.1, 1);
  });

  it('forks independent, reproducible streams', () => {
    const a = new Prng(42).fork(1);
    const b = new Prng(42).fork(2);
    expect(draw(new Prng(42).fork(1), 10)).toEqual(draw(a, 10));
    expect(draw(new Prng(42).fork(1), 10)).not.toEqual(draw(b, 10));
  });
});
