import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode, HttpErrorBody } from '@app/contracts';
import { codeForHttpStatus, DomainError, HTTP_STATUS_BY_CODE } from '../errors/domain-error';

/** Maps every error to the API's error body; unknown ones are logged once and answered 500. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: unknown }>();
    const body = this.toBody(exception, request);
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
    // Body-parser errors (malformed JSON, too large) arrive as plain errors with a status.
    const status = (exception as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = status === 400 ? 'malformed JSON body' : String((exception as Error).message);
      return { statusCode: status, error: codeForHttpStatus(status), message };
    }
    this.logger.error(
      { err: exception, requestId: request.id, path: request.url },
      'unhandled error',
    );
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
