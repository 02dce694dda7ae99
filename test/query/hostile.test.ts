import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueryPool } from '../../src/query/pool.js';
import type { QueryRequest, QueryResult } from '../../src/query/run.js';
import { createTenantFixture, OTHER_SECRET, startPool, type TenantFixture } from './fixture.js';

/**
 * Hostile SQL through the real pool, one case per attack class. Every case ends with
 * the same three checks: refused or bounded, the tenant file and its WAL byte-for-byte
 * unchanged, and the pool still answering.
 */

const COUNTER = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)';
const THOUSAND = 'WITH c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)';

let fixture: TenantFixture;
let pool: QueryPool;
let digest: string;

beforeEach(async () => {
  fixture = createTenantFixture();
  pool = await startPool(fixture, { workerMemoryMb: 64 });
  digest = fixture.digest();
});

afterEach(async () => {
  await pool.close();
  fixture.remove();
});

async function failure(request: QueryRequest): Promise<Record<string, unknown>> {
  let result: QueryResult;
  try {
    result = await pool.forTenant('acme', fixture.file).run(request);
  } catch (error) {
    return { ...(error as object), message: (error as Error).message };
  }
  throw new Error(`expected a refusal, got ${JSON.stringify(result).slice(0, 200)}`);
}

async function expectIntact(): Promise<void> {
  expect(fixture.digest()).toBe(digest);
  expect(
    (await pool.forTenant('acme', fixture.file).run({ sql: 'SELECT count(*) FROM users' })).rows,
  ).toEqual([[3]]);
  expect(fixture.host.prepare('SELECT count(*) FROM users').pluck().get()).toBe(3);
}

describe('writes', () => {
  it.each([
    ['INSERT', "INSERT INTO users VALUES ('x', 'x@example.com', 'X', 0)"],
    ['UPDATE', "UPDATE users SET name = 'pwned'"],
    ['DELETE', 'DELETE FROM users'],
    ['REPLACE', "REPLACE INTO users VALUES ('u1', 'a@example.com', 'A', 0)"],
    ['DROP', 'DROP TABLE users'],
    ['ALTER', 'ALTER TABLE users ADD COLUMN x'],
    ['CREATE TABLE', 'CREATE TABLE t (a)'],
    ['CREATE INDEX', 'CREATE INDEX ix ON users (name)'],
    ['CREATE VIRTUAL TABLE', 'CREATE VIRTUAL TABLE f USING fts5(a)'],
    ['CREATE TEMP TABLE', 'CREATE TEMP TABLE t (a)'],
    ['CREATE TEMP VIEW', 'CREATE TEMP VIEW v AS SELECT 1'],
    ['CREATE TEMP TRIGGER', 'CREATE TEMP TRIGGER tr AFTER INSERT ON users BEGIN SELECT 1; END'],
    ['ANALYZE', 'ANALYZE'],
    ['REINDEX', 'REINDEX'],
    ['EXPLAIN of a write', 'EXPLAIN DELETE FROM users'],
  ])('refuses %s with QUERY_NOT_READ_ONLY', async (_name, sql) => {
    expect(await failure({ sql })).toMatchObject({ code: 'QUERY_NOT_READ_ONLY' });
    await expectIntact();
  });
});

describe('CTEs wrapping writes', () => {
  it.each([
    ['DELETE', 'WITH x AS (SELECT 1) DELETE FROM users'],
    ['INSERT', "WITH x AS (SELECT 1) INSERT INTO users SELECT 'y', 'y@example.com', 'Y', 0 FROM x"],
    ['UPDATE', "WITH x AS (SELECT 1) UPDATE users SET name = 'p'"],
    ['REPLACE', "WITH x AS (SELECT 1) REPLACE INTO users VALUES ('u1', 'a', 'b', 0)"],
  ])('refuses WITH ... %s with QUERY_NOT_READ_ONLY', async (_name, sql) => {
    expect(await failure({ sql })).toMatchObject({ code: 'QUERY_NOT_READ_ONLY' });
    await expectIntact();
  });
});

describe('other databases and files', () => {
  it('refuses ATTACH of another tenant file and never returns its contents', async () => {
    const sql = `ATTACH '${fixture.otherFile}' AS o`;
    expect(await failure({ sql })).toMatchObject({ code: 'QUERY_NOT_READ_ONLY' });
    const probe = await failure({ sql: 'SELECT v FROM o.secrets' });
    expect(probe).toMatchObject({ code: 'QUERY_FAILED', message: 'no such table: o.secrets' });
    expect(JSON.stringify(probe)).not.toContain(OTHER_SECRET);
    await expectIntact();
  });

  it('refuses ATTACH hidden after a comment that names SELECT', async () => {
    const sql = `/* SELECT */ ATTACH DATABASE '${fixture.otherFile}' AS o`;
    expect(await failure({ sql })).toMatchObject({ code: 'QUERY_NOT_READ_ONLY' });
    await expectIntact();
  });

  it('refuses DETACH of a reserved slot', async () => {
    expect(await failure({ sql: 'DETACH reserved_1' })).toMatchObject({
      code: 'QUERY_NOT_READ_ONLY',
    });
    await expectIntact();
  });

  it('refuses VACUUM', async () => {
    expect(await failure({ sql: 'VACUUM' })).toMatchObject({ code: 'QUERY_NOT_READ_ONLY' });
    await expectIntact();
  });

  it('refuses VACUUM INTO a path, and no file appears there', async () => {
    const target = join(fixture.dataRoot, 'copy.db');
    expect(await failure({ sql: `VACUUM INTO '${target}'` })).toMatchObject({
      code: 'QUERY_NOT_READ_ONLY',
    });
    expect(existsSync(target)).toBe(false);
    await expectIntact();
  });

  it('refuses pragma_database_list, which would show the server path of the file', async () => {
    expect(await failure({ sql: 'SELECT file FROM pragma_database_list' })).toMatchObject({
      code: 'QUERY_INVALID',
    });
    await expectIntact();
  });

  it('leaves nothing new in the data root', async () => {
    const before = readdirSync(fixture.dataRoot, { recursive: true }).sort();
    await failure({ sql: `VACUUM INTO '${join(fixture.dataRoot, 'x.db')}'` });
    await failure({ sql: `ATTACH '${join(fixture.dataRoot, 'new.db')}' AS n` });
    expect(readdirSync(fixture.dataRoot, { recursive: true }).sort()).toEqual(before);
    await expectIntact();
  });
});

describe('pragmas', () => {
  it.each([
    'PRAGMA query_only = OFF',
    'PRAGMA writable_schema = ON',
    'PRAGMA journal_mode = DELETE',
    'PRAGMA mmap_size = 1000000',
    'PRAGMA table_info(users)',
  ])('refuses the statement %j with QUERY_NOT_READ_ONLY', async (sql) => {
    expect(await failure({ sql })).toMatchObject({ code: 'QUERY_NOT_READ_ONLY' });
    await expectIntact();
  });

  it('refuses pragma_optimize asked to analyze, because the file is read-only', async () => {
    expect(await failure({ sql: 'SELECT * FROM pragma_optimize(0x10002)' })).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_READONLY',
    });
    await expectIntact();
  });

  it('allows read-only pragma functions and shows query_only still on', async () => {
    const info = await pool
      .forTenant('acme', fixture.file)
      .run({ sql: "SELECT name FROM pragma_table_info('users')" });
    expect(info.rows).toEqual([['id'], ['email'], ['name'], ['created_at']]);
    expect(
      (await pool.forTenant('acme', fixture.file).run({ sql: 'SELECT * FROM pragma_query_only' }))
        .rows,
    ).toEqual([[1]]);
    await expectIntact();
  });
});

describe('transactions', () => {
  it.each(['BEGIN', 'BEGIN IMMEDIATE', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT a', 'RELEASE a'])(
    'refuses %s with QUERY_NOT_READ_ONLY',
    async (sql) => {
      expect(await failure({ sql })).toMatchObject({ code: 'QUERY_NOT_READ_ONLY' });
      await expectIntact();
    },
  );
});

describe('functions with side effects', () => {
  it('refuses load_extension() as not authorized', async () => {
    expect(await failure({ sql: "SELECT load_extension('/tmp/evil.so')" })).toMatchObject({
      code: 'QUERY_FAILED',
      message: 'not authorized',
    });
    await expectIntact();
  });

  it.each(["SELECT writefile('/tmp/x', 'y')", "SELECT readfile('/etc/passwd')", 'SELECT edit(1)'])(
    'finds no file function for %j',
    async (sql) => {
      expect(await failure({ sql })).toMatchObject({
        code: 'QUERY_FAILED',
        message: expect.stringMatching(/^no such function/),
      });
      await expectIntact();
    },
  );

  it('refuses to register an fts3 tokenizer pointer', async () => {
    const sql = "SELECT fts3_tokenizer('simple', x'0000000000000000')";
    expect(await failure({ sql })).toMatchObject({ code: 'QUERY_FAILED' });
    await expectIntact();
  });
});

describe('more than one statement and hidden keywords', () => {
  it.each([
    ['SELECT 1; DROP TABLE users', 'QUERY_MULTIPLE_STATEMENTS'],
    ["SELECT ';'; DELETE FROM users", 'QUERY_MULTIPLE_STATEMENTS'],
    [`SELECT 1; ATTACH 'x.db' AS x`, 'QUERY_MULTIPLE_STATEMENTS'],
    ['SELECT 1;\0DROP TABLE users', 'QUERY_INVALID'],
    ['/* SELECT */ DELETE FROM users', 'QUERY_NOT_READ_ONLY'],
    ['-- SELECT\nDELETE FROM users', 'QUERY_NOT_READ_ONLY'],
    ['/* /* SELECT */ DELETE FROM users */ SELECT 1', 'QUERY_NOT_READ_ONLY'],
    ['\u017fELECT 1', 'QUERY_NOT_READ_ONLY'],
    ['\vSELECT 1', 'QUERY_NOT_READ_ONLY'],
    ['', 'QUERY_INVALID'],
  ])('refuses %j with %s', async (sql, code) => {
    expect(await failure({ sql })).toMatchObject({ code });
    await expectIntact();
  });

  it('accepts one statement followed by a semicolon and a comment', async () => {
    expect(
      (await pool.forTenant('acme', fixture.file).run({ sql: 'SELECT 1 AS one;   -- x' })).rows,
    ).toEqual([[1]]);
    await expectIntact();
  });

  it('fails a parser bomb of nested parentheses cleanly', async () => {
    const sql = `SELECT ${'('.repeat(5_000)}1${')'.repeat(5_000)}`;
    expect(await failure({ sql })).toMatchObject({ code: 'QUERY_FAILED' });
    await expectIntact();
  });
});

describe('enormous outputs', () => {
  it('caps an endless recursive CTE at the row limit', async () => {
    const result = await pool
      .forTenant('acme', fixture.file)
      .run({ sql: `${COUNTER} SELECT x FROM c`, maxRows: 1_000 });
    expect(result.rowCount).toBe(1_000);
    expect(result.rows.at(-1)).toEqual([1_000]);
    expect(result.truncated).toEqual({ reason: 'row_limit' });
    await expectIntact();
  });

  it('caps endless rows of large text at the byte limit', async () => {
    const sql = `${COUNTER} SELECT x, hex(zeroblob(50000)) FROM c`;
    const result = await pool.forTenant('acme', fixture.file).run({ sql, maxRows: 5_000 });
    expect(result.truncated).toEqual({ reason: 'byte_limit' });
    expect(result.rowCount).toBeGreaterThan(0);
    expect(JSON.stringify(result).length).toBeLessThanOrEqual(1_000_000);
    await expectIntact();
  });

  it('shows endless rows of large BLOBs by size and caps them at the row limit', async () => {
    const result = await pool
      .forTenant('acme', fixture.file)
      .run({ sql: `${COUNTER} SELECT randomblob(100000) FROM c` });
    expect(result.rows[0]).toEqual([
      { $blob: { bytes: 100_000, base64Prefix: expect.stringMatching(/^[A-Za-z0-9+/]{64}$/) } },
    ]);
    expect(result.truncated).toEqual({ reason: 'row_limit' });
    expect(JSON.stringify(result).length).toBeLessThan(50_000);
    await expectIntact();
  });

  it('fails a value beyond SQLite length limit with SQLITE_TOOBIG', async () => {
    expect(await failure({ sql: 'SELECT zeroblob(2000000000)' })).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_TOOBIG',
    });
    await expectIntact();
  });

  it('fails a value beyond the worker memory cap with SQLITE_NOMEM', async () => {
    expect(await failure({ sql: 'SELECT randomblob(500000000)' })).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_NOMEM',
    });
    await expectIntact();
  });

  it('fails a sort too large for the memory cap instead of spilling to disk', async () => {
    const rows = `${COUNTER} SELECT x, randomblob(200) AS b FROM c LIMIT 3000000`;
    const sql = `SELECT count(*) FROM (SELECT x FROM (${rows}) ORDER BY b)`;
    expect(await failure({ sql })).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_NOMEM',
    });
    await expectIntact();
  });
});

describe('queries that never end', () => {
  it('stops a billion-row cross join aggregate with QUERY_TIMEOUT', async () => {
    const sql = `${THOUSAND} SELECT count(*) FROM c a, c b, c d`;
    expect(await failure({ sql, timeoutMs: 200 })).toMatchObject({ code: 'QUERY_TIMEOUT' });
    await expectIntact();
  });

  it('stops an endless recursive CTE aggregate and leaves no read transaction open', async () => {
    const sql = `${COUNTER} SELECT count(*) FROM c`;
    expect(await failure({ sql, timeoutMs: 200 })).toMatchObject({ code: 'QUERY_TIMEOUT' });
    await expectIntact();
    fixture.host.prepare("INSERT INTO users VALUES ('u4', 'd@example.com', 'D', 0)").run();
    const [checkpoint] = fixture.host.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    expect(checkpoint?.busy).toBe(0);
  });
});
