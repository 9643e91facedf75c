import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode, HttpErrorBody } from '@app/contracts';
import { codeForHttpStatus, DomainError, HTTP_STATUS_BY_CODE } from '../errors/domain-error';
import { countUnhandledError, registerUnhandledErrorsMetric } from '../errors/unhandled-errors';
import {
  RETRY_AFTER_SECONDS,
  unavailableDependency,
  unavailableMessage,
} from '../errors/dependency-errors';

/** Maps every error to the API's error body; unknown ones are logged once and answered 500. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  constructor() {
    registerUnhandledErrorsMetric();
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: unknown }>();
    const body = this.toBody(exception, request);
    if (response.headersSent) {
      response.end();
      return;
    }
    if (body.statusCode === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, request: Request & { id?: unknown }): HttpErrorBody {
    if (exception instanceof DomainError) {
      return {
        statusCode: HTTP_STATUS_BY_CODE[exception.code],
        error: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      return { statusCode, error: codeForHttpStatus(statusCode), message: messageOf(exception) };
    }
    // Body-parser and router errors (malformed JSON, too large, a bad %-escape in the path)
    // arrive as plain errors with a status and, from body-parser, a type.
    const { status, type } = (exception ?? {}) as { status?: unknown; type?: unknown };
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
      return {
        statusCode: status,
        error: known?.code ?? codeForHttpStatus(status),
        message: known?.message ?? String((exception as Error).message),
      };
    }
    const dependency = unavailableDependency(exception);
    if (dependency) {
      this.logger.warn(
        { err: exception, requestId: request.id, path: request.url, dependency },
        `${dependency} unavailable`,
      );
      return {
        statusCode: 503,
        error: ErrorCode.UNAVAILABLE,
        message: unavailableMessage(dependency),
      };
    }
    this.logger.error(
      { err: exception, requestId: request.id, path: request.url },
      'unhandled error',
    );
    countUnhandledError('http');
    return { statusCode: 500, error: ErrorCode.INTERNAL, message: 'internal error' };
  }
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** body-parser's error types, in the API's words. */
const BODY_PARSER_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: ErrorCode.VALIDATION, message: 'malformed JSON body' },
  'entity.too.large': { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' },
  'parameters.too.many': { code: 'PAYLOAD_TOO_LARGE', message: 'too many form parameters' },
  'charset.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported charset' },
  'encoding.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported encoding' },
  'request.aborted': { code: 'BAD_REQUEST', message: 'request aborted' },
};
