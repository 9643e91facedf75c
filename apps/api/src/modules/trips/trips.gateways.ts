import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace as IoNamespace } from 'socket.io';
import { Namespace, SocketEvent } from '@app/contracts';
import { AuthedSocket } from '../../common/auth/socket-auth';
import { validateInput } from '../../common/errors/validate';
import { listen } from '../../common/socket/listen';
import { TripNotifier } from './trip-notifier';
import { SocketCancelDto, SocketRequestTripDto, SocketStartDto, TripIdDto } from './trips.dto';
import { TripsService } from './trips.service';

/** Sends a (re)connecting client the current state of its open trip at once. */
async function sendOpenTrip(trips: TripsService, socket: AuthedSocket): Promise<void> {
  const trip = await trips.openTripOf(socket.data.actor);
  if (trip) socket.emit(SocketEvent.TRIP_UPDATE, { trip });
}

@WebSocketGateway({ namespace: Namespace.RIDER })
export class RiderTripsGateway
  implements OnGatewayInit<IoNamespace>, OnGatewayConnection<AuthedSocket>
{
  constructor(
    private readonly trips: TripsService,
    private readonly notifier: TripNotifier,
  ) {}

  afterInit(namespace: IoNamespace): void {
    this.notifier.attach('rider', namespace);
  }

  handleConnection(socket: AuthedSocket): Promise<void> {
    const actor = socket.data.actor;
    listen(socket, SocketEvent.TRIP_REQUEST, (body) => {
      const { idempotencyKey, ...input } = validateInput(SocketRequestTripDto, body);
      return this.trips.request(actor, input, idempotencyKey);
    });
    listen(socket, SocketEvent.TRIP_CANCEL, (body) => {
      const input = validateInput(SocketCancelDto, body);
      return this.trips.cancel(actor, input.tripId, input.reason);
    });
    return sendOpenTrip(this.trips, socket);
  }
}

@WebSocketGateway({ namespace: Namespace.DRIVER })
export class DriverTripsGateway
  implements OnGatewayInit<IoNamespace>, OnGatewayConnection<AuthedSocket>
{
  constructor(
    private readonly trips: TripsService,
    private readonly notifier: TripNotifier,
  ) {}

  afterInit(namespace: IoNamespace): void {
    this.notifier.attach('driver', namespace);
  }

  handleConnection(socket: AuthedSocket): Promise<void> {
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
    return sendOpenTrip(this.trips, socket);
  }
}
