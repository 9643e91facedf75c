import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { Namespace, SocketEvent } from '@app/contracts';
import { AuthedSocket } from '../../common/auth/socket-auth';
import { validateInput } from '../../common/errors/validate';
import { listen } from '../../common/socket/listen';
import { TripIdDto } from '../trips/trips.dto';
import { MatchingService } from './matching.service';

/** `/driver` answers to offers; a reconnecting driver gets its open offer again. */
@WebSocketGateway({ namespace: Namespace.DRIVER })
export class OffersGateway implements OnGatewayConnection<AuthedSocket> {
  constructor(private readonly matching: MatchingService) {}

  async handleConnection(socket: AuthedSocket): Promise<void> {
    const actor = socket.data.actor;
    listen(socket, SocketEvent.TRIP_ACCEPT, (body) =>
      this.matching.accept(actor, validateInput(TripIdDto, body).tripId),
    );
    listen(socket, SocketEvent.TRIP_DENY, (body) =>
      this.matching.deny(actor, validateInput(TripIdDto, body).tripId),
    );
    const offer = await this.matching.pendingOfferFor(actor.id);
    if (offer) socket.emit(SocketEvent.TRIP_OFFER, offer);
  }
}
