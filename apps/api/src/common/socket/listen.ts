import type { Socket } from 'socket.io';
import type { EventsMap } from 'socket.io/dist/typed-events';
import { Ack, AckData, ErrorCode } from '@app/contracts';
import { toAck } from './ack';
import type { AppSocket } from './sockets';

/**
 * Registers one client event on one socket: run the use case, answer the ack. Typed by the
 * namespace's client event map: the event must be in it and the use case must return that
 * event's ack data, so the server cannot drift from the contract the apps compile against.
 * The payload arrives as `unknown`: it is validated inside `run`, as for REST.
 *
 * A plain listener, one closure per socket and event: Nest's `@SubscribeMessage` builds an rxjs
 * pipeline per handler per socket, which at tens of thousands of driver sockets costs megabytes
 * and slows every connect. Errors are handled inside `toAck`.
 */
export function listen<ClientEvents extends EventsMap, E extends keyof ClientEvents & string>(
  socket: AppSocket<ClientEvents, EventsMap>,
  event: E,
  run: (payload: unknown) => Promise<AckData<ClientEvents[E]>> | AckData<ClientEvents[E]>,
): void {
  // Registered untyped: the payload is `unknown` until `run` validates it.
  const untyped = socket as unknown as Socket<Record<string, (...args: unknown[]) => void>>;
  guardArguments(untyped);
  const context = { event, socketId: socket.id };
  untyped.on(event as string, (payload: unknown, ack?: unknown) => {
    void toAck(async () => (await run(payload)) as object, context).then((answer: Ack) => {
      if (typeof ack === 'function') ack(answer);
    });
  });
}

const EXTRA_ARGUMENTS: Ack = Object.freeze({
  ok: false,
  error: Object.freeze({
    code: ErrorCode.VALIDATION,
    message: 'an event takes one payload and an ack callback',
  }),
}) as Ack;
const guarded = new WeakSet<Socket>();

/**
 * Every handler of a socket gets `(payload, ack?)`, whatever the client emits: an emit without a
 * payload gets `undefined` for it (and its handler answers VALIDATION), one with extra arguments
 * is answered VALIDATION here and goes no further. Without this, the ack callback arrives in the
 * payload's place or after the extra arguments, and is never called. Installed once per socket,
 * on its first `listen`, it covers all its events, the plain `socket.on` ping path too.
 */
function guardArguments(socket: Socket): void {
  if (guarded.has(socket)) return;
  guarded.add(socket);
  socket.use((packet, next) => {
    // [event, ...arguments, ack?]: socket.io appends the ack when the client asked for one.
    const last: unknown = packet[packet.length - 1];
    const ack = packet.length > 1 && typeof last === 'function' ? last : undefined;
    const args = packet.length - 1 - (ack ? 1 : 0);
    if (args === 1) return next();
    if (args === 0) {
      if (ack) packet.splice(1, 0, undefined);
      return next();
    }
    if (ack) (ack as (answer: Ack) => void)(EXTRA_ARGUMENTS);
  });
}
