import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';
import { Namespace, Role } from '@app/contracts';
import { actorRoom } from '../auth/socket-auth';
import type { DriverNamespace, RiderNamespace } from './sockets';

/**
 * The socket.io server, for services that push to people: `AppIoAdapter` attaches it when Nest
 * creates it. Every socket of an account sits in that account's room, so an emit to the room
 * reaches each of its devices (on any process, once the server has a cross-process adapter).
 */
@Injectable()
export class SocketHub {
  private server?: Server;

  attach(server: Server): void {
    this.server = server;
  }

  /** At shutdown, before the server and its Redis clients close: later pushes are dropped. */
  detach(): void {
    this.server = undefined;
  }

  /** The sockets of one driver, typed by the `/driver` contract (nothing before start). */
  driver(driverId: string) {
    return this.namespace<DriverNamespace>(Namespace.DRIVER)?.to(
      actorRoom({ id: driverId, role: Role.DRIVER }),
    );
  }

  /** The sockets of one rider, typed by the `/rider` contract (nothing before start). */
  rider(riderId: string) {
    return this.namespace<RiderNamespace>(Namespace.RIDER)?.to(
      actorRoom({ id: riderId, role: Role.RIDER }),
    );
  }

  private namespace<N>(name: string): N | undefined {
    return this.server?.of(name) as N | undefined;
  }
}
