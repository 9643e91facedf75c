import { Logger } from '@nestjs/common';
import { Ack, ErrorCode } from '@app/contracts';
import { DomainError } from '../errors/domain-error';
import { countUnhandledError } from '../errors/unhandled-errors';

const logger = new Logger('SocketAck');

/**
 * Runs a use case for a socket event and turns its result or error into the API's ack:
 * `{ ok: true, ...data }` or `{ ok: false, error: { code, message } }`. Unknown errors are
 * logged once (with `context`: the event and the socket) and answered INTERNAL without
 * internals, and counted in `ridehail_unhandled_errors_total`.
 */
export async function toAck<T extends object>(
  run: () => Promise<T> | T,
  context?: Record<string, unknown>,
): Promise<Ack<T>> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    if (error instanceof DomainError) {
      return {
        ok: false,
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      };
    }
    logger.error({ err: error, ...context }, 'unhandled error in a socket handler');
    countUnhandledError('socket');
    return { ok: false, error: { code: ErrorCode.INTERNAL, message: 'internal error' } };
  }
}
