import { Logger } from '@nestjs/common';
import { createPostgresBackend, setDefaultBackendFactory } from 'bullmq';
import type { ConnectionOptions as RedisConnectionOptions } from 'bullmq';
import type { PostgresConnectionOptions } from 'bullmq';
import { AppConfig } from '../config/app-config';
import type { EmbeddedPostgres } from '../database/embedded/embedded-postgres';

/**
 * The services the app runs on, resolved before Nest starts: the real PostgreSQL and Redis when
 * their URLs are set, otherwise the embedded PGlite database (and BullMQ on its PostgreSQL backend).
 */
export interface Infrastructure {
  databaseUrl: string;
  /** TypeORM pool size: the embedded database is one session, so more connections only queue. */
  databasePoolSize: number;
  queue:
    | { backend: 'redis'; connection: RedisConnectionOptions }
    | { backend: 'postgres'; connection: PostgresConnectionOptions };
  redisUrl?: string;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');

export async function openInfrastructure(config: AppConfig): Promise<Infrastructure> {
  const logger = new Logger('Infrastructure');
  const started = config.database.url ? undefined : await startEmbedded(config, logger);
  const embedded = started?.embedded;
  const databaseUrl = config.database.url ?? (embedded as EmbeddedPostgres).url;

  const queue: Infrastructure['queue'] = config.redis.url
    ? { backend: 'redis', connection: redisConnection(config.redis.url) }
    : {
        backend: 'postgres',
        connection: started?.bullmqConnection ?? {
          connectionString: databaseUrl,
          schema: 'bullmq',
          migrate: true,
          max: 4,
        },
      };
  // @nestjs/bullmq builds `new Queue(name, opts)` itself, so the backend is chosen process-wide.
  setDefaultBackendFactory(queue.backend === 'postgres' ? createPostgresBackend : undefined);

  return {
    databaseUrl,
    databasePoolSize: embedded ? 4 : 10,
    queue,
    redisUrl: config.redis.url,
    embedded,
    close: async () => {
      await embedded?.close();
    },
  };
}

async function startEmbedded(config: AppConfig, logger: Logger) {
  const started = Date.now();
  const { inMemory, dataDir } = config.database;
  // Loaded only when used: a deployment on real PostgreSQL never loads PGlite.
  const { startEmbeddedPostgres, embeddedBullmqConnection } =
    await import('../database/embedded/embedded-postgres');
  const embedded = await startEmbeddedPostgres(inMemory ? { inMemory } : { dataDir });
  const where = inMemory ? 'in memory' : dataDir;
  logger.log(`embedded PostgreSQL (PGlite + PostGIS, ${where}) up in ${Date.now() - started} ms`);
  return { embedded, bullmqConnection: embeddedBullmqConnection(embedded.url) };
}

export function redisConnection(url: string): RedisConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number(parsed.pathname.slice(1) || 0),
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // BullMQ workers block on Redis; they must not give up on a slow command.
    maxRetriesPerRequest: null,
  };
}
