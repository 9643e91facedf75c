import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config';
import { RunningServer, startServer } from './server';

/** `npm start`: the server alone, on the embedded database unless DATABASE_URL/REDIS_URL are set. */
export async function main(): Promise<RunningServer> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(config);
  stopOnSignals(server, config.shutdownGraceMs);
  return server;
}

/** SIGTERM/SIGINT drain sockets, workers and pools; a second signal or the grace period forces exit. */
export function stopOnSignals(server: { close(): Promise<void> }, graceMs: number): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${signal}: shutting down (grace ${graceMs} ms)\n`);
    setTimeout(() => process.exit(1), graceMs).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
