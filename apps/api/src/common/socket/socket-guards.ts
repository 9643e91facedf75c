import { Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';
import { Namespace } from '@app/contracts';
import { IdleClock, markActive, SocketData } from './sockets';

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

/**
 * Disconnects the namespace's sockets that sent no event we handle for `idleMs`; one timer per
 * namespace. Time is counted in rounds of `idleMs / 4`: a handled event copies the current round
 * onto its socket (`markActive`, called by the ping handler and by `listen`), and a socket whose
 * last round is more than `idleMs` of rounds behind is disconnected, so never before `idleMs`
 * of silence and at most two rounds after. This replaced an `onAny` listener that read the
 * clock and wrote a map on every packet. Events no handler knows do not count as activity.
 */
function reapIdle(server: Server, name: string, idleMs: number): void {
  const logger = new Logger('SocketReaper');
  const namespace = server.of(name);
  const roundMs = Math.max(250, Math.floor(idleMs / 4));
  const idleRounds = Math.ceil(idleMs / roundMs);
  const clock: IdleClock = { round: 0 };
  namespace.on('connection', (socket) => {
    const data = socket.data as SocketData;
    data.idleClock = clock;
    markActive(data);
  });
  const timer = setInterval(() => {
    clock.round += 1;
    let reaped = 0;
    for (const socket of namespace.sockets.values()) {
      const { activeRound = 0 } = socket.data as SocketData;
      if (clock.round - activeRound <= idleRounds) continue;
      socket.disconnect(true);
      reaped += 1;
    }
    if (reaped > 0) logger.log({ namespace: name, reaped }, 'idle sockets disconnected');
  }, roundMs);
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
