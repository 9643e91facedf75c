/**
 * Recognises the errors of a dependency that is down or too slow (PostgreSQL, Redis), so that
 * the HTTP filter answers 503 with Retry-After instead of a 500: the request may well succeed
 * in a moment, and a client or a load balancer should retry, not report a bug.
 */
export type Dependency = 'database' | 'redis';

/** Seconds a client should wait before retrying (the `Retry-After` header). */
export const RETRY_AFTER_SECONDS = 2;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
/** PostgreSQL SQLSTATEs for "not now": connection exceptions, shutdown, too many clients, timeouts. */
const PG_UNAVAILABLE = /^(08...|57P0[1-4]|53300|57014|55P03)$/;
const PG_MESSAGES = [
  'timeout exceeded when trying to connect', // pg-pool: no connection within connectionTimeoutMillis
  'Connection terminated',
  'Query read timeout',
  'Client has encountered a connection error',
];
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError']);
const REDIS_MESSAGES = [
  'Command timed out',
  'Connection is closed.',
  "Stream isn't writeable",
  'Reached the max retries per request limit',
];

/** What a client is told when `dependency` is down: the same words over HTTP and sockets. */
export function unavailableMessage(dependency: Dependency): string {
  return `the ${dependency} is unavailable; retry in a few seconds`;
}

export function unavailableDependency(error: unknown): Dependency | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { name?: unknown; message?: unknown; code?: unknown; driverError?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (typeof e.name === 'string' && REDIS_NAMES.has(e.name)) return 'redis';
  if (REDIS_MESSAGES.some((m) => message.includes(m))) return 'redis';
  // TypeORM wraps the driver's error in QueryFailedError.driverError.
  const driver = (e.driverError ?? e) as { code?: unknown; message?: unknown };
  if (typeof driver.code === 'string' && PG_UNAVAILABLE.test(driver.code)) return 'database';
  const driverMessage = typeof driver.message === 'string' ? driver.message : message;
  if (PG_MESSAGES.some((m) => driverMessage.includes(m))) return 'database';
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) {
    return /redis/i.test(message) ? 'redis' : 'database';
  }
  return undefined;
}
