import type { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { BreakerClient } from './database-breaker';
import { AdminEntity } from '../modules/admin/admin.entity';
import { DriverEntity, VehicleEntity } from '../modules/drivers/driver.entity';
import { PaymentEntity } from '../modules/payments/payment.entity';
import { RiderEntity } from '../modules/riders/rider.entity';
import { RatingEntity } from '../modules/trips/rating.entity';
import { InitialSchema1763900000000 } from './migrations/1763900000000-initial-schema';
import { DriverLocations1763900000001 } from './migrations/1763900000001-driver-locations';
import { Dispatch1763900000002 } from './migrations/1763900000002-dispatch';
import { Money1763900000010 } from './migrations/1763900000010-money';
import { JobOutbox1763900000020 } from './migrations/1763900000020-job-outbox';

export const ENTITIES = [
  RiderEntity,
  DriverEntity,
  VehicleEntity,
  AdminEntity,
  RatingEntity,
  PaymentEntity,
];

export const MIGRATIONS = [
  InitialSchema1763900000000,
  DriverLocations1763900000001,
  Dispatch1763900000002,
  Money1763900000010,
  JobOutbox1763900000020,
];

/**
 * One definition for the server, the CLI data source and the tests. Migrations run at start;
 * `synchronize` is never on. BullMQ's PostgreSQL backend keeps its own tables in schema `bullmq`,
 * so ours name their schema and their migrations table explicitly.
 */
export function typeormOptions(
  url: string,
  poolSize: number,
  { bounded = true }: { bounded?: boolean } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    schema: 'public',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsRun: true,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // The embedded database is one session that connections take turns on (a wait for it is
    // not a fault), so only the connection wait bounds it.
    extra: bounded
      ? { max: poolSize, ...DATABASE_BOUNDS, Client: BreakerClient }
      : { max: poolSize, connectionTimeoutMillis: 2_000 },
  };
}

/**
 * Every wait on PostgreSQL is bounded, so a request that needs it while it is down or stuck
 * fails within about 1.5 s (answered 503 UNAVAILABLE) instead of hanging: a connection, new or
 * from a busy pool (`connectionTimeoutMillis`); a statement, lock waits included, on the server
 * (`statement_timeout`); and the answer on the client (`query_timeout`), which is what ends a
 * query sent on a connection whose network went silent (the server never sees it). The API's
 * statements take milliseconds; one that takes 1.5 s is a fault either way. Migrations opt out
 * (`migrationOptions`): a schema change, or the wait for another process's, may take longer.
 */
export const DATABASE_BOUNDS = {
  connectionTimeoutMillis: 1_500,
  statement_timeout: 1_500,
  query_timeout: 1_500,
} as const;

/** The same database without statement bounds, for the migrations and their lock. */
export function migrationOptions(options: DataSourceOptions): DataSourceOptions {
  // Two connections: the lock's session and the migrations' own.
  const extra: Record<string, unknown> = { ...(options.extra as object), max: 2 };
  for (const bound of ['statement_timeout', 'query_timeout', 'Client']) delete extra[bound];
  return { ...options, extra, migrationsRun: false } as DataSourceOptions;
}
