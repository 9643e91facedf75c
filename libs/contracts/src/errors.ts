/** Stable error codes shared by HTTP bodies (`error`) and socket acks (`error.code`). */
export const ErrorCode = {
  VALIDATION: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  INVALID_STATE: 'INVALID_STATE',
  IMPLAUSIBLE_LOCATION: 'IMPLAUSIBLE_LOCATION',
  INVALID_PICKUP_CODE: 'INVALID_PICKUP_CODE',
  /** A quote that is expired, or for another cab type or route. */
  INVALID_QUOTE: 'INVALID_QUOTE',
  /** A dependency (the database, Redis) is down or saturated: retry in a few seconds. */
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One bad field of a request, as listed in `details`. */
export interface FieldError {
  field: string;
  messages: string[];
}

/** The body of every HTTP error. */
export interface HttpErrorBody {
  statusCode: number;
  error: ErrorCode | string;
  message: string;
  details?: FieldError[];
}

/** The ack of every socket event a client emits. */
export type Ack<T extends object = object> =
  | ({ ok: true } & T)
  | { ok: false; error: { code: ErrorCode; message: string; details?: FieldError[] } };
