import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Namespace as IoNamespace } from 'socket.io';
import { AdminFeedEvent, AdminTripsBatch, Namespace, Role } from '@app/contracts';
import { AuthedSocket } from '../../common/auth/socket-auth';
import { Clock, CLOCK } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LiveDrivers } from '../locations/live-drivers';
import { AdminFeedRepository } from './admin-feed.repository';
import { DriverFeedEncoder } from './driver-feed.encoder';

/** Four position batches a second: smooth on the map, and ~1/12 of the pings at a 3 s cadence. */
export const FEED_DRIVERS_INTERVAL_MS = 250;
export const FEED_TRIPS_INTERVAL_MS = 2_000;
export const FEED_TRIPS_LIMIT = 5_000;

/**
 * The `/admin` live feed: driver positions and states in packed batches four times a second,
 * open trips every two seconds. The handshake check of the namespace is not done here (it
 * belongs to whoever authenticates `/admin` sockets); a socket that arrives without an admin
 * actor is dropped all the same, so the feed never reaches anyone else.
 *
 * Safe with N processes: every process holds the whole city's location index, so each one
 * feeds only the admin sockets connected to itself (`namespace.local`, per-socket snapshots).
 * A cross-process broadcast would send every batch N times once the Redis adapter is in. The
 * encoder's driver numbering and "last sent" arrays are per process for the same reason: they
 * describe what this process's own sockets have been told. With no admin socket here, nothing
 * runs at all.
 */
@WebSocketGateway({ namespace: Namespace.ADMIN })
export class AdminFeed
  implements OnGatewayConnection<AuthedSocket>, OnGatewayDisconnect, OnModuleDestroy
{
  @WebSocketServer() private readonly namespace!: IoNamespace;
  private readonly logger = new Logger(AdminFeed.name);

  private readonly encoder: DriverFeedEncoder;
  private lastTrips: AdminTripsBatch | null = null;
  private tripsInFlight = false;
  private driversTimer: NodeJS.Timeout | undefined;
  private tripsTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly live: LiveDrivers,
    private readonly trips: AdminFeedRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.encoder = new DriverFeedEncoder(config.locations.staleAfterMs);
  }

  handleConnection(socket: AuthedSocket): void {
    if (socket.data.actor?.role !== Role.ADMIN) {
      socket.disconnect(true);
      return;
    }
    // The snapshot is what every other socket here has been told; the next batch applies to it.
    socket.emit(AdminFeedEvent.DRIVERS, this.encoder.snapshot(this.clock.now()));
    if (this.lastTrips) socket.emit(AdminFeedEvent.TRIPS, this.lastTrips);
    this.start();
  }

  handleDisconnect(): void {
    if (this.namespace.sockets.size === 0) this.stop();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  private start(): void {
    if (this.driversTimer) return;
    this.driversTimer = setInterval(() => this.sendDrivers(), FEED_DRIVERS_INTERVAL_MS);
    this.tripsTimer = setInterval(() => void this.sendTrips(), FEED_TRIPS_INTERVAL_MS);
    this.driversTimer.unref();
    this.tripsTimer.unref();
    void this.sendTrips();
  }

  private stop(): void {
    clearInterval(this.driversTimer);
    clearInterval(this.tripsTimer);
    this.driversTimer = undefined;
    this.tripsTimer = undefined;
    this.lastTrips = null;
  }

  private sendDrivers(): void {
    this.namespace.local.emit(
      AdminFeedEvent.DRIVERS,
      this.encoder.next(this.live.online(), this.clock.now()),
    );
  }

  private async sendTrips(): Promise<void> {
    if (this.tripsInFlight || !this.driversTimer) return;
    this.tripsInFlight = true;
    try {
      const batch: AdminTripsBatch = {
        atMs: this.clock.now(),
        limit: FEED_TRIPS_LIMIT,
        trips: await this.trips.openTrips(FEED_TRIPS_LIMIT),
      };
      if (!this.driversTimer) return;
      this.lastTrips = batch;
      this.namespace.local.emit(AdminFeedEvent.TRIPS, batch);
    } catch (error) {
      this.logger.warn({ err: error }, 'open trips for the admin feed failed');
    } finally {
      this.tripsInFlight = false;
    }
  }
}
