import type { Socket } from 'socket.io';
import type { EventsMap } from 'socket.io/dist/typed-events';
import { Ack, AckData, ErrorCode } from '@app/contracts';
import { toAck } from './ack';
import { AppSocket, markActive } from './sockets';

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
  const context = { event, socketId: socket.id };
  untyped.on(event as string, (...args: unknown[]) => {
    markActive(socket.data);
    const { payload, ack, extra } = splitArguments(args);
    if (extra) return ack?.(EXTRA_ARGUMENTS);
    void toAck(async () => (await run(payload)) as object, context).then((answer: Ack) =>
      ack?.(answer),
    );
  });
}

/** The answer to an emit with more than one payload argument. */
export const EXTRA_ARGUMENTS: Ack = Object.freeze({
  ok: false,
  error: Object.freeze({
    code: ErrorCode.VALIDATION,
    message: 'an event takes one payload and an ack callback',
  }),
}) as Ack;

/**
 * A handler gets `(payload, ack?)` whatever the client emitted: socket.io appends the ack
 * callback when the client asked for one, so an emit without a payload delivers the ack in the
 * payload's place, and one with extra arguments delivers it after them. Checked per handler,
 * not in a `socket.use` middleware, which would run for every packet, pings included.
 */
export function splitArguments(args: readonly unknown[]): {
  payload: unknown;
  ack?: (answer: Ack) => void;
  extra: boolean;
} {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as (answer: Ack) => void) : undefined;
  const count = args.length - (ack ? 1 : 0);
  return { payload: count >= 1 ? args[0] : undefined, ack, extra: count > 1 };
}
