/**
 * The real services the integration and e2e tiers run against. CI (.ci/run) starts them;
 * override with TEST_DATABASE_URL / TEST_REDIS_URL to point elsewhere on 127.0.0.1.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ridehail_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
/** A second Redis database, for a server whose counters must start empty (rate limits). */
export const TEST_REDIS_URL_ISOLATED =
  process.env.TEST_REDIS_URL_ISOLATED ?? 'redis://127.0.0.1:6379/14';

/** The maintenance database on the same server, used to drop and create the test database. */
export function adminUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}
