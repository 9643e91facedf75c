import type { Socket } from 'socket.io';
import { Ack } from '@app/contracts';
import { toAck } from './ack';

/**
 * Registers one client event on one socket: run the use case, answer the ack. A plain listener,
 * one closure per socket and event: Nest's `@SubscribeMessage` builds an rxjs pipeline per
 * handler per socket, which at tens of thousands of driver sockets costs megabytes and slows
 * every connect. Validation and errors are handled inside `run` and `toAck`, as for REST.
 */
export function listen<T extends object>(
  socket: Socket,
  event: string,
  run: (payload: unknown) => Promise<T> | T,
): void {
  socket.on(event, (payload: unknown, ack?: (answer: Ack<T>) => void) => {
    void toAck(() => run(payload)).then((answer) => {
      if (typeof ack === 'function') ack(answer);
    });
  });
}
