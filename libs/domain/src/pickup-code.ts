import { randomInt } from 'node:crypto';

/**
 * Four digits the rider shows the driver, so nobody leaves with the wrong car. Drawn from the
 * crypto generator by default: a guessable code would let a driver start someone else's trip.
 */
export function newPickupCode(draw: (maxExclusive: number) => number = randomInt): string {
  return String(draw(10_000)).padStart(4, '0');
}
