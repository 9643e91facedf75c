import { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';

const logger = new Logger('SocketCatchUp');
/** Waits before the second and third tries: a reconnect storm drains the pool within seconds. */
const RETRY_DELAYS_MS = [1_000, 3_000];

/**
 * Brings a (re)connecting client up to date (API: "A reconnecting client gets the current state
 * of its open trip at once"): runs `send` after the handshake, and when it fails (the database
 * is down or its pool is exhausted by a storm of reconnects) retries twice while the socket is
 * still connected, then gives up with a warning. Never rejects: Nest does not await
 * `handleConnection`, so a rejection there would be an unhandled one, and end the process.
 */
export function catchUpOnConnect(socket: Socket, send: () => Promise<void>): void {
  const attempt = (tries: number): void => {
    send().catch((error: unknown) => {
      const delayMs = RETRY_DELAYS_MS[tries];
      if (delayMs === undefined || socket.disconnected) {
        logger.warn({ err: error, socketId: socket.id }, 'could not send a client its state');
        return;
      }
      setTimeout(() => socket.connected && attempt(tries + 1), delayMs).unref();
    });
  };
  attempt(0);
}
