import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueryConnection } from '../../src/query/connection.js';
import { runQuery, type QueryRequest, type QueryResult } from '../../src/query/run.js';
import {
  connect,
  createTenantFixture,
  LIMITS,
  NUMBER_ROWS,
  type TenantFixture,
} from './fixture.js';

const BLOB = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
const UNICODE = 'Emoji 😀👍🏽, CJK 漢字かな, RTL שלום مرحبا';

let fixture: TenantFixture;
let conn: QueryConnection;

beforeEach(() => {
  fixture = createTenantFixture();
  const insert = fixture.host.prepare('INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?)');
  insert.run(1, 'big', 2n ** 53n + 1n, 0.1, UNICODE, BLOB, 19.99);
  insert.run(2, 'min', -(2n ** 63n), Number.POSITIVE_INFINITY, '', Buffer.alloc(0), null);
  insert.run(3, 'max', 2n ** 63n - 1n, Number.NEGATIVE_INFINITY, null, null, 0);
  conn = connect(fixture);
});

afterEach(() => {
  conn.close();
  fixture.remove();
});

function run(request: QueryRequest): QueryResult {
  return runQuery(conn.db, request, LIMITS, [fixture.dataRoot]);
}

function failure(request: QueryRequest): Record<string, unknown> {
  try {
    run(request);
  } catch (error) {
    return { ...(error as object), message: (error as Error).message };
  }
  throw new Error('the query did not fail');
}

describe('runQuery value fidelity', () => {
  it('returns 2^53+1, -2^63 and 2^63-1 exactly as marked strings', () => {
    const { rows } = run({ sql: 'SELECT i FROM samples ORDER BY id' });
    expect(rows).toEqual([
      [{ $int: '9007199254740993' }],
      [{ $int: '-9223372036854775808' }],
      [{ $int: '9223372036854775807' }],
    ]);
  });

  it('returns REAL 0.1 exactly and the infinities marked', () => {
    const { rows } = run({ sql: 'SELECT r FROM samples ORDER BY id' });
    expect(rows).toEqual([[0.1], [{ $real: 'Infinity' }], [{ $real: '-Infinity' }]]);
    expect(JSON.stringify(rows[0])).toBe('[0.1]');
  });

  it('returns NULL as null and the empty string as an empty string', () => {
    const { rows } = run({ sql: 'SELECT t, price FROM samples WHERE id IN (2, 3) ORDER BY id' });
    expect(rows).toEqual([
      ['', null],
      [null, 0],
    ]);
  });

  it('returns emoji, CJK and right-to-left text unchanged', () => {
    const { rows } = run({ sql: 'SELECT t FROM samples WHERE id = 1' });
    expect(rows).toEqual([[UNICODE]]);
  });

  it('returns a BLOB as its size and the base64 of its first 48 bytes', () => {
    const { rows } = run({ sql: 'SELECT b FROM samples WHERE id IN (1, 2) ORDER BY id' });
    expect(rows).toEqual([
      [{ $blob: { bytes: 100, base64Prefix: BLOB.subarray(0, 48).toString('base64') } }],
      [{ $blob: { bytes: 0, base64Prefix: '' } }],
    ]);
  });

  it('keeps duplicate column names and a column named __proto__, with their values', () => {
    const result = run({ sql: "SELECT 1 AS a, 2 AS a, x'00ff' AS __proto__" });
    expect(result.columns.map((c) => c.name)).toEqual(['a', 'a', '__proto__']);
    expect(result.rows).toEqual([[1, 2, { $blob: { bytes: 2, base64Prefix: 'AP8=' } }]]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('reports declared column types, and null for expressions', () => {
    const { columns } = run({ sql: 'SELECT id, label, i, r, t, b, price, i * 2 FROM samples' });
    expect(columns.map((c) => c.type)).toEqual([
      'INTEGER',
      'TEXT',
      'INTEGER',
      'REAL',
      'TEXT',
      'BLOB',
      'DECIMAL(10,2)',
      null,
    ]);
  });

  it('cuts text longer than maxCellChars and says how long it was', () => {
    const { rows } = run({ sql: 'SELECT hex(zeroblob(5000))' });
    expect(rows).toEqual([
      [{ $text: '0'.repeat(LIMITS.maxCellChars), truncated: true, length: 10_000 }],
    ]);
  });
});

describe('runQuery parameters', () => {
  it('binds positional params', () => {
    const { rows } = run({
      sql: 'SELECT name FROM users WHERE id = ? OR id = ?',
      params: ['u1', 'u2'],
    });
    expect(rows).toEqual([['Ann'], ['Bo']]);
  });

  it('binds named params', () => {
    const { rows } = run({ sql: 'SELECT email FROM users WHERE id = :id', params: { id: 'u2' } });
    expect(rows).toEqual([['bo@example.com']]);
  });

  it('binds integers as INTEGER, fractions as REAL and booleans as 1 or 0', () => {
    const { rows } = run({ sql: 'SELECT typeof(?), typeof(?), ?', params: [3, 2.5, true] });
    expect(rows).toEqual([['integer', 'real', 1]]);
  });

  it('round-trips a 64-bit integer passed as {"$int"}', () => {
    const params = [{ $int: '9223372036854775807' }];
    expect(run({ sql: 'SELECT ? AS v', params }).rows).toEqual([[params[0]]]);
  });

  it('refuses an object value and a missing named value with QUERY_PARAMS_INVALID', () => {
    const sql = 'SELECT :a, :b';
    expect(failure({ sql, params: { a: { x: 1 }, b: 1 } })).toMatchObject({
      code: 'QUERY_PARAMS_INVALID',
    });
    expect(failure({ sql, params: { a: 1 } })).toMatchObject({
      code: 'QUERY_PARAMS_INVALID',
      message: 'Missing named parameter "b"',
    });
  });
});

describe('runQuery errors', () => {
  it('reports an unknown table with its SQLite code and a hint to call list_tables', () => {
    expect(failure({ sql: 'SELECT * FROM userz' })).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_ERROR',
      message: 'no such table: userz',
      hint: expect.stringMatching(/list_tables/),
    });
  });

  it('reports an unknown column with a hint to call describe_table', () => {
    expect(failure({ sql: 'SELECT "text" FROM users' })).toMatchObject({
      code: 'QUERY_FAILED',
      message: 'no such column: "text" - should this be a string literal in single-quotes?',
      hint: expect.stringMatching(/describe_table/),
    });
  });

  it('reports an error raised while reading rows as QUERY_FAILED', () => {
    expect(failure({ sql: 'SELECT zeroblob(2000000000)' })).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_TOOBIG',
    });
  });
});

describe('runQuery limits', () => {
  it('returns defaultRowLimit rows when maxRows is absent', () => {
    const result = run({ sql: 'SELECT n FROM numbers' });
    expect(result.rowCount).toBe(LIMITS.defaultRowLimit);
    expect(result.truncated).toEqual({ reason: 'row_limit' });
  });

  it('clamps maxRows to maxRowLimit', () => {
    const result = run({ sql: 'SELECT n FROM numbers', maxRows: NUMBER_ROWS });
    expect(result.rowCount).toBe(LIMITS.maxRowLimit);
  });

  it('refuses a maxRows that is not a positive integer', () => {
    expect(failure({ sql: 'SELECT 1', maxRows: 0 })).toMatchObject({ code: 'QUERY_INVALID' });
    expect(failure({ sql: 'SELECT 1', maxRows: 1.5 })).toMatchObject({ code: 'QUERY_INVALID' });
  });

  it('returns a complete result with rowCount, truncated null and elapsed milliseconds', () => {
    const result = run({ sql: 'SELECT count(*) AS n FROM numbers' });
    expect(result).toMatchObject({ rows: [[NUMBER_ROWS]], rowCount: 1, truncated: null });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
  });
});
