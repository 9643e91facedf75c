import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { Namespace, Role } from '@app/contracts';
import { actorRoom, requireRole } from '../auth/socket-auth';
import { TokenService } from '../auth/token.service';
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
 * The cross-process adapter (scale-out) is wired here too.
 */
export class AppIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly tokens: TokenService,
    private readonly hub: SocketHub,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, options);
    for (const [name, role] of NAMESPACE_ROLES) {
      const namespace = server.of(name);
      requireRole(namespace, this.tokens, role);
      // Registered before the gateways' handlers, so a socket is in its room when they run.
      namespace.on('connection', (socket) => void socket.join(actorRoom(socket.data.actor)));
    }
    this.hub.attach(server);
    return server;
  }
}
