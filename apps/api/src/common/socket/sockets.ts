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
  /** The idle reaper's round counter of this socket's namespace (driver sockets only). */
  idleClock?: IdleClock;
  /** The reaper round in which this socket last sent an event we handle. */
  activeRound?: number;
}

/** Counts the idle reaper's rounds; a handled event copies `round` onto its socket. */
export interface IdleClock {
  round: number;
}

/**
 * Notes that a socket sent an event: one property copy, no clock read, so the hot ping path
 * pays next to nothing for the idle reaper (see socket-guards `reapIdle`).
 */
export function markActive(data: SocketData): void {
  const clock = data.idleClock;
  if (clock !== undefined) data.activeRound = clock.round;
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
