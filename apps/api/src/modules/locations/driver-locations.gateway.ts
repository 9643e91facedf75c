import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { Ack, Namespace, SocketEvent } from '@app/contracts';
import { DriverSocket, markActive } from '../../common/socket/sockets';
import { validateInput } from '../../common/errors/validate';
import { EXTRA_ARGUMENTS, listen, splitArguments } from '../../common/socket/listen';
import { DriverStatusDto } from './locations.dto';
import type { LiveDriver } from './live-drivers';
import { LocationsService } from './locations.service';

/** `/driver` presence and pings (the handshake check is in AppIoAdapter). */
@WebSocketGateway({ namespace: Namespace.DRIVER })
export class DriverLocationsGateway implements OnGatewayConnection<DriverSocket> {
  constructor(private readonly locations: LocationsService) {}

  handleConnection(socket: DriverSocket): void {
    const actor = socket.data.actor;
    const locations = this.locations;
    // Looked up once it exists, then kept: no id lookup per ping.
    let driver: LiveDriver | undefined;
    // The hot path: synchronous, answered with a shared ack object (no promise, no copy), and
    // the usual `(payload, ack)` shape read without gathering the arguments into an array.
    const data = socket.data;
    socket.on(SocketEvent.DRIVER_LOCATION, function onPing(payload: unknown, ack?: unknown) {
      markActive(data);
      if (arguments.length === 2 && typeof ack === 'function') {
        driver ??= locations.liveDriver(actor.id);
        (ack as (answer: Ack) => void)(locations.ping(driver, payload));
        return;
      }
      // eslint-disable-next-line prefer-rest-params -- a rest array would be built on every ping
      const odd = splitArguments(Array.from(arguments));
      if (odd.extra) return odd.ack?.(EXTRA_ARGUMENTS);
      driver ??= locations.liveDriver(actor.id);
      const answer = locations.ping(driver, odd.payload);
      odd.ack?.(answer);
    });
    listen(socket, SocketEvent.DRIVER_STATUS, (body) =>
      this.locations.setStatus(actor, validateInput(DriverStatusDto, body).status),
    );
  }
}
