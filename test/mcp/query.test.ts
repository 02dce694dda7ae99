import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestRoot, testConfig, type TestRoot } from '../support/demo-root.js';
import { connectTenant, textOf, tokenFor, type Connected } from '../support/mcp-client.js';

const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

let root: TestRoot;
let conn: Connected;

beforeAll(async () => {
  root = buildTestRoot();
  const config = testConfig(root.root, { query: { workers: 1 } });
  conn = await connectTenant(config, tokenFor(root.tenants[0]!.id));
});

afterAll(async () => {
  await conn.close();
  root.remove();
});

function digest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('the query tool', () => {
  it('leaves the tenant file byte-for-byte unchanged when a write is attempted', async () => {
    const file = root.tenants[0]!.file;
    const before = digest(file);
    for (const sql of [
      'DELETE FROM users',
      'WITH x AS (SELECT 1) INSERT INTO pm_projects (id) SELECT 1',
      "ATTACH 'x.db' AS x",
      'SELECT 1; DROP TABLE users',
    ]) {
      const result = await conn.call('query', { sql });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^QUERY_(NOT_READ_ONLY|MULTIPLE_STATEMENTS): /);
    }
    expect(digest(file)).toBe(before);
  });

  it('stops a query the client cancels and keeps serving on its one worker', async () => {
    const controller = new AbortController();
    const call = conn.client.callTool(
      { name: 'query', arguments: { sql: ENDLESS, timeoutMs: 20_000 } },
      undefined,
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 200);
    await expect(call).rejects.toThrow();
    const next = await conn.call('query', { sql: 'SELECT 42 AS n', timeoutMs: 5_000 });
    expect(next.structuredContent).toMatchObject({ rows: [[42]] });
  });
});
