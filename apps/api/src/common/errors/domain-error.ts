import { ErrorCode, FieldError } from '@app/contracts';

/** What services throw. One HTTP filter and one socket mapper turn it into a response. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(what: string): DomainError {
    return new DomainError(ErrorCode.NOT_FOUND, `${what} not found`);
  }

  static conflict(message: string): DomainError {
    return new DomainError(ErrorCode.CONFLICT, message);
  }

  static unauthorized(message = 'unauthorized'): DomainError {
    return new DomainError(ErrorCode.UNAUTHORIZED, message);
  }

  static forbidden(message = 'forbidden'): DomainError {
    return new DomainError(ErrorCode.FORBIDDEN, message);
  }

  static validation(details: FieldError[]): DomainError {
    const fields = details.map((d) => d.field).join(', ');
    return new DomainError(ErrorCode.VALIDATION, `invalid input: ${fields}`, details);
  }
}

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  RATE_LIMITED: 429,
  IMPLAUSIBLE_LOCATION: 422,
  INVALID_PICKUP_CODE: 422,
  INVALID_QUOTE: 422,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const CODE_BY_HTTP_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.CONFLICT,
  429: ErrorCode.RATE_LIMITED,
};

/** A code for framework errors that carry only a status (404 route, 413 body, 429 throttler). */
export function codeForHttpStatus(status: number): string {
  return CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL : 'BAD_REQUEST');
}
