/**
 * Comparisons as arithmetic, for the search's hot loops. A query's own work is small (at 100k
 * drivers around real cities, ~20 points and 1-2 leaves), and what it costs is mostly branches
 * whose outcome is a coin toss: is this point inside the k-th distance, which quadrant holds the
 * query. TurboFan compiles `a < b ? 1 : 0` (and Math.min / Math.max) to a compare and a jump, so a
 * mispredicted outcome costs ~20 cycles; the sign bit of a - b, read back through a Float64Array
 * aliased as Int32, is the same answer with no jump.
 */
const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);
/** Index of the Int32 holding a double's sign bit: 1 on little-endian machines, 0 on big-endian. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** 1 when x is negative (including -0 and -Infinity), 0 otherwise; x must not be NaN. */
export function signBit(x: number): number {
  f64[0] = x;
  return i32[HIGH] >>> 31;
}
