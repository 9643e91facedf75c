/**
 * Bench data of the cluster benchmark: its own PostgreSQL database `ridehail_bench_cluster`
 * (dropped and recreated with PostGIS at start) and Redis db 13 (flushed at start), drivers with
 * vehicles and riders inserted in bulk SQL, and access tokens minted with the servers' secret.
 */
import { sign } from 'jsonwebtoken';
import { databaseUrl, flushRedis, resetDatabase, withClient } from '../support/services';

export const BENCH_DB = 'ridehail_bench_cluster';
export const BENCH_DB_URL = databaseUrl(BENCH_DB);
export const BENCH_REDIS_URL = 'redis://127.0.0.1:6379/13';
/** 40 characters, used only against the throwaway bench database. */
export const JWT_SECRET = 'bench-cluster-jwt-secret-not-for-prod-40';
export const CAB_TYPES = ['ECONOMY', 'XL', 'PREMIUM'] as const;

/** Not a real argon2 hash of anything: bench accounts never log in over HTTP. */
const FIXED_PASSWORD_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$YmVuY2gtY2x1c3Rlci1zYWx0$YmVuY2gtY2x1c3Rlci1oYXNoLW5vdC1yZWFs';

/** Drops and recreates this benchmark's database (PostGIS on) and flushes its Redis db. */
export async function resetServices(): Promise<void> {
  await resetDatabase(BENCH_DB);
  await flushRedis(BENCH_REDIS_URL);
}

/** Driver i (0-based) has cab type CAB_TYPES[(i + 1) % 3] (the SQL below: g % 3, g = i + 1). */
export function cabTypeOf(i: number): (typeof CAB_TYPES)[number] {
  return CAB_TYPES[(i + 1) % 3];
}

/** Drivers cluster-driver-1..n with vehicles (after the migrations); ids in index order. */
export async function seedDrivers(n: number): Promise<string[]> {
  return withClient(BENCH_DB_URL, async (client) => {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO drivers (name, email, password_hash)
       SELECT 'Cluster Driver ' || g, 'cluster-driver-' || g || '@bench.test', $1
       FROM generate_series(1, $2::int) AS g ON CONFLICT (email) DO NOTHING`,
      [FIXED_PASSWORD_HASH, n],
    );
    await client.query(
      `INSERT INTO vehicles (driver_id, plate, model, cab_type)
       SELECT d.id, 'CL' || lpad(s.g::text, 6, '0'), 'Bench Car',
              (ARRAY['ECONOMY', 'XL', 'PREMIUM'])[1 + s.g % 3]
       FROM generate_series(1, $1::int) AS s(g)
       JOIN drivers d ON d.email = 'cluster-driver-' || s.g || '@bench.test'
       ON CONFLICT DO NOTHING`,
      [n],
    );
    await client.query('COMMIT');
    const { rows } = await client.query<{ id: string }>(
      `SELECT d.id FROM generate_series(1, $1::int) AS s(g)
       JOIN drivers d ON d.email = 'cluster-driver-' || s.g || '@bench.test' ORDER BY s.g`,
      [n],
    );
    if (rows.length !== n) throw new Error(`seeded ${rows.length} drivers, expected ${n}`);
    return rows.map((row) => row.id);
  });
}

/** Riders cluster-rider-1..n; ids in index order. */
export async function seedRiders(n: number): Promise<string[]> {
  return withClient(BENCH_DB_URL, async (client) => {
    await client.query(
      `INSERT INTO riders (name, email, phone, password_hash)
       SELECT 'Cluster Rider ' || g, 'cluster-rider-' || g || '@bench.test',
              '+4471' || lpad(g::text, 8, '0'), $1
       FROM generate_series(1, $2::int) AS g ON CONFLICT DO NOTHING`,
      [FIXED_PASSWORD_HASH, n],
    );
    const { rows } = await client.query<{ id: string }>(
      `SELECT r.id FROM generate_series(1, $1::int) AS s(g)
       JOIN riders r ON r.email = 'cluster-rider-' || s.g || '@bench.test' ORDER BY s.g`,
      [n],
    );
    if (rows.length !== n) throw new Error(`seeded ${rows.length} riders, expected ${n}`);
    return rows.map((row) => row.id);
  });
}

/** HS256 access tokens `{ sub, role }`, as the server's TokenService issues them. */
export function mintTokens(ids: readonly string[], role: 'driver' | 'rider'): string[] {
  return ids.map((id) =>
    sign({ sub: id, role }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '2h' }),
  );
}

/** Per trip: request (trips.created_at) to first offer (min offered_at), ms, server clock. */
export async function offerLatencies(tripIds: readonly string[]): Promise<(number | null)[]> {
  if (tripIds.length === 0) return [];
  const { rows } = await withClient(BENCH_DB_URL, (client) =>
    client.query<{ id: string; ms: number | null }>(
      `SELECT t.id, (extract(epoch FROM (min(o.offered_at) - t.created_at)) * 1000)::float8 AS ms
       FROM trips t LEFT JOIN trip_offers o ON o.trip_id = t.id
       WHERE t.id = ANY($1::uuid[]) GROUP BY t.id, t.created_at`,
      [tripIds],
    ),
  );
  const byId = new Map(rows.map((r) => [r.id, r.ms === null ? null : Number(r.ms)]));
  return tripIds.map((id) => byId.get(id) ?? null);
}

/** Backend pids of this benchmark's database (for their CPU). */
export async function backendPids(): Promise<number[]> {
  const { rows } = await withClient(databaseUrl('postgres'), (client) =>
    client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
      BENCH_DB,
    ]),
  );
  return rows.map((r) => r.pid);
}
