import { describe, expect, it } from 'vitest';
import { TenantMcpError } from '../../src/errors.js';
import { plain, pooledReader } from '../../src/domain/pooled.js';
import type { QueryResult, QueryRunner } from '../../src/query/run.js';
import { rejection } from '../support/failure.js';

function answering(result: Partial<QueryResult>): QueryRunner {
  return {
    run: async () => ({
      columns: [],
      rows: [],
      rowCount: 0,
      truncated: null,
      elapsedMs: 0,
      ...result,
    }),
  };
}

const columns = [
  { name: 'key', type: null },
  { name: 'n', type: null },
];

describe('pooledReader', () => {
  it('gives rows as objects keyed by column name', async () => {
    const pool = pooledReader(answering({ columns, rows: [['ACME-1', 3]], rowCount: 1 }));

    expect(await pool.all('SELECT 1', {}, 10)).toEqual([{ key: 'ACME-1', n: 3 }]);
  });

  it('refuses a result the pool had to cut, unless asked for what there is', async () => {
    const pool = pooledReader(
      answering({ columns, rows: [['ACME-1', 3]], truncated: { reason: 'byte_limit' } }),
    );

    expect((await rejection(pool.all('SELECT 1', {}, 10))).code).toBe('QUERY_FAILED');
    expect(await pool.upTo('SELECT 1', {}, 10)).toEqual({
      rows: [{ key: 'ACME-1', n: 3 }],
      cut: true,
    });
  });

  it('keeps QUERY_TIMEOUT but gives a hint a domain tool can act on', async () => {
    const timeout = new TenantMcpError('QUERY_TIMEOUT', 'the query did not finish within 5 ms');
    const pool = pooledReader({ run: () => Promise.reject(timeout) });

    const error = await rejection(pool.all('SELECT 1', {}, 10));

    expect(error.code).toBe('QUERY_TIMEOUT');
    expect(error.hint).toBe('ask about one project (or fewer days), or count with the query tool');
    expect(error.cause).toBe(timeout);
  });

  it('passes other errors on as they are', async () => {
    const busy = new TenantMcpError('QUERY_OVERLOADED', 'too many queries are waiting');
    const pool = pooledReader({ run: () => Promise.reject(busy) });

    expect(await rejection(pool.all('SELECT 1', {}, 10))).toBe(busy);
  });

  it('passes the request and the cancellation signal to the pool', async () => {
    const seen: unknown[] = [];
    const signal = new AbortController().signal;
    const pool = pooledReader(
      {
        run: async (request, s) => {
          seen.push(request, s);
          return { columns: [], rows: [], rowCount: 0, truncated: null, elapsedMs: 0 };
        },
      },
      signal,
    );

    await pool.all('SELECT :id', { id: 'x' }, 7);

    expect(seen).toEqual([{ sql: 'SELECT :id', params: { id: 'x' }, maxRows: 7 }, signal]);
  });
});

describe('plain', () => {
  it('turns encoded cells back into the values SQLite gave', () => {
    expect(plain(null)).toBeNull();
    expect(plain('text')).toBe('text');
    expect(plain(42)).toBe(42);
    expect(plain({ $int: '9007199254740993' })).toBe(9007199254740992);
    expect(plain({ $real: 'Infinity' })).toBe(Infinity);
    expect(plain({ $text: 'abc', truncated: true, length: 5000 })).toBe('abc…');
    expect(plain({ $blob: { bytes: 12, base64Prefix: '' } })).toBe('<blob 12 bytes>');
  });
});
