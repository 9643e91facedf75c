import { DataSource, DataSourceOptions } from 'typeorm';
import { migrationOptions } from './typeorm-options';

/** Any fixed number: the advisory lock every process takes to run the migrations. */
const MIGRATION_LOCK = 7_136_914_001;

/**
 * Opens the data source and runs pending migrations while holding a PostgreSQL advisory lock,
 * so processes starting together (replicas, `npm run cluster`) migrate one after another: the
 * first runs them, the others find nothing left to do. The embedded database is one process's,
 * and one session (a held lock would starve the migration's own connection): no lock there.
 */
export async function openMigrated(
  options: DataSourceOptions,
  { lock }: { lock: boolean },
): Promise<DataSource> {
  // Migrations run on a data source of their own, without the statement bounds of the app's.
  const migrator = await new DataSource(migrationOptions(options)).initialize();
  try {
    if (!lock) {
      await migrator.runMigrations({ transaction: 'all' });
    } else {
      const session = migrator.createQueryRunner();
      await session.connect();
      try {
        await session.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
        await migrator.runMigrations({ transaction: 'all' });
      } finally {
        await session
          .query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK])
          .catch(() => undefined);
        await session.release();
      }
    }
  } finally {
    await migrator.destroy();
  }
  return new DataSource({ ...options, migrationsRun: false }).initialize();
}
