/**
 * The local PostgreSQL and Redis as the benchmarks use them: each benchmark owns one database and
 * one Redis database, resets them at start, and touches nothing else.
 */
import Redis from 'ioredis';
import { Client } from 'pg';

export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  return `postgres://postgres@127.0.0.1:5432/${name}`;
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the named bench database (never any other) and enables PostGIS in it. */
export async function resetDatabase(name: string): Promise<void> {
  await withClient(PG_ADMIN_URL, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  await withClient(databaseUrl(name), (client) =>
    client.query('CREATE EXTENSION IF NOT EXISTS postgis'),
  );
}

/** Empties the one Redis database of the URL. */
export async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
