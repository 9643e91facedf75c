/**
 * Redis GEO on the local server, the baseline the platform would otherwise use. Every loop is
 * bounded by count and by time, the key is private to this run and deleted afterwards.
 */
import Redis from 'ioredis';
import type { Budget, Result } from './geo.bench';
import {
  log,
  now,
  percentile,
  type PingStep,
  type Positions,
  QUERY_K,
  QUERY_RADIUS_METERS,
} from './workload';

const MEMBERS_PER_GEOADD = 500;
const COMMANDS_PER_PIPELINE = 20;

/** GEOADDs the step's pings in their arrival order, pipelined, until done or the deadline. */
async function geoadd(
  redis: Redis,
  key: string,
  ids: string[],
  step: PingStep,
  deadline: number,
): Promise<number> {
  const { driver, pingLat, pingLng } = step;
  let done = 0;
  while (done < ids.length && now() < deadline) {
    const pipeline = redis.pipeline();
    for (let c = 0; c < COMMANDS_PER_PIPELINE && done < ids.length; c++) {
      const args: (string | number)[] = [];
      const end = Math.min(ids.length, done + MEMBERS_PER_GEOADD);
      for (let i = done; i < end; i++) args.push(pingLng[i], pingLat[i], ids[driver[i]]);
      pipeline.geoadd(key, ...args);
      done = end;
    }
    const replies = await pipeline.exec();
    const failed = replies?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }
  return done;
}

/** Returns the figures, or a note explaining why Redis was skipped. */
export async function measureRedis(
  ids: string[],
  steps: PingStep[],
  queries: Positions,
  budget: Budget,
): Promise<Result | string> {
  const redis = new Redis({
    host: '127.0.0.1',
    port: 6379,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    return `Redis GEO skipped: 127.0.0.1:6379 not reachable (${(error as Error).message})`;
  }
  const n = ids.length;
  const key = `bench:geo:${process.pid}:${n}`;
  try {
    await redis.del(key);
    log(`redis: GEOADD ${n} drivers (pipelined)`);
    let t = now();
    const built = await geoadd(redis, key, ids, steps[0], t + budget.redisBuildMs);
    const buildMs = now() - t;
    if (built < n) return `Redis GEO skipped: build loaded only ${built}/${n} members in time`;
    const memory = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));

    log('redis: one ping step of GEOADDs, time-bounded');
    t = now();
    const moved = await geoadd(redis, key, ids, steps[1], t + budget.slowPhaseMs);
    const updatesPerSec = moved / ((now() - t) / 1000);

    log('redis: GEOSEARCH BYRADIUS ASC COUNT, one round trip each');
    const latencies = new Float64Array(budget.redisQueries);
    const start = now();
    let done = 0;
    while (done < budget.redisQueries && now() - start < budget.slowPhaseMs) {
      const q0 = now();
      await redis.call(
        'GEOSEARCH',
        key,
        'FROMLONLAT',
        String(queries.lng[done]),
        String(queries.lat[done]),
        'BYRADIUS',
        String(QUERY_RADIUS_METERS),
        'm',
        'ASC',
        'COUNT',
        String(QUERY_K),
      );
      latencies[done++] = (now() - q0) * 1000;
    }
    const elapsed = now() - start;
    const sorted = latencies.subarray(0, done).sort();
    return {
      name: 'Redis GEO (local)',
      buildMs,
      updatesPerSec,
      queriesPerSec: done / (elapsed / 1000),
      // Another process's server: no contender of ours runs between its phases.
      coldUpdatesPerSec: NaN,
      coldQueriesPerSec: NaN,
      p50Us: percentile(sorted, 0.5),
      p99Us: percentile(sorted, 0.99),
      bytesPerDriver: memory / n,
      note: `${moved < n ? `${moved} moves, ` : ''}${done} queries; memory = MEMORY USAGE`,
    };
  } finally {
    await redis.del(key).catch(() => undefined);
    redis.disconnect();
  }
}
