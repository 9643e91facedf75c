import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';

/** Descriptors kept for the process's own use: database and Redis pools, files, the log. */
export const RESERVED_DESCRIPTORS = 256;

/** The soft limit on open descriptors of this process (Linux), or undefined where unknown. */
export function openFilesLimit(limitsFile = '/proc/self/limits'): number | undefined {
  try {
    const line = readFileSync(limitsFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Caps client connections below the descriptor limit. Without a cap, a process full of sockets
 * (20k drivers under a 20k limit) accepts clients until `EMFILE`, and then cannot open the
 * database or Redis connection it needs to serve them: a reconnect in its pool fails, writes
 * stop, every request degrades. With it, the surplus client is refused at once (its socket.io
 * client retries, on this process or another) and the process stays whole.
 */
export function capConnections(server: Server, limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  server.maxConnections = Math.max(1, limit - RESERVED_DESCRIPTORS);
  return server.maxConnections;
}
