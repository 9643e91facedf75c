import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { Namespace, Role } from '@app/contracts';
import { actorRoom, requireRole } from '../auth/socket-auth';
import { TokenService } from '../auth/token.service';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ackCachingParser } from './ack-encoder';
import { guardSockets } from './socket-guards';
import { quietPublisher } from '../../infrastructure/redis.module';
import { SocketHub } from './socket-hub';

/** Which role each namespace admits: the one table of socket authentication. */
const NAMESPACE_ROLES: readonly [Namespace, Role][] = [
  [Namespace.DRIVER, Role.DRIVER],
  [Namespace.RIDER, Role.RIDER],
  [Namespace.ADMIN, Role.ADMIN],
];

/**
 * The one place where the socket.io server is made: every namespace gets its handshake check
 * (a token of its role, else `connect_error: unauthorized`) and puts each socket in its
 * account's room, before any gateway sees it; the server is handed to `SocketHub` for pushes.
 *
 * With Redis, the server gets socket.io's Redis adapter (pub/sub): an emit to a room reaches
 * that room's sockets on every process. Pub/sub keeps nothing, which suits what crosses it (the
 * high-rate `driver:location` fan-out, trip updates); a reconnecting client is brought up to
 * date by the server itself (its open trip and offer are sent on connect), so connection-state
 * recovery, the reason to prefer the streams adapter, is not needed. Only the websocket
 * transport is served: long-polling would need sticky sessions behind a load balancer. The
 * parser is socket.io's, with shared frozen acks written from cached text (`ack-encoder`).
 */
export class AppIoAdapter extends IoAdapter {
  private readonly logger = new Logger(AppIoAdapter.name);
  private readonly clients: Redis[] = [];

  constructor(
    private readonly app: INestApplicationContext,
    private readonly tokens: TokenService,
    private readonly hub: SocketHub,
    private readonly redis: Redis | null,
    private readonly roles: { api: boolean },
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      transports: ['websocket'],
      parser: ackCachingParser,
    });
    guardSockets(server, this.app.get<AppConfig>(APP_CONFIG).sockets);
    if (this.redis) {
      const pub = quietPublisher(this.redis.duplicate());
      const sub = this.redis.duplicate();
      for (const client of [pub, sub]) {
        client.on('error', (error) =>
          this.logger.warn({ err: error }, 'socket adapter: Redis error (ioredis retries)'),
        );
        this.clients.push(client);
      }
      // Pub/sub spans Redis databases: the key names ours, as for the event bus.
      server.adapter(createAdapter(pub, sub, { key: `socket.io:db${this.redis.options.db ?? 0}` }));
    }
    for (const [name, role] of NAMESPACE_ROLES) {
      const namespace = server.of(name);
      if (!this.roles.api) {
        // A worker process pushes to rooms (through the adapter) but holds no client sockets.
        namespace.use((_socket, next) => next(new Error('this process serves no sockets')));
        continue;
      }
      requireRole(namespace, this.tokens, role);
      // Registered before the gateways' handlers, so a socket is in its room when they run.
      namespace.on('connection', (socket) => void socket.join(actorRoom(socket.data.actor)));
    }
    this.hub.attach(server);
    return server;
  }

  /**
   * Our gateways register their events with `listen` (plain listeners), not
   * `@SubscribeMessage`, so Nest hands every new socket an empty list per gateway; skipping it
   * saves the rxjs disconnect stream Nest would build for each socket anyway.
   */
  override bindMessageHandlers(
    socket: Parameters<IoAdapter['bindMessageHandlers']>[0],
    handlers: Parameters<IoAdapter['bindMessageHandlers']>[1],
    transform: Parameters<IoAdapter['bindMessageHandlers']>[2],
  ): void {
    if (handlers.length > 0) super.bindMessageHandlers(socket, handlers, transform);
  }

  override async close(server: Server): Promise<void> {
    // Jobs still finishing during shutdown must not publish on a closed Redis client.
    this.hub.detach();
    await super.close(server);
    for (const client of this.clients.splice(0)) client.disconnect();
  }
}
