import { Logger } from '@nestjs/common';
import { Ack, ErrorCode } from '@app/contracts';
import { unavailableDependency, unavailableMessage } from '../errors/dependency-errors';
import { DomainError } from '../errors/domain-error';
import { countUnhandledError } from '../errors/unhandled-errors';

const logger = new Logger('SocketAck');

/**
 * Runs a use case for a socket event and turns its result or error into the API's ack:
 * `{ ok: true, ...data }` or `{ ok: false, error: { code, message } }`. A dependency that is
 * down or saturated is UNAVAILABLE (retry), as HTTP answers 503. Unknown errors are
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
    const dependency = unavailableDependency(error);
    if (dependency) {
      logger.warn({ err: error, ...context, dependency }, `${dependency} unavailable`);
      return {
        ok: false,
        error: {
          code: ErrorCode.UNAVAILABLE,
          message: unavailableMessage(dependency),
        },
      };
    }
    logger.error({ err: error, ...context }, 'unhandled error in a socket handler');
    countUnhandledError('socket');
    return { ok: false, error: { code: ErrorCode.INTERNAL, message: 'internal error' } };
  }
}
