import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestRoot, testConfig, type TestRoot } from '../support/demo-root.js';
import { connectTenant, textOf, tokenFor, type Connected } from '../support/mcp-client.js';

let root: TestRoot;
let conn: Connected;
let db: Database.Database;

beforeAll(async () => {
  root = buildTestRoot();
  const tenant = root.tenants[0]!;
  conn = await connectTenant(testConfig(root.root), tokenFor(tenant.id));
  db = new Database(tenant.file, { readonly: true });
});

afterAll(async () => {
  db.close();
  await conn.close();
  root.remove();
});

describe('list_tables', () => {
  it('lists every table and view of the file, and no FTS shadow tables', async () => {
    const result = await conn.call('list_tables');
    const names = (result.structuredContent as { tables: { name: string }[] }).tables.map(
      (t) => t.name,
    );
    const expected = db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')
           AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'session\\_notes\\_fts\\_%' ESCAPE '\\'
         ORDER BY name`,
      )
      .pluck()
      .all();
    expect(names).toEqual(expected);
    expect(names).toContain('session_notes_fts');
    expect(names).not.toContain('session_notes_fts_data');
  });

  it('counts the rows of each small table exactly and groups pm_ tables apart', async () => {
    const result = await conn.call('list_tables');
    const tables = (result.structuredContent as { tables: Record<string, unknown>[] }).tables;
    const users = tables.find((t) => t.name === 'users');
    const items = tables.find((t) => t.name === 'pm_work_items');
    const view = tables.find((t) => t.name === 'active_enrollments');
    expect(users).toMatchObject({ kind: 'table', group: 'platform' });
    expect(users?.rowCount).toBe(db.prepare('SELECT count(*) FROM users').pluck().get());
    expect(items).toMatchObject({ kind: 'table', group: 'pm' });
    expect(items?.rowCount).toBe(db.prepare('SELECT count(*) FROM pm_work_items').pluck().get());
    expect(view).toMatchObject({ kind: 'view', rowCount: null });
    expect(textOf(result)).toContain('pm_work_items (table, pm, ');
  });
});

describe('describe_table', () => {
  it('gives the columns, foreign keys and indexes of pm_work_items', async () => {
    const result = await conn.call('describe_table', { table: 'pm_work_items' });
    const detail = result.structuredContent as {
      columns: { name: string; notNull: boolean; primaryKey: number }[];
      foreignKeys: { table: string; columns: string[] }[];
      indexes: { name: string }[];
    };
    const columns = db
      .prepare('SELECT name FROM pragma_table_info(?)')
      .pluck()
      .all('pm_work_items');
    expect(detail.columns.map((c) => c.name)).toEqual(columns);
    expect(detail.columns.find((c) => c.name === 'title')?.notNull).toBe(true);
    expect(detail.columns.find((c) => c.name === 'id')?.primaryKey).toBe(1);
    expect(detail.foreignKeys).toContainEqual(
      expect.objectContaining({ table: 'pm_projects', columns: ['project_id'] }),
    );
    const indexes = db
      .prepare('SELECT name FROM pragma_index_list(?)')
      .pluck()
      .all('pm_work_items');
    expect(detail.indexes.map((i) => i.name).sort()).toEqual([...indexes].sort());
  });

  it('describes a table whose name needs quoting, and marks generated columns', async () => {
    const tags = await conn.call('describe_table', { table: 'client tags' });
    expect(tags.isError).toBeFalsy();
    expect(
      (tags.structuredContent as { columns: { name: string }[] }).columns.map((c) => c.name),
    ).toContain('group');
    const invoices = await conn.call('describe_table', { table: 'invoices' });
    const total = (
      invoices.structuredContent as { columns: { name: string; generated: boolean }[] }
    ).columns.find((c) => c.name === 'total_cents');
    expect(total?.generated).toBe(true);
  });

  it('answers an unknown or hostile name with TABLE_NOT_FOUND and a hint', async () => {
    for (const table of ['nope', 'users; DROP TABLE users', '../../etc/passwd', 'sqlite_schema']) {
      const result = await conn.call('describe_table', { table });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^TABLE_NOT_FOUND: .*\nHint: call list_tables/);
    }
  });
});

describe('the schema resource', () => {
  it('is listed and reads as Markdown with pm_ tables before platform tables', async () => {
    const { resources } = await conn.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('tenant://schema');
    const read = await conn.client.readResource({ uri: 'tenant://schema' });
    const text = (read.contents[0] as { text: string }).text;
    expect(text).toContain(`# Schema of tenant ${root.tenants[0]!.id}`);
    expect(text.indexOf('### pm_work_items')).toBeGreaterThan(0);
    expect(text.indexOf('### pm_work_items')).toBeLessThan(text.indexOf('### users'));
    expect(text).toContain('- FK (project_id) → pm_projects(id)');
  });
});

describe('an expired token', () => {
  it('is refused on the next call with TOKEN_EXPIRED', async () => {
    const tenant = root.tenants[0]!;
    const expired = await connectTenant(
      testConfig(root.root),
      tokenFor(tenant.id, Date.now() / 1000 - 120),
    );
    try {
      const result = await expired.call('list_tables');
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^TOKEN_EXPIRED: /);
      await expect(expired.client.readResource({ uri: 'tenant://schema' })).rejects.toThrow(
        /TOKEN_EXPIRED: token has expired/,
      );
    } finally {
      await expired.close();
    }
  });
});
