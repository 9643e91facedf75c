import { batchedLookup } from './batched-lookup';

/** A load whose queries the test answers by hand, recording the keys of each. */
function manualLoad() {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const load = (keys: readonly string[]) => {
    batches.push([...keys]);
    return new Promise<Map<string, string>>((resolve) =>
      pending.push(() => resolve(new Map(keys.map((k) => [k, k.toUpperCase()])))),
    );
  };
  return { batches, pending, load };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('batchedLookup', () => {
  it('shares one query among lookups made within the window, and answers each its own', async () => {
    const { batches, pending, load } = manualLoad();
    const lookup = batchedLookup(load, 1);
    const answers = Promise.all(['a', 'b', 'c'].map(lookup));
    await tick(10);
    expect(batches).toEqual([['a', 'b', 'c']]);
    pending.shift()!();
    expect(await answers).toEqual(['A', 'B', 'C']);
  });

  it('resolves keys the query did not find to null, and passes a failure to its callers', async () => {
    const lookup = batchedLookup(async (keys: readonly string[]) => {
      if (keys.includes('boom')) throw new Error('database down');
      return new Map(keys.filter((k) => k !== 'x').map((k) => [k, k]));
    }, 1);
    expect(await Promise.all([lookup('x'), lookup('y')])).toEqual([null, 'y']);
    await expect(lookup('boom')).rejects.toThrow('database down');
    expect(await lookup('z')).toBe('z'); // and the next batch runs
  });

  it('holds the next batch while a query is in flight, so batches grow with the load', async () => {
    const { batches, pending, load } = manualLoad();
    const lookup = batchedLookup(load, 1);
    const first = lookup('a');
    await tick(10);
    expect(batches).toEqual([['a']]); // the query of `a` is in flight
    const later = ['b', 'c', 'd', 'e'].map(lookup);
    await tick(10);
    await Promise.resolve();
    const more = lookup('f');
    await tick(10);
    expect(batches).toEqual([['a']]); // b..f wait for it, in one batch
    pending.shift()!();
    expect(await first).toBe('A');
    await tick(10);
    expect(batches).toEqual([['a'], ['b', 'c', 'd', 'e', 'f']]);
    pending.shift()!();
    expect(await Promise.all([...later, more])).toEqual(['B', 'C', 'D', 'E', 'F']);
  });
});
