import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CellSchema, QueryResultSchema } from '../../src/query/result-schema.js';

const sample = {
  columns: [
    { name: 'a', type: 'INTEGER' },
    { name: 'a', type: null },
  ],
  rows: [
    [1, 'x'],
    [{ $int: '9007199254740993' }, null],
    [{ $real: 'Infinity' }, { $text: 'ab', truncated: true, length: 9 }],
    [{ $blob: { bytes: 2, base64Prefix: 'AP8=' } }, 0.1],
  ],
  rowCount: 4,
  truncated: { reason: 'row_limit' },
  elapsedMs: 0.25,
};

describe('QueryResultSchema', () => {
  it('converts to JSON Schema, as an MCP outputSchema must', () => {
    const schema = z.toJSONSchema(QueryResultSchema) as { additionalProperties?: boolean };
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts every cell shape the encoder produces', () => {
    expect(QueryResultSchema.parse(sample)).toEqual(sample);
  });

  it('refuses a cell with an extra key or an unknown $real value', () => {
    expect(CellSchema.safeParse({ $int: '1', extra: true }).success).toBe(false);
    expect(CellSchema.safeParse({ $real: 'inf' }).success).toBe(false);
    expect(CellSchema.safeParse([1]).success).toBe(false);
  });
});
