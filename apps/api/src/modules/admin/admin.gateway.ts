import { OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace as IoNamespace } from 'socket.io';
import { Namespace, Role } from '@app/contracts';
import { requireRole } from '../../common/auth/socket-auth';
import { TokenService } from '../../common/auth/token.service';

/** `/admin`: admin tokens only; live dashboards subscribe here. */
@WebSocketGateway({ namespace: Namespace.ADMIN })
export class AdminGateway implements OnGatewayInit<IoNamespace> {
  constructor(private readonly tokens: TokenService) {}

  afterInit(namespace: IoNamespace): void {
    requireRole(namespace, this.tokens, Role.ADMIN);
  }
}
