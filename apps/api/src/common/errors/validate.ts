import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { FieldError } from '@app/contracts';
import { DomainError } from './domain-error';

/** Unknown fields are refused, so a client cannot set a status or an owner. */
export const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
} as const;

export function toFieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * Validates a payload into a DTO instance or throws DomainError VALIDATION. The HTTP pipe and
 * the socket handlers both use it, so a rule holds on every transport.
 */
export function validateInput<T extends object>(dto: new () => T, payload: unknown): T {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw DomainError.validation([{ field: '(body)', messages: ['must be a JSON object'] }]);
  }
  const instance = plainToInstance(dto, payload, { enableImplicitConversion: false });
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw DomainError.validation(toFieldErrors(errors));
  return instance;
}
