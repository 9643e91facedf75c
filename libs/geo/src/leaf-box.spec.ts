import fc from 'fast-check';
import {
  C_COUNT,
  C_NEXT,
  CHUNK_INT_SHIFT,
  N_FIRST,
  N_HEAD,
  N_TIGHT,
  POS_SHIFT,
  PT_STRIDE,
} from './quad-layout';
import { DEG_TO_RAD } from './geo-math';
import { QuadStore } from './quad-store';

/**
 * The box of a leaf's points (N_TIGHT) is what a query prunes leaves by, so it must hold every
 * point of its leaf after any sequence of inserts, in-place pings, leaf moves, splits, folds and
 * removes; it may be loose, never short. The property tests against brute force check the answers;
 * this checks the invariant itself, on every leaf.
 */
function checkLeafBoxes(store: QuadStore, root: number): number {
  const { nodeI, nodeT, pts, ptInt } = store;
  let leaves = 0;
  const walk = (node: number): void => {
    const first = nodeI[(node << 4) + N_FIRST];
    if (first >= 0) {
      for (let i = 0; i < 4; i++) walk(first + i);
      return;
    }
    leaves++;
    const t = (node << 4) + N_TIGHT;
    for (let chunk = nodeI[(node << 4) + N_HEAD]; chunk >= 0;) {
      const c = chunk << CHUNK_INT_SHIFT;
      const start = chunk << POS_SHIFT;
      const end = start + PT_STRIDE * ptInt[c + C_COUNT];
      for (let pos = start; pos < end; pos += PT_STRIDE) {
        expect(pts[pos]).toBeGreaterThanOrEqual(nodeT[t]);
        expect(pts[pos]).toBeLessThanOrEqual(nodeT[t + 1]);
        expect(pts[pos + 1]).toBeGreaterThanOrEqual(nodeT[t + 2]);
        expect(pts[pos + 1]).toBeLessThanOrEqual(nodeT[t + 3]);
      }
      chunk = ptInt[c + C_NEXT];
    }
  };
  walk(root);
  return leaves;
}

describe('leaf boxes', () => {
  it('hold every point of their leaf through inserts, pings, splits, folds and removes', () => {
    // A small cell so moves cross leaves often; coordinates that are not float32 values.
    const coord = fc.tuple(
      fc.double({ min: 0.1, max: 0.9, noNaN: true }),
      fc.double({ min: 0.1, max: 0.9, noNaN: true }),
    );
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), at: coord }),
      fc.record({ kind: fc.constant('move' as const), slot: fc.nat(63), at: coord }),
      fc.record({
        kind: fc.constant('nudge' as const),
        slot: fc.nat(63),
        by: fc.oneof(
          fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
          fc.double({ min: -2e-3, max: 2e-3, noNaN: true }),
        ),
      }),
      fc.record({ kind: fc.constant('remove' as const), slot: fc.nat(63) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(op, { maxLength: 200 }),
        (capacity, ops) => {
          const store = new QuadStore(capacity);
          store.ensureSlots(64);
          const root = store.allocRoot(0, 1, 0, 1);
          const live = new Map<number, [number, number]>();
          let next = 0;
          for (const o of ops) {
            if (o.kind === 'add') {
              if (next === 64) continue;
              store.insert(root, next, o.at[0], o.at[1], `p${next}`, undefined);
              live.set(next++, o.at);
            } else if (!live.has(o.slot)) {
              continue;
            } else if (o.kind === 'remove') {
              store.remove(o.slot);
              live.delete(o.slot);
            } else {
              const [lat, lng] = o.kind === 'move' ? o.at : live.get(o.slot)!.map((v) => v + o.by);
              const cos = Math.cos(lat * DEG_TO_RAD);
              if (!store.moveInPlace(o.slot, lat, lng, cos)) store.move(o.slot, lat, lng);
              live.set(o.slot, [lat, lng]);
            }
            checkLeafBoxes(store, root);
          }
          for (const slot of live.keys()) store.remove(slot);
          expect(store.countOf(root)).toBe(0);
        },
      ),
      { seed: 13, numRuns: 400 },
    );
  });
});
