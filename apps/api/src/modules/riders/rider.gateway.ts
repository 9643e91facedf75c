import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace as IoNamespace } from 'socket.io';
import { Namespace, Role } from '@app/contracts';
import { actorRoom, AuthedSocket, requireRole } from '../../common/auth/socket-auth';
import { TokenService } from '../../common/auth/token.service';

/** `/rider`: rider tokens only. Trip requests and the nearby-cabs stream arrive here. */
@WebSocketGateway({ namespace: Namespace.RIDER })
export class RiderGateway implements OnGatewayInit<IoNamespace>, OnGatewayConnection<AuthedSocket> {
  constructor(private readonly tokens: TokenService) {}

  afterInit(namespace: IoNamespace): void {
    requireRole(namespace, this.tokens, Role.RIDER);
  }

  async handleConnection(socket: AuthedSocket): Promise<void> {
    await socket.join(actorRoom(socket.data.actor));
  }
}
