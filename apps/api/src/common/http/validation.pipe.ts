import { ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { toFieldErrors, VALIDATOR_OPTIONS } from '../errors/validate';

/** Bodies and queries: DTO classes, unknown fields refused, failures as 400 with `details`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    exceptionFactory: (errors) => DomainError.validation(toFieldErrors(errors)),
  });
}
