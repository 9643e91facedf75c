import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/** `:id` route parameters: a malformed id is a 400 naming the field, not a database error. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () => DomainError.validation([{ field: 'id', messages: ['must be a UUID'] }]),
});
