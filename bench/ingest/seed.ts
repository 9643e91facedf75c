/**
 * Bench data: a fresh `ridehail_bench` database with PostGIS, Redis db 13 flushed, N drivers
 * (with vehicles) seeded in one SQL statement, and access tokens minted with the server's
 * secret. Signing up 20k drivers over HTTP would spend minutes in argon2.
 */
import { sign } from 'jsonwebtoken';
import {
  databaseUrl,
  flushRedis as flushRedisUrl,
  resetDatabase as resetNamedDatabase,
  withClient,
} from '../support/services';

export const BENCH_DB = 'ridehail_bench';
export const BENCH_DB_URL = databaseUrl(BENCH_DB);
export const BENCH_REDIS_URL = 'redis://127.0.0.1:6379/13';

/** Not a real argon2 hash of anything: bench drivers never log in over HTTP. */
const FIXED_PASSWORD_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$YmVuY2gtaW5nZXN0LXNhbHQ$YmVuY2gtaW5nZXN0LWhhc2gtbm90LXJlYWw';

/** Drops and recreates the bench database and enables PostGIS in it. */
export function resetDatabase(): Promise<void> {
  return resetNamedDatabase(BENCH_DB);
}

/** Empties Redis db 13 only. */
export function flushRedis(): Promise<void> {
  return flushRedisUrl(BENCH_REDIS_URL);
}

/**
 * Ensures drivers bench-driver-1..n exist (run after the server has migrated) and returns their
 * ids in that order. Vehicles get plates BD000001.. and cycle through the three cab types.
 */
export async function seedDrivers(n: number): Promise<string[]> {
  return withClient(BENCH_DB_URL, async (client) => {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO drivers (name, email, password_hash)
       SELECT 'Bench Driver ' || g, 'bench-driver-' || g || '@bench.test', $1
       FROM generate_series(1, $2::int) AS g
       ON CONFLICT (email) DO NOTHING`,
      [FIXED_PASSWORD_HASH, n],
    );
    await client.query(
      `INSERT INTO vehicles (driver_id, plate, model, cab_type)
       SELECT d.id, 'BD' || lpad(s.g::text, 6, '0'), 'Bench Car',
              (ARRAY['ECONOMY', 'XL', 'PREMIUM'])[1 + s.g % 3]
       FROM generate_series(1, $1::int) AS s(g)
       JOIN drivers d ON d.email = 'bench-driver-' || s.g || '@bench.test'
       ON CONFLICT DO NOTHING`,
      [n],
    );
    await client.query('COMMIT');
    const { rows } = await client.query<{ id: string }>(
      `SELECT d.id FROM generate_series(1, $1::int) AS s(g)
       JOIN drivers d ON d.email = 'bench-driver-' || s.g || '@bench.test'
       ORDER BY s.g`,
      [n],
    );
    if (rows.length !== n) throw new Error(`seeded ${rows.length} drivers, expected ${n}`);
    return rows.map((row) => row.id);
  });
}

/** HS256 access tokens `{ sub, role: 'driver' }`, as the server's TokenService issues them. */
export function mintDriverTokens(ids: string[], secret: string): string[] {
  return ids.map((id) =>
    sign({ sub: id, role: 'driver' }, secret, { algorithm: 'HS256', expiresIn: '2h' }),
  );
}
