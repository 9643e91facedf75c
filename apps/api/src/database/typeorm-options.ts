import type { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';
import { AdminEntity } from '../modules/admin/admin.entity';
import { DriverEntity, VehicleEntity } from '../modules/drivers/driver.entity';
import { PaymentEntity } from '../modules/payments/payment.entity';
import { RiderEntity } from '../modules/riders/rider.entity';
import { RatingEntity } from '../modules/trips/rating.entity';
import { InitialSchema1763900000000 } from './migrations/1763900000000-initial-schema';
import { DriverLocations1763900000001 } from './migrations/1763900000001-driver-locations';
import { Dispatch1763900000002 } from './migrations/1763900000002-dispatch';
import { Money1763900000010 } from './migrations/1763900000010-money';

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
];

/**
 * One definition for the server, the CLI data source and the tests. Migrations run at start;
 * `synchronize` is never on. BullMQ's PostgreSQL backend keeps its own tables in schema `bullmq`,
 * so ours name their schema and their migrations table explicitly.
 */
export function typeormOptions(url: string, poolSize: number): DataSourceOptions {
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
    // A connection (new, or from the pool when all are busy) within 2 s, or an error the HTTP
    // filter answers 503. Statement timeouts would also bound the migration lock's wait.
    extra: { max: poolSize, connectionTimeoutMillis: 2_000 },
  };
}
