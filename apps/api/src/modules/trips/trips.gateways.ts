import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { Namespace, SocketEvent } from '@app/contracts';
import { validateInput } from '../../common/errors/validate';
import { catchUpOnConnect } from '../../common/socket/catch-up';
import { listen } from '../../common/socket/listen';
import type { DriverSocket, RiderSocket } from '../../common/socket/sockets';
import { SocketCancelDto, SocketRequestTripDto, SocketStartDto, TripIdDto } from './trips.dto';
import { TripsService } from './trips.service';

@WebSocketGateway({ namespace: Namespace.RIDER })
export class RiderTripsGateway implements OnGatewayConnection<RiderSocket> {
  constructor(private readonly trips: TripsService) {}

  handleConnection(socket: RiderSocket): void {
    const actor = socket.data.actor;
    listen(socket, SocketEvent.TRIP_REQUEST, (body) => {
      const { idempotencyKey, ...input } = validateInput(SocketRequestTripDto, body);
      return this.trips.request(actor, input, idempotencyKey);
    });
    listen(socket, SocketEvent.TRIP_CANCEL, (body) => {
      const input = validateInput(SocketCancelDto, body);
      return this.trips.cancel(actor, input.tripId, input.reason);
    });
    // A (re)connecting client gets the current state of its open trip at once.
    catchUpOnConnect(socket, async () => {
      const trip = await this.trips.openTripOf(actor);
      if (trip) socket.emit(SocketEvent.TRIP_UPDATE, { trip });
    });
  }
}

@WebSocketGateway({ namespace: Namespace.DRIVER })
export class DriverTripsGateway implements OnGatewayConnection<DriverSocket> {
  constructor(private readonly trips: TripsService) {}

  handleConnection(socket: DriverSocket): void {
    const actor = socket.data.actor;
    listen(socket, SocketEvent.TRIP_ARRIVE, (body) =>
      this.trips.arrive(actor, validateInput(TripIdDto, body).tripId),
    );
    listen(socket, SocketEvent.TRIP_START, (body) => {
      const input = validateInput(SocketStartDto, body);
      return this.trips.start(actor, input.tripId, input.pickupCode);
    });
    listen(socket, SocketEvent.TRIP_COMPLETE, (body) =>
      this.trips.complete(actor, validateInput(TripIdDto, body).tripId),
    );
    listen(socket, SocketEvent.TRIP_CANCEL, (body) => {
      const input = validateInput(SocketCancelDto, body);
      return this.trips.cancel(actor, input.tripId, input.reason);
    });
    // Its open trip is sent on connect by OffersGateway, in one query with its pending offer.
  }
}
