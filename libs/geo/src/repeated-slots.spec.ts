import fc from 'fast-check';
import { RepeatedSlots } from './repeated-slots';

/** What `mark` must do, by counting. */
function expected(slots: number[]): number[] {
  const seen = new Map<number, number>();
  for (const s of slots) seen.set(s, (seen.get(s) ?? 0) + 1);
  return slots.map((s) => (seen.get(s)! > 1 ? 0 : 1));
}

function marked(table: RepeatedSlots, slots: number[]): number[] {
  const out = new Uint8Array(slots.length).fill(1);
  table.mark(Int32Array.from(slots), slots.length, out);
  return [...out];
}

describe('RepeatedSlots', () => {
  it('clears exactly the entries whose slot occurs more than once, call after call (property)', () => {
    const table = new RepeatedSlots(256);
    // Small slots repeat often; multiples of the table size collide in it.
    const slot = fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 8 }).map((i) => i * 1024),
      fc.nat({ max: 2 ** 26 - 1 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(slot, { maxLength: 256, size: 'max' }), { maxLength: 6 }),
        (blocks) => {
          for (const block of blocks) expect(marked(table, block)).toEqual(expected(block));
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('forgets the previous block, also when its stamp wraps', () => {
    const table = new RepeatedSlots(8);
    expect(marked(table, [3, 4, 3])).toEqual([0, 1, 0]);
    expect(marked(table, [3, 5])).toEqual([1, 1]);
    (table as unknown as { stamp: number }).stamp = 0x7ffffffe;
    expect(marked(table, [7, 7])).toEqual([0, 0]);
    // The stamp starts again at 1, the first block's: its entry for 4 must not count.
    expect(marked(table, [4, 6])).toEqual([1, 1]);
    expect(marked(table, [8, 9, 8])).toEqual([0, 1, 0]);
  });
});
