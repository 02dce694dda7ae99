import { describe, expect, it } from 'vitest';
import { LazyJsonSchemaValidator } from '../../src/mcp/json-schema-validator.js';

describe('LazyJsonSchemaValidator', () => {
  it('checks values against a JSON Schema as the SDK validator does, once first asked', () => {
    const validator = new LazyJsonSchemaValidator();
    const check = validator.getValidator<{ a: number }>({
      type: 'object',
      properties: { a: { type: 'number' } },
      required: ['a'],
    });
    expect(check({ a: 1 })).toMatchObject({ valid: true, data: { a: 1 } });
    expect(check({ a: 'one' })).toMatchObject({ valid: false });
  });
});
