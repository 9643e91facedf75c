import DataLoader from 'dataloader';

/** How long a lookup waits for others to share its query. */
const WINDOW_MS = 5;
const MAX_BATCH = 500;

/**
 * Reads of one kind made within a few milliseconds of each other share one query: a storm of
 * sockets connecting (every client of a process that died reconnects within seconds) costs one
 * query per few hundred clients instead of one each, and does not drain the database pool.
 * Nothing is cached: every call sees the database as of its batch. `load` answers the keys it
 * found; the others resolve to null.
 */
export function batchedLookup<K, V>(
  load: (keys: readonly K[]) => Promise<Map<K, V>>,
): (key: K) => Promise<V | null> {
  const loader = new DataLoader<K, V | null>(
    async (keys) => {
      const found = await load(keys);
      return keys.map((key) => found.get(key) ?? null);
    },
    {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (run) => setTimeout(run, WINDOW_MS),
    },
  );
  return (key) => loader.load(key);
}
