import fc from 'fast-check';
import { RootTable } from './root-table';

/** The table must behave exactly like a Map through any mix of adds and deletes. */
describe('RootTable', () => {
  // A few keys that collide in a small table, keys above 2^32, and ordinary ones.
  const keyArb = fc.oneof(
    fc.integer({ min: 0, max: 64 }),
    fc.constantFrom(2 ** 32, 2 ** 32 + 1, 2 ** 40 - 1, 16, 32, 48),
    fc.integer({ min: 0, max: 2 ** 40 - 1 }),
  );
  const opArb = fc.tuple(fc.boolean(), keyArb, fc.integer({ min: 0, max: 1 << 30 }));

  it('agrees with a Map after any sequence of adds and deletes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const table = new RootTable();
        const model = new Map<number, number>();
        for (const [add, key, root] of ops) {
          if (add && !model.has(key)) {
            table.add(key, root);
            model.set(key, root);
          } else if (!add && model.has(key)) {
            table.delete(key);
            model.delete(key);
          }
          expect(table.size).toBe(model.size);
          expect(table.get(key)).toBe(model.get(key) ?? -1);
        }
        for (const [key, root] of model) expect(table.get(key)).toBe(root);
        const listed = new Map<number, number>();
        for (let i = 0; i < table.capacity; i++) {
          if (table.keyAt(i) >= 0) listed.set(table.keyAt(i), table.rootAt(i));
        }
        expect(listed).toEqual(model);
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it('shrinks back when emptied, and answers -1 for missing keys', () => {
    const table = new RootTable();
    for (let key = 0; key < 10_000; key++) table.add(key * 7919, key);
    expect(table.get(7919 * 42)).toBe(42);
    expect(table.get(5)).toBe(-1);
    for (let key = 0; key < 10_000; key++) table.delete(key * 7919);
    expect(table.size).toBe(0);
    expect(table.capacity).toBeLessThanOrEqual(32);
    expect(table.get(0)).toBe(-1);
  });
});
