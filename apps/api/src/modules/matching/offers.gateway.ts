import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { Namespace, SocketEvent } from '@app/contracts';
import { AuthedSocket } from '../../common/auth/socket-auth';
import { validateInput } from '../../common/errors/validate';
import { toAck } from '../../common/socket/ack';
import { TripIdDto } from '../trips/trips.dto';
import { MatchingService } from './matching.service';

/** `/driver` answers to offers; a reconnecting driver gets its open offer again. */
@WebSocketGateway({ namespace: Namespace.DRIVER })
export class OffersGateway implements OnGatewayConnection<AuthedSocket> {
  constructor(private readonly matching: MatchingService) {}

  async handleConnection(socket: AuthedSocket): Promise<void> {
    const offer = await this.matching.pendingOfferFor(socket.data.actor.id);
    if (offer) socket.emit(SocketEvent.TRIP_OFFER, offer);
  }

  @SubscribeMessage(SocketEvent.TRIP_ACCEPT)
  accept(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() =>
      this.matching.accept(socket.data.actor, validateInput(TripIdDto, body).tripId),
    );
  }

  @SubscribeMessage(SocketEvent.TRIP_DENY)
  deny(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() =>
      this.matching.deny(socket.data.actor, validateInput(TripIdDto, body).tripId),
    );
  }
}
