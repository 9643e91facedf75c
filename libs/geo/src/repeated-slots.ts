/**
 * Finds the slots that occur more than once in a block of `moveMany`, with a small open-addressing
 * table that is never cleared: an entry counts only while its stamp is the current block's.
 */
export class RepeatedSlots {
  private readonly mask: number;
  private readonly shift: number;
  private readonly stamps: Int32Array;
  private readonly slotAt: Int32Array;
  private readonly indexAt: Int32Array;
  private stamp = 0;

  /** `maxBlock`: the most slots one call is given; the table is kept at most a quarter full. */
  constructor(maxBlock: number) {
    let bits = 4;
    while (1 << bits < maxBlock * 4) bits++;
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.stamps = new Int32Array(1 << bits);
    this.slotAt = new Int32Array(1 << bits);
    this.indexAt = new Int32Array(1 << bits);
  }

  /** Sets `out[i]` to 0 for every i whose slot occurs more than once in `slots[0..n)`. */
  mark(slots: Int32Array, n: number, out: Uint8Array): void {
    if (this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 0;
    }
    const stamp = ++this.stamp;
    const { stamps, slotAt, indexAt, mask, shift } = this;
    for (let i = 0; i < n; i++) {
      const slot = slots[i];
      // Fibonacci hashing: slots handed out in order spread over the whole table.
      let h = Math.imul(slot, 0x9e3779b1) >>> shift;
      while (stamps[h] === stamp && slotAt[h] !== slot) h = (h + 1) & mask;
      if (stamps[h] === stamp) {
        out[indexAt[h]] = 0;
        out[i] = 0;
      } else {
        stamps[h] = stamp;
        slotAt[h] = slot;
      }
      indexAt[h] = i;
    }
  }
}
