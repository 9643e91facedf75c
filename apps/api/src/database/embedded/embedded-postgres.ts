import { mkdir } from 'node:fs/promises';
import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type * as PgliteModule from '@electric-sql/pglite';
import type * as PostgisModule from '@electric-sql/pglite-postgis';
import type * as SocketModule from '@electric-sql/pglite-socket';
import type { PostgresPoolConfig } from 'bullmq';
import { SessionScheduler } from './session-scheduler';

/** An in-process PostgreSQL (PGlite + PostGIS) served over the wire protocol on a local port. */
export interface EmbeddedPostgres {
  /** A `postgres://` URL for `pg`, TypeORM and BullMQ's PostgreSQL backend. */
  readonly url: string;
  readonly port: number;
  /** Stops the server, rolls back what disconnected clients left open, closes PGlite. */
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder of the database files, created if missing. Required unless `inMemory`. */
  dataDir?: string;
  /** Keep the database in memory (lost on close); `dataDir` is then ignored. */
  inMemory?: boolean;
  /** Default 127.0.0.1: PGlite has no authentication, never expose it. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

/** The schema BullMQ's PostgreSQL backend keeps its tables in, apart from the app's `public`. */
export const EMBEDDED_BULLMQ_SCHEMA = 'bullmq';

/**
 * BullMQ PostgreSQL-backend connection options for the embedded database. Every Queue, Worker and
 * QueueEvents builds its own pool from these, plus one standalone LISTEN connection for workers
 * and QueueEvents; the session runs one statement at a time anyway, so a small pool is enough.
 * The `-c search_path=bullmq` startup option BullMQ derives from `schema` is honoured per
 * connection by the session scheduler, so BullMQ's unqualified names never meet the app's tables.
 */
export function embeddedBullmqConnection(url: string): PostgresPoolConfig {
  return { connectionString: url, schema: EMBEDDED_BULLMQ_SCHEMA, migrate: true, max: 2 };
}

/**
 * Loads the PGlite packages through Node's own loader. They load parts of themselves with dynamic
 * `import()`, which jest's module sandbox rejects without --experimental-vm-modules; outside jest
 * this is a plain require.
 */
function loadPglite(): {
  PGlite: typeof PgliteModule.PGlite;
  postgis: typeof PostgisModule.postgis;
  PGLiteSocketHandler: typeof SocketModule.PGLiteSocketHandler;
} {
  const nodeRequire = process.getBuiltinModule('module').createRequire(__filename);
  return {
    PGlite: (nodeRequire('@electric-sql/pglite') as typeof PgliteModule).PGlite,
    postgis: (nodeRequire('@electric-sql/pglite-postgis') as typeof PostgisModule).postgis,
    PGLiteSocketHandler: (nodeRequire('@electric-sql/pglite-socket') as typeof SocketModule)
      .PGLiteSocketHandler,
  };
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const { PGlite, postgis, PGLiteSocketHandler } = loadPglite();
  let dataDir = 'memory://';
  if (!options.inMemory) {
    if (!options.dataDir) throw new Error('startEmbeddedPostgres: pass dataDir, or inMemory: true');
    dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true }); // PGlite creates only the last path segment
  }
  const db = await PGlite.create({ dataDir, extensions: { postgis } });
  try {
    // PostGIS explicitly in public, whatever the search_path; BullMQ's schema ready for its
    // migrations. The app's connections see `public` (see SessionScheduler).
    await db.exec(
      `CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;
       CREATE SCHEMA IF NOT EXISTS ${EMBEDDED_BULLMQ_SCHEMA};
       SET search_path TO public;`,
    );
    const scheduler = new SessionScheduler(db, 'public');
    const sockets = new Set<Socket>();
    const handlers = new Set<SocketModule.PGLiteSocketHandler>();
    // PGLiteSocketServer would bring its own QueryQueueManager (see SessionScheduler for why
    // not): serve its per-connection handler ourselves, handing it our scheduler instead.
    const server = createServer((socket) => {
      const handler = new PGLiteSocketHandler({
        queryQueue: scheduler as unknown as SocketModule.PGLiteSocketHandlerOptions['queryQueue'],
        closeOnDetach: true,
      });
      sockets.add(socket);
      handlers.add(handler);
      socket.once('close', () => {
        sockets.delete(socket);
        handlers.delete(handler);
      });
      handler.attach(socket).catch(() => socket.destroy());
    });
    const port = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
    const host = options.host ?? '127.0.0.1';
    const urlHost = host.includes(':') ? `[${host}]` : host;
    let closing: Promise<void> | undefined;
    return {
      url: `postgres://postgres@${urlHost}:${port}/postgres?sslmode=disable`,
      port,
      close: () =>
        (closing ??= (async () => {
          const stopped = new Promise<void>((done) => server.close(() => done()));
          await Promise.all([...handlers].map((handler) => handler.detach(true)));
          sockets.forEach((socket) => socket.destroy());
          await stopped;
          await scheduler.idle();
          await db.close();
        })()),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const address = server.address();
      if (address === null || typeof address === 'string') fail(new Error('not a TCP address'));
      else done(address.port);
    });
  });
}
