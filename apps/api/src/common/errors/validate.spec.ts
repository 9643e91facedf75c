import { IsString } from 'class-validator';
import { DomainError } from './domain-error';
import { inputProblems, MAX_INPUT_DEPTH, validateInput } from './validate';

class NameDto {
  @IsString()
  name!: string;
}

function nested(levels: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i += 1) value = i % 2 ? { a: value } : [value];
  return value;
}

function validationOf(payload: unknown): DomainError {
  try {
    validateInput(NameDto, payload);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('inputProblems', () => {
  it('accepts ordinary payloads, emoji and accents included', () => {
    expect(inputProblems({ name: 'Zoë 😀', pickup: { lat: 1, lng: 2 }, tags: ['a'] })).toEqual([]);
  });

  it('names the field of a NUL character or a lone surrogate', () => {
    expect(inputProblems({ name: 'Ada\u0000Lovelace' })).toEqual([
      { field: 'name', messages: ['must not contain a NUL character (\\u0000)'] },
    ]);
    expect(inputProblems({ vehicle: { plate: '\ud800' } })[0].field).toBe('vehicle.plate');
    expect(inputProblems({ list: ['ok', 'a\udc00'] })[0].field).toBe('list[1]');
  });

  it('refuses keys that would replace a method or reach the prototype', () => {
    const proto = JSON.parse('{"__proto__":{"x":1}}') as unknown;
    expect(inputProblems(proto)[0].field).toBe('__proto__');
    expect(inputProblems({ name: { toString: 'x' } })[0].field).toBe('name.toString');
    expect(inputProblems({ constructor: 'x' })[0].field).toBe('constructor');
  });

  it('stops at the depth limit without recursing, even 100,000 levels down', () => {
    expect(inputProblems({ a: nested(MAX_INPUT_DEPTH - 2) })).toEqual([]);
    const problems = inputProblems({ a: nested(100_000) });
    expect(problems).toHaveLength(1);
    expect(problems[0].messages[0]).toMatch(/deeper than/);
  });
});

describe('validateInput', () => {
  it.each([
    ['no payload', undefined],
    ['a nesting of 1,500 levels', { name: nested(1_500) }],
    ['a NUL character', { name: '\u0000' }],
    ['a lone surrogate', { name: '\ud800' }],
    ['toString where a string is expected', { name: { toString: 'x' } }],
    ['a constructor key', { name: 'x', constructor: 'x' }],
  ])('answers VALIDATION for %s', (_, payload) => {
    expect(validationOf(payload).code).toBe('VALIDATION');
  });
});
