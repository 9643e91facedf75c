import { Inject, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import { Namespace, SocketEvent } from '@app/contracts';
import type { RiderSocket } from '../../common/socket/sockets';
import { validateInput } from '../../common/errors/validate';
import { listen } from '../../common/socket/listen';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { DEFAULT_NEARBY_RADIUS_METERS, NearbyQueryDto } from './locations.dto';
import { NearbyCabsService } from './nearby-cabs.service';

interface Watch {
  lat: number;
  lng: number;
  radiusMeters: number;
}

/** `/rider` `cabs:watch`: the nearby cabs now, then every CABS_PUSH_INTERVAL_MS until unwatched. */
@WebSocketGateway({ namespace: Namespace.RIDER })
export class CabsGateway
  implements
    OnGatewayConnection<RiderSocket>,
    OnGatewayDisconnect<RiderSocket>,
    OnModuleInit,
    OnApplicationShutdown
{
  private readonly watches = new Map<RiderSocket, Watch>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly cabs: NearbyCabsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.pushAll(), this.config.locations.cabsPushIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  handleConnection(socket: RiderSocket): void {
    listen(socket, SocketEvent.CABS_WATCH, (body) => {
      const query = validateInput(NearbyQueryDto, body);
      const watch = {
        lat: query.lat,
        lng: query.lng,
        radiusMeters: query.radius ?? DEFAULT_NEARBY_RADIUS_METERS,
      };
      this.watches.set(socket, watch);
      // After the ack, so the client has its answer before the first push.
      setImmediate(() => this.push(socket, watch));
      return {};
    });
    listen(socket, SocketEvent.CABS_UNWATCH, () => {
      this.watches.delete(socket);
      return {};
    });
  }

  handleDisconnect(socket: RiderSocket): void {
    this.watches.delete(socket);
  }

  private pushAll(): void {
    for (const [socket, watch] of this.watches) this.push(socket, watch);
  }

  private push(socket: RiderSocket, watch: Watch): void {
    if (!this.watches.has(socket)) return;
    socket.emit(
      SocketEvent.CABS_NEARBY,
      this.cabs.nearby(watch.lat, watch.lng, watch.radiusMeters),
    );
  }
}
