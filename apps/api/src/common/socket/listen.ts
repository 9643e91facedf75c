import type { Socket } from 'socket.io';
import type { EventsMap } from 'socket.io/dist/typed-events';
import { Ack, AckData } from '@app/contracts';
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
  untyped.on(event as string, (payload: unknown, ack?: unknown) => {
    void toAck(async () => (await run(payload)) as object).then((answer: Ack) => {
      if (typeof ack === 'function') ack(answer);
    });
  });
}
