import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { Ack, Namespace, SocketEvent } from '@app/contracts';
import type { DriverSocket } from '../../common/socket/sockets';
import { validateInput } from '../../common/errors/validate';
import { listen } from '../../common/socket/listen';
import { DriverStatusDto } from './locations.dto';
import { LocationsService } from './locations.service';

/** `/driver` presence and pings (the handshake check is in AppIoAdapter). */
@WebSocketGateway({ namespace: Namespace.DRIVER })
export class DriverLocationsGateway implements OnGatewayConnection<DriverSocket> {
  constructor(private readonly locations: LocationsService) {}

  handleConnection(socket: DriverSocket): void {
    const actor = socket.data.actor;
    // The hot path: synchronous, and answered with a shared ack object (no promise, no copy).
    socket.on(SocketEvent.DRIVER_LOCATION, (payload: unknown, ack?: (answer: Ack) => void) => {
      const answer = this.locations.ping(actor.id, payload);
      if (typeof ack === 'function') ack(answer);
    });
    listen(socket, SocketEvent.DRIVER_STATUS, (body) =>
      this.locations.setStatus(actor, validateInput(DriverStatusDto, body).status),
    );
  }
}
