import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { assertSafeInput, toFieldErrors, VALIDATOR_OPTIONS } from '../errors/validate';

/**
 * Bodies and queries: DTO classes, unknown fields refused, failures as 400 with `details`. The
 * payload is first checked for what class-transformer and class-validator cannot take (deep
 * nesting, reserved keys, NUL, lone surrogates), so they answer 400 instead of throwing.
 */
class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && this.toValidate(metadata)) {
      if (metadata.type === 'body' && value != null && !isObject(value)) {
        throw DomainError.validation([{ field: '(body)', messages: ['must be a JSON object'] }]);
      }
      assertSafeInput(value);
    }
    return super.transform(value, metadata);
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    exceptionFactory: (errors) => DomainError.validation(toFieldErrors(errors)),
  });
}
