import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { Ack, Namespace, SocketEvent } from '@app/contracts';
import { AuthedSocket } from '../../common/auth/socket-auth';
import { validateInput } from '../../common/errors/validate';
import { toAck } from '../../common/socket/ack';
import { DriverStatusDto } from './locations.dto';
import { LocationsService } from './locations.service';

/** `/driver` presence and pings (the handshake check lives in DriverGateway). */
@WebSocketGateway({ namespace: Namespace.DRIVER })
export class DriverLocationsGateway implements OnGatewayConnection<AuthedSocket> {
  constructor(private readonly locations: LocationsService) {}

  /**
   * Pings bypass Nest's message pipeline: at thousands per second its per-event context and
   * observable plumbing would cost more than the ping itself.
   */
  handleConnection(socket: AuthedSocket): void {
    const driverId = socket.data.actor.id;
    socket.on(SocketEvent.DRIVER_LOCATION, (payload: unknown, ack?: (answer: Ack) => void) => {
      const answer = this.locations.ping(driverId, payload);
      if (typeof ack === 'function') ack(answer);
    });
  }

  @SubscribeMessage(SocketEvent.DRIVER_STATUS)
  status(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() =>
      this.locations.setStatus(socket.data.actor, validateInput(DriverStatusDto, body).status),
    );
  }
}
