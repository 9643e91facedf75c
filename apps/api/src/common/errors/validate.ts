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

/** Our deepest DTO nests three levels; class-transformer overflows the stack near 1,500. */
export const MAX_INPUT_DEPTH = 16;
const MAX_REPORTED_PROBLEMS = 10;
/**
 * Keys that replace a method class-transformer or class-validator calls on the value
 * (`{"toString":"x"}` where a string is expected), or reach the prototype. No DTO uses one.
 */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const NUL = '\u0000';
/** A surrogate code unit that is not half of a pair: not Unicode, and validator's email check throws on it. */
const LONE_SURROGATE = /\p{Cs}/u;

export function toFieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * What the validation libraries cannot take, found before they see the payload: nesting deeper
 * than MAX_INPUT_DEPTH, reserved keys, NUL characters (PostgreSQL text refuses them) and lone
 * surrogates, anywhere in it. Iterative, so a payload nested 100,000 levels costs a loop, not the
 * stack; it stops at the first few problems.
 */
export function inputProblems(payload: unknown, root = ''): FieldError[] {
  const problems: FieldError[] = [];
  const stack: { value: unknown; field: string; depth: number }[] = [
    { value: payload, field: root, depth: 0 },
  ];
  while (stack.length > 0 && problems.length < MAX_REPORTED_PROBLEMS) {
    const { value, field, depth } = stack.pop() as (typeof stack)[number];
    if (typeof value === 'string') {
      const message = stringProblem(value);
      if (message) problems.push({ field: field || '(body)', messages: [message] });
      continue;
    }
    if (value === null || typeof value !== 'object' || !isPlain(value)) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      problems.push({
        field: field || '(body)',
        messages: [`nests deeper than ${MAX_INPUT_DEPTH} levels`],
      });
      continue;
    }
    for (const key of Object.keys(value)) {
      const child = Array.isArray(value) ? `${field}[${key}]` : field ? `${field}.${key}` : key;
      if (RESERVED_KEYS.has(key)) {
        problems.push({ field: child, messages: [`${key} is a reserved name`] });
        continue;
      }
      stack.push({
        value: (value as Record<string, unknown>)[key],
        field: child,
        depth: depth + 1,
      });
    }
  }
  return problems;
}

function stringProblem(value: string): string | undefined {
  if (value.includes(NUL)) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it has a lone surrogate)';
  return undefined;
}

/** JSON and query strings give plain objects (the query parser's have a null prototype) and arrays. */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/** Throws DomainError VALIDATION when `inputProblems` finds any. */
export function assertSafeInput(payload: unknown, root = ''): void {
  const problems = inputProblems(payload, root);
  if (problems.length > 0) throw DomainError.validation(problems);
}

/**
 * Validates a payload into a DTO instance or throws DomainError VALIDATION. The HTTP pipe and
 * the socket handlers both use it, so a rule holds on every transport.
 */
export function validateInput<T extends object>(dto: new () => T, payload: unknown): T {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw DomainError.validation([{ field: '(body)', messages: ['must be a JSON object'] }]);
  }
  assertSafeInput(payload);
  const instance = plainToInstance(dto, payload, { enableImplicitConversion: false });
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw DomainError.validation(toFieldErrors(errors));
  return instance;
}
