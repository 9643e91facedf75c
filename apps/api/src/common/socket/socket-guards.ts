import { Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import { Namespace } from '@app/contracts';

export interface SocketGuardOptions {
  /** Handshakes one IP may make at once, then `handshakesPerSecond` (a token bucket). */
  handshakeBurst: number;
  handshakesPerSecond: number;
  /** A connection that has joined no namespace (a refused token) is closed after this. */
  connectTimeoutMs: number;
  /** A driver socket that sends nothing (no ping, no event) this long is disconnected. */
  idleTimeoutMs: number;
}

/**
 * Bounds on what a socket costs before and after it authenticates:
 * - every websocket handshake is counted per IP before anything else runs (before the upgrade,
 *   so before the token is even read): over the budget the upgrade is refused (403),
 *   which costs a map lookup;
 * - a connection that joins no namespace (its token was refused) is closed after
 *   `connectTimeoutMs`, not socket.io's 45 s;
 * - a driver socket that stays silent (drivers ping every few seconds) is disconnected after
 *   `idleTimeoutMs`; socket.io's own heartbeat only proves the connection is alive.
 *
 * Per process, and safe with N processes: each process bounds its own sockets and handshakes;
 * behind a load balancer an IP's budget is per process, which still bounds each one.
 */
export function guardSockets(server: Server, options: SocketGuardOptions): void {
  const limiter = new HandshakeLimiter(options.handshakeBurst, options.handshakesPerSecond);
  server.engine.opts.allowRequest = (request: IncomingMessage, callback) => {
    const ip = request.socket.remoteAddress ?? 'unknown';
    if (limiter.allow(ip)) callback(null, true);
    else callback('too many handshakes from this address', false);
  };
  server.connectTimeout(options.connectTimeoutMs);
  reapIdle(server, Namespace.DRIVER, options.idleTimeoutMs);
}

/** Disconnects the namespace's sockets that sent nothing for `idleMs`; one timer per process. */
function reapIdle(server: Server, name: string, idleMs: number): void {
  const logger = new Logger('SocketReaper');
  const namespace = server.of(name);
  const lastSeen = new WeakMap<object, number>();
  namespace.on('connection', (socket) => {
    lastSeen.set(socket, Date.now());
    socket.onAny(() => lastSeen.set(socket, Date.now()));
  });
  const timer = setInterval(
    () => {
      const before = Date.now() - idleMs;
      let reaped = 0;
      for (const socket of namespace.sockets.values()) {
        if ((lastSeen.get(socket) ?? 0) >= before) continue;
        socket.disconnect(true);
        reaped += 1;
      }
      if (reaped > 0) logger.log({ namespace: name, reaped }, 'idle sockets disconnected');
    },
    Math.max(250, Math.floor(idleMs / 4)),
  );
  timer.unref();
}

/** A token bucket per IP; full buckets are forgotten so the map holds only recent talkers. */
export class HandshakeLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  allow(ip: string): boolean {
    const nowMs = this.now();
    const bucket = this.buckets.get(ip) ?? { tokens: this.burst, atMs: nowMs };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((nowMs - bucket.atMs) / 1000) * this.perSecond,
    );
    bucket.atMs = nowMs;
    if (this.buckets.size > 10_000) this.forgetFull();
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(ip, bucket);
    return allowed;
  }

  private forgetFull(): void {
    const nowMs = this.now();
    for (const [ip, b] of this.buckets) {
      if (b.tokens + ((nowMs - b.atMs) / 1000) * this.perSecond >= this.burst)
        this.buckets.delete(ip);
    }
  }
}
