import { WorkerHost } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DiscoveryService, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { register } from 'prom-client';
import { AppModule } from './app.module';
import { TokenService } from './common/auth/token.service';
import { AppIoAdapter } from './common/socket/io-adapter';
import { SocketHub } from './common/socket/socket-hub';
import { HttpErrorFilter } from './common/http/http-exception.filter';
import { createValidationPipe } from './common/http/validation.pipe';
import { AppConfig } from './config/app-config';
import { Infrastructure, openInfrastructure } from './infrastructure/infrastructure';
import { REDIS } from './infrastructure/redis.module';
import { capConnections, openFilesLimit } from './common/http/connection-cap';

export interface RunningServer {
  app: INestApplication;
  infra: Infrastructure;
  /** Base URL on 127.0.0.1, e.g. for tests and the simulator. */
  url: string;
  close(): Promise<void>;
}

/** Opens the infrastructure, boots Nest on it, listens. Used by main, the demo and the e2e tests. */
export async function startServer(config: AppConfig): Promise<RunningServer> {
  const infra = await openInfrastructure(config);
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(AppModule.register(config, infra), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    app.useWebSocketAdapter(
      new AppIoAdapter(
        app,
        app.get(TokenService),
        app.get(SocketHub),
        app.get(REDIS),
        config.roles,
      ),
    );
    if (!config.roles.api) serveOnlyOperations(app);
    configureHttp(app);
    await app.listen(config.http.port, config.http.host);
    capConnections(app.getHttpServer(), openFilesLimit());
  } catch (error) {
    await app?.close().catch(() => undefined);
    await infra.close();
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number };
  const started = app;
  return {
    app: started,
    infra,
    url: `http://127.0.0.1:${address.port}`,
    // The queue workers first (see `closeWorkers`); then Nest closes sockets (socket.io
    // disconnects clients), queues and pools; then the database.
    close: async () => {
      await closeWorkers(started);
      await started.close();
      await infra.close();
      // Metrics live in prom-client's global registry; a later server in this process starts clean.
      register.clear();
    },
  };
}

/**
 * Closes every BullMQ worker (`@WorkerProcessor`), which waits for the jobs it is running, before
 * Nest's shutdown begins. Those jobs enqueue their follow-ups (a matching step's retry, the step
 * after an offer's timeout) and write to PostgreSQL, so they must end while the queues, Redis and
 * the pools are still open. Left to Nest, the workers close in the same phase as the queues and
 * pools (onApplicationShutdown), module by module, and a queue's close does not wait for them:
 * a job still running found its queue's connection closed, and its follow-up waited in the
 * outbox for another process's relay.
 * A worker that never ran (an api-only process) closes at once.
 */
async function closeWorkers(app: INestApplication): Promise<void> {
  const hosts = app
    .get(DiscoveryService, { strict: false })
    .getProviders()
    .map((wrapper) => wrapper.instance as unknown)
    .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
  // Nest closes them again later: BullMQ's close is idempotent. A failure here must not stop
  // the rest of the shutdown.
  await Promise.allSettled(hosts.map(async (host) => host.worker.close()));
}

/**
 * A worker-only process (PROCESS_ROLES=worker) answers health checks and metrics and nothing
 * else: the API is the api processes' (its sockets are refused by `AppIoAdapter`).
 */
function serveOnlyOperations(app: INestApplication): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/health') || req.path === '/metrics') return next();
    res.status(404).json({
      statusCode: 404,
      error: 'NOT_FOUND',
      message:
        'this is a worker process (PROCESS_ROLES=worker): the API is served by api processes',
    });
  });
}

/** Larger than any body the API takes (a sign-up is under 1 kB); past it, 413 in the error shape. */
const JSON_BODY_LIMIT = '64kb';

function configureHttp(app: INestApplication): void {
  // Replaces Nest's default JSON parser (100 kB). Nesting depth is checked by the validation pipe.
  (app as NestExpressApplication).useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(createValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Ride-hailing platform API')
      .setDescription(
        'See shared/API.md for the contract; this document is generated from the code.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
}
