import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { Namespace, SocketEvent } from '@app/contracts';
import { validateInput } from '../../common/errors/validate';
import { catchUpOnConnect } from '../../common/socket/catch-up';
import { listen } from '../../common/socket/listen';
import type { DriverSocket } from '../../common/socket/sockets';
import { TripIdDto } from '../trips/trips.dto';
import { OfferAnswersService } from './offer-answers.service';
import { OffersService } from './offers.service';

/** `/driver` answers to offers; a (re)connecting driver gets its open trip and offer again. */
@WebSocketGateway({ namespace: Namespace.DRIVER })
export class OffersGateway implements OnGatewayConnection<DriverSocket> {
  constructor(
    private readonly answers: OfferAnswersService,
    private readonly offers: OffersService,
  ) {}

  handleConnection(socket: DriverSocket): void {
    const actor = socket.data.actor;
    listen(socket, SocketEvent.TRIP_ACCEPT, (body) =>
      this.answers.accept(actor, validateInput(TripIdDto, body).tripId),
    );
    listen(socket, SocketEvent.TRIP_DENY, (body) =>
      this.answers.deny(actor, validateInput(TripIdDto, body).tripId),
    );
    // What the driver missed while away, read once for both (DriverTripsGateway reads nothing).
    catchUpOnConnect(socket, async () => {
      const { trip, offer } = await this.offers.driverSession(actor);
      if (trip) socket.emit(SocketEvent.TRIP_UPDATE, { trip });
      if (offer) socket.emit(SocketEvent.TRIP_OFFER, offer);
    });
  }
}
