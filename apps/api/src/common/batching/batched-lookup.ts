import DataLoader from 'dataloader';

/** How long a lookup waits for others to share its query. */
const WINDOW_MS = 5;
const MAX_BATCH = 500;

/**
 * Reads of one kind made within a few milliseconds of each other share one query: a storm of
 * sockets connecting (every client of a process that died reconnects within seconds) costs one
 * query per few hundred clients instead of one each, and does not drain the database pool.
 * While a batch's query is in flight, the next batch keeps collecting until it returns (then
 * waits the window as usual), so batches grow with the load: at 500 connects a second a fixed
 * 5 ms window made batches of two or three, and PostgreSQL's CPU per query, on the same cores
 * as the server, slowed the storm it was meant to absorb. Nothing is cached: every call sees
 * the database as of its batch. `load` answers the keys it found; the others resolve to null.
 */
export function batchedLookup<K, V>(
  load: (keys: readonly K[]) => Promise<Map<K, V>>,
  windowMs = WINDOW_MS,
): (key: K) => Promise<V | null> {
  let inFlight: Promise<unknown> | undefined;
  const loader = new DataLoader<K, V | null>(
    async (keys) => {
      const query = load(keys);
      const settled = query.then(
        () => undefined,
        () => undefined,
      );
      inFlight = settled;
      void settled.then(() => {
        if (inFlight === settled) inFlight = undefined;
      });
      const found = await query;
      return keys.map((key) => found.get(key) ?? null);
    },
    {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (run) => {
        const previous = inFlight;
        if (previous) void previous.then(() => setTimeout(run, windowMs));
        else setTimeout(run, windowMs);
      },
    },
  );
  return (key) => loader.load(key);
}
