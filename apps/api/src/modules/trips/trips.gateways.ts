import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace as IoNamespace } from 'socket.io';
import { Namespace, SocketEvent } from '@app/contracts';
import { AuthedSocket } from '../../common/auth/socket-auth';
import { validateInput } from '../../common/errors/validate';
import { toAck } from '../../common/socket/ack';
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
    return sendOpenTrip(this.trips, socket);
  }

  @SubscribeMessage(SocketEvent.TRIP_REQUEST)
  request(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() => {
      const { idempotencyKey, ...input } = validateInput(SocketRequestTripDto, body);
      return this.trips.request(socket.data.actor, input, idempotencyKey);
    });
  }

  @SubscribeMessage(SocketEvent.TRIP_CANCEL)
  cancel(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() => {
      const input = validateInput(SocketCancelDto, body);
      return this.trips.cancel(socket.data.actor, input.tripId, input.reason);
    });
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
    return sendOpenTrip(this.trips, socket);
  }

  @SubscribeMessage(SocketEvent.TRIP_ARRIVE)
  arrive(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() => this.trips.arrive(socket.data.actor, validateInput(TripIdDto, body).tripId));
  }

  @SubscribeMessage(SocketEvent.TRIP_START)
  start(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() => {
      const input = validateInput(SocketStartDto, body);
      return this.trips.start(socket.data.actor, input.tripId, input.pickupCode);
    });
  }

  @SubscribeMessage(SocketEvent.TRIP_COMPLETE)
  complete(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() =>
      this.trips.complete(socket.data.actor, validateInput(TripIdDto, body).tripId),
    );
  }

  @SubscribeMessage(SocketEvent.TRIP_CANCEL)
  cancel(@ConnectedSocket() socket: AuthedSocket, @MessageBody() body: unknown) {
    return toAck(() => {
      const input = validateInput(SocketCancelDto, body);
      return this.trips.cancel(socket.data.actor, input.tripId, input.reason);
    });
  }
}
