/**
 * Bench data: a fresh `ridehail_match_bench` database with PostGIS, Redis db 11 flushed, a
 * fleet of drivers (with vehicles) and riders inserted in bulk SQL, the fleet written into the
 * server's live-location hash, and access tokens minted with the server's secret (signing up
 * thousands of accounts over HTTP would spend minutes in argon2).
 */
import { JwtService } from '@nestjs/jwt';
import Redis from 'ioredis';
import {
  databaseUrl,
  flushRedis as flushRedisUrl,
  resetDatabase as resetNamedDatabase,
  withClient,
} from '../support/services';
import { CabType, LatLng, mulberry32, pickCabType, pointInBox } from './common';

export const BENCH_DB = 'ridehail_match_bench';
export const BENCH_DB_URL = databaseUrl(BENCH_DB);
export const BENCH_REDIS_URL = 'redis://127.0.0.1:6379/11';
/** The server's live-location hash (see apps/api/src/modules/locations/live-store.redis.ts). */
const LIVE_KEY = 'live:drivers';

/** Not a real argon2 hash of anything: bench accounts never log in over HTTP. */
const FIXED_PASSWORD_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$YmVuY2gtbWF0Y2gtc2FsdA$YmVuY2gtbWF0Y2gtaGFzaC1ub3QtcmVhbA';

/** Drops and recreates the bench database and enables PostGIS in it. */
export function resetDatabase(): Promise<void> {
  return resetNamedDatabase(BENCH_DB);
}

function redisClient(): Redis {
  return new Redis(BENCH_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
}

/** Empties Redis db 11 only. */
export function flushRedis(): Promise<void> {
  return flushRedisUrl(BENCH_REDIS_URL);
}

export interface FleetDriver {
  id: string;
  cabType: CabType;
  at: LatLng;
}

/**
 * Inserts `n` drivers with vehicles (run after the server has migrated): uniform in the box,
 * 70/20/10 % ECONOMY/XL/PREMIUM, rating 4.00-5.00, acceptance 0.600-1.000, all from `seed`.
 * Returns them in index order with their ids.
 */
export async function seedFleet(n: number, seed: number): Promise<FleetDriver[]> {
  const random = mulberry32(seed);
  const cabTypes: CabType[] = [];
  const points: LatLng[] = [];
  const ratings: string[] = [];
  const acceptance: string[] = [];
  for (let i = 0; i < n; i++) {
    points.push(pointInBox(random));
    cabTypes.push(pickCabType(random));
    ratings.push((4 + random()).toFixed(2));
    acceptance.push((0.6 + 0.4 * random()).toFixed(3));
  }
  return withClient(BENCH_DB_URL, async (client) => {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO drivers (name, email, password_hash, rating, acceptance_rate)
       SELECT 'Match Bench Driver ' || g, 'match-driver-' || g || '@bench.test', $1,
              r::numeric, a::numeric
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(r, a, g)`,
      [FIXED_PASSWORD_HASH, ratings, acceptance],
    );
    await client.query(
      `INSERT INTO vehicles (driver_id, plate, model, cab_type)
       SELECT d.id, 'MB' || lpad(u.g::text, 6, '0'), 'Bench Car', u.cab
       FROM unnest($1::text[]) WITH ORDINALITY AS u(cab, g)
       JOIN drivers d ON d.email = 'match-driver-' || u.g || '@bench.test'`,
      [cabTypes],
    );
    await client.query('COMMIT');
    const { rows } = await client.query<{ id: string }>(
      `SELECT d.id FROM generate_series(1, $1::int) AS s(g)
       JOIN drivers d ON d.email = 'match-driver-' || s.g || '@bench.test'
       ORDER BY s.g`,
      [n],
    );
    if (rows.length !== n) throw new Error(`seeded ${rows.length} drivers, expected ${n}`);
    return rows.map((row, i) => ({ id: row.id, cabType: cabTypes[i], at: points[i] }));
  });
}

/** Inserts riders match-rider-1..n and returns their ids in that order. */
export async function seedRiders(n: number): Promise<string[]> {
  return withClient(BENCH_DB_URL, async (client) => {
    await client.query(
      `INSERT INTO riders (name, email, phone, password_hash)
       SELECT 'Match Bench Rider ' || g, 'match-rider-' || g || '@bench.test',
              '+4470' || lpad(g::text, 8, '0'), $1
       FROM generate_series(1, $2::int) AS g`,
      [FIXED_PASSWORD_HASH, n],
    );
    const { rows } = await client.query<{ id: string }>(
      `SELECT r.id FROM generate_series(1, $1::int) AS s(g)
       JOIN riders r ON r.email = 'match-rider-' || s.g || '@bench.test'
       ORDER BY s.g`,
      [n],
    );
    if (rows.length !== n) throw new Error(`seeded ${rows.length} riders, expected ${n}`);
    return rows.map((row) => row.id);
  });
}

/**
 * Replaces the live-location hash with `drivers`, AVAILABLE, last ping now (the server must be
 * stopped: it rebuilds its index from this hash at start and writes it back at shutdown).
 */
export async function writeLiveDrivers(drivers: readonly FleetDriver[]): Promise<number> {
  const redis = redisClient();
  await redis.connect();
  try {
    await redis.del(LIVE_KEY);
    const now = Date.now();
    const CHUNK = 1_000;
    for (let start = 0; start < drivers.length; start += CHUNK) {
      const args: string[] = [];
      for (const d of drivers.slice(start, start + CHUNK)) {
        args.push(d.id, ['AVAILABLE', d.cabType, d.at.lat, d.at.lng, 'NaN', now].join('|'));
      }
      await redis.hset(LIVE_KEY, ...args);
    }
    return redis.hlen(LIVE_KEY);
  } finally {
    redis.disconnect();
  }
}

/** HS256 access tokens `{ sub, role: 'rider' }`, as the server's TokenService issues them. */
export function mintRiderTokens(ids: readonly string[], secret: string): string[] {
  const jwt = new JwtService({ secret, signOptions: { algorithm: 'HS256', expiresIn: '2h' } });
  return ids.map((id) => jwt.sign({ sub: id, role: 'rider' }));
}

export interface JobTiming {
  addedMs: number;
  processedMs: number;
  finishedMs: number;
}

/**
 * BullMQ timestamps of each trip's first matching job (its id is the trip id, kept an hour
 * after completion): when it was added, picked up by a worker, finished.
 */
export async function firstJobTimings(tripIds: readonly string[]): Promise<Map<string, JobTiming>> {
  const redis = redisClient();
  await redis.connect();
  const out = new Map<string, JobTiming>();
  try {
    const CHUNK = 500;
    for (let start = 0; start < tripIds.length; start += CHUNK) {
      const ids = tripIds.slice(start, start + CHUNK);
      const pipeline = redis.pipeline();
      for (const id of ids)
        pipeline.hmget(`bull:matching:${id}`, 'timestamp', 'processedOn', 'finishedOn');
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([error, value], i) => {
        if (error || !Array.isArray(value)) return;
        const [added, processed, finished] = value.map((v) => Number(v ?? NaN));
        if (Number.isFinite(added)) {
          out.set(ids[i], { addedMs: added, processedMs: processed, finishedMs: finished });
        }
      });
    }
  } finally {
    redis.disconnect();
  }
  return out;
}

/** Failed jobs of the matching queue so far. */
export async function failedMatchingJobs(): Promise<number> {
  const redis = redisClient();
  await redis.connect();
  try {
    return await redis.zcard('bull:matching:failed');
  } finally {
    redis.disconnect();
  }
}
