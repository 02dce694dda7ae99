import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { TenantMcpError } from '../../src/errors.js';
import { hintFor, queryFailure, redactPaths } from '../../src/query/failure.js';

describe('redactPaths', () => {
  it('replaces the given paths, longest first', () => {
    const message = 'cannot open /data/tenants/acme/main.db under /data';
    expect(redactPaths(message, ['/data', '/data/tenants/acme/main.db'])).toBe(
      'cannot open <path> under <path>',
    );
  });

  it('replaces any other absolute path of two or more segments', () => {
    expect(redactPaths("unable to open database: '/srv/other/main.db'", [])).toBe(
      "unable to open database: '<path>'",
    );
  });

  it('leaves SQL punctuation and relative names alone', () => {
    expect(redactPaths('near "/": syntax error', [])).toBe('near "/": syntax error');
    expect(redactPaths('no such table: a/b', [])).toBe('no such table: a/b');
  });
});

describe('hintFor', () => {
  it('points to list_tables for an unknown table and describe_table for an unknown column', () => {
    expect(hintFor('no such table: userz')).toMatch(/list_tables/);
    expect(hintFor('no such column: nmae')).toMatch(/describe_table/);
    expect(hintFor('near "FROM": syntax error')).toBeUndefined();
  });
});

describe('queryFailure', () => {
  it('keeps a TenantMcpError as it is', () => {
    const error = new TenantMcpError('QUERY_TIMEOUT', 'late');
    expect(queryFailure(error)).toBe(error);
  });

  it('turns a SQLite error into QUERY_FAILED with its code, message, hint and cause', () => {
    const sqlite = new Database.SqliteError('no such table: nope', 'SQLITE_ERROR');
    const failure = queryFailure(sqlite);
    expect(failure).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_ERROR',
      message: 'no such table: nope',
    });
    expect(failure.hint).toMatch(/list_tables/);
    expect(failure.cause).toBe(sqlite);
  });

  it('removes server paths from a SQLite message', () => {
    const sqlite = new Database.SqliteError('unable to open /srv/data/x.db', 'SQLITE_CANTOPEN');
    expect(queryFailure(sqlite, ['/srv/data']).message).toBe('unable to open <path>');
  });

  it('hides the message of anything that is not a SQLite error', () => {
    const failure = queryFailure(new Error('internal detail at /srv/app.js'));
    expect(failure).toMatchObject({ code: 'QUERY_FAILED', message: 'the query failed' });
  });
});
