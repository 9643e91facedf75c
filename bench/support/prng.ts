import { Prng } from '../../libs/domain/src/prng';

/** mulberry32 as a plain function, from the one seeded PRNG (libs/domain). Never Math.random. */
export function mulberry32(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}
