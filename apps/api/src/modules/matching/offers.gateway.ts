import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { Namespace, SocketEvent } from '@app/contracts';
import { validateInput } from '../../common/errors/validate';
import { listen } from '../../common/socket/listen';
import type { DriverSocket } from '../../common/socket/sockets';
import { TripIdDto } from '../trips/trips.dto';
import { OfferAnswersService } from './offer-answers.service';
import { OffersService } from './offers.service';

/** `/driver` answers to offers; a reconnecting driver gets its open offer again. */
@WebSocketGateway({ namespace: Namespace.DRIVER })
export class OffersGateway implements OnGatewayConnection<DriverSocket> {
  constructor(
    private readonly answers: OfferAnswersService,
    private readonly offers: OffersService,
  ) {}

  async handleConnection(socket: DriverSocket): Promise<void> {
    const actor = socket.data.actor;
    listen(socket, SocketEvent.TRIP_ACCEPT, (body) =>
      this.answers.accept(actor, validateInput(TripIdDto, body).tripId),
    );
    listen(socket, SocketEvent.TRIP_DENY, (body) =>
      this.answers.deny(actor, validateInput(TripIdDto, body).tripId),
    );
    const offer = await this.offers.pendingOfferFor(actor.id);
    if (offer) socket.emit(SocketEvent.TRIP_OFFER, offer);
  }
}
