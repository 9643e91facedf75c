import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace as IoNamespace } from 'socket.io';
import { Namespace, Role } from '@app/contracts';
import { actorRoom, AuthedSocket, requireRole } from '../../common/auth/socket-auth';
import { TokenService } from '../../common/auth/token.service';

/** `/driver`: driver tokens only. Presence, pings and trip steps arrive here (later issues). */
@WebSocketGateway({ namespace: Namespace.DRIVER })
export class DriverGateway
  implements OnGatewayInit<IoNamespace>, OnGatewayConnection<AuthedSocket>
{
  private readonly logger = new Logger(DriverGateway.name);

  constructor(private readonly tokens: TokenService) {}

  afterInit(namespace: IoNamespace): void {
    requireRole(namespace, this.tokens, Role.DRIVER);
  }

  async handleConnection(socket: AuthedSocket): Promise<void> {
    await socket.join(actorRoom(socket.data.actor));
    this.logger.debug({ driverId: socket.data.actor.id }, 'driver connected');
  }
}
