import type { Namespace as IoNamespace, Socket } from 'socket.io';
import type { EventsMap } from 'socket.io/dist/typed-events';
import type {
  DriverClientEvents,
  DriverServerEvents,
  RiderClientEvents,
  RiderServerEvents,
} from '@app/contracts';
import type { Actor } from '../auth/actor';

/** What the handshake leaves on every accepted socket. */
export interface SocketData {
  actor: Actor;
}

/** A socket typed by its namespace's contract, both ways. */
export type AppSocket<ClientEvents extends EventsMap, ServerEvents extends EventsMap> = Socket<
  ClientEvents,
  ServerEvents,
  Record<string, never>,
  SocketData
>;

export type DriverSocket = AppSocket<DriverClientEvents, DriverServerEvents>;
export type RiderSocket = AppSocket<RiderClientEvents, RiderServerEvents>;
/** `/admin`: the admin namespace has no client events yet. */
export type AdminSocket = AppSocket<Record<string, never>, Record<string, never>>;

export type DriverNamespace = IoNamespace<
  DriverClientEvents,
  DriverServerEvents,
  Record<string, never>,
  SocketData
>;
export type RiderNamespace = IoNamespace<
  RiderClientEvents,
  RiderServerEvents,
  Record<string, never>,
  SocketData
>;
