import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, testConfig } from '../support/demo-root.js';
import { connectTenant, tokenFor } from '../support/mcp-client.js';
import { openFixture, resourceText, visibleTables, type Fixture } from './fixture.js';

interface SchemaJson {
  tenant: string;
  pm: { name: string; kind: string; rowCount: number | null; indexes: unknown[] }[];
  platform: { name: string; kind: string; rowCount: number | null; sql: string | null }[];
}

const HIDDEN_TITLE = 'A deleted rule that must not show';

let f: Fixture;

beforeAll(async () => {
  f = await openFixture({
    // A soft-deleted row of top priority must not appear in any guidance.
    prepare: (db) => {
      db.prepare(
        `INSERT INTO pm_llm_context (id, context_type, category, title, content, priority,
           created_at, updated_at, deleted_at)
         VALUES ('deleted-guidance', 'instruction', 'test', ?, 'gone', 1000, 1, 1, 2)`,
      ).run(HIDDEN_TITLE);
    },
  });
});

afterAll(async () => {
  await f.close();
});

describe('tenant://schema.json', () => {
  it('groups tables and views as pm and platform, with exact row counts and no FTS shadows', async () => {
    const schema = JSON.parse(await resourceText(f, 'tenant://schema.json')) as SchemaJson;
    expect(schema.tenant).toBe(f.tenantId);
    const names = [...schema.pm, ...schema.platform].map((t) => t.name).sort();
    expect(names).toEqual(visibleTables(f.db));
    expect(names).not.toContain('session_notes_fts_data');
    expect(schema.pm.every((t) => t.name.startsWith('pm_'))).toBe(true);
    const items = schema.pm.find((t) => t.name === 'pm_work_items')!;
    expect(items.rowCount).toBe(f.db.prepare('SELECT count(*) FROM pm_work_items').pluck().get());
    expect(items.indexes.length).toBeGreaterThan(0);
    const view = schema.platform.find((t) => t.name === 'active_enrollments')!;
    expect(view).toMatchObject({ kind: 'view', rowCount: null });
    expect(view.sql).toMatch(/^CREATE VIEW/);
  });
});

describe('tenant://tables/{name}', () => {
  it('lists one resource per table and view', async () => {
    const { resources } = await f.conn.client.listResources();
    const tables = resources.filter((r) => r.uri.startsWith('tenant://tables/'));
    expect(tables.map((r) => r.name).sort()).toEqual(visibleTables(f.db));
    expect(tables.find((r) => r.name === 'client tags')?.uri).toBe('tenant://tables/client%20tags');
  });

  it('reads a table whose name needs quoting, with its keys and indexes', async () => {
    const text = await resourceText(f, 'tenant://tables/client%20tags');
    expect(text).toMatch(/^# client tags \(table, \d+ rows\)/);
    expect(text).toContain('- FK (client_id) → clients(id)');
    expect(text).toContain('INDEX');
  });

  it('completes table names from their first letters', async () => {
    const { completion } = await f.conn.client.complete({
      ref: { type: 'ref/resource', uri: 'tenant://tables/{name}' },
      argument: { name: 'name', value: 'PM_T' },
    });
    expect(completion.values).toEqual(visibleTables(f.db).filter((n) => n.startsWith('pm_t')));
  });

  it('refuses names that are not tables, whatever they hold', async () => {
    for (const uri of [
      'tenant://tables/nope',
      'tenant://tables/sqlite_schema',
      'tenant://tables/%E0%A4%A',
      'tenant://tables/users%3B%20DROP%20TABLE%20users',
    ]) {
      await expect(resourceText(f, uri), uri).rejects.toThrow(/TABLE_NOT_FOUND/);
    }
  });
});

interface Rule {
  type: string;
  title: string;
}

function liveGuidance(type?: string): Rule[] {
  return f.db
    .prepare(
      `SELECT context_type AS type, title FROM pm_llm_context
       WHERE deleted_at IS NULL AND (@type IS NULL OR context_type = @type)
       ORDER BY priority DESC, title`,
    )
    .all({ type: type ?? null }) as Rule[];
}

function titlesIn(markdown: string): string[] {
  return [...markdown.matchAll(/^### (.+)$/gm)].map((m) => m[1]!);
}

describe('tenant://guidance', () => {
  it('groups live rows by type, the type with the highest priority first', async () => {
    const text = await resourceText(f, 'tenant://guidance');
    const rows = liveGuidance();
    const typeOrder = [...new Set(rows.map((r) => r.type))];
    const expected = typeOrder.flatMap((t) => rows.filter((r) => r.type === t).map((r) => r.title));
    expect(titlesIn(text)).toEqual(expected);
    expect(text).not.toContain(HIDDEN_TITLE);
    expect(text.indexOf('## Instructions')).toBeLessThan(text.indexOf('## Business rules'));
  });

  it('serves each type on its own, listed and completed', async () => {
    for (const type of ['instruction', 'business_rule', 'query_pattern']) {
      const text = await resourceText(f, `tenant://guidance/${type}`);
      expect(titlesIn(text)).toEqual(liveGuidance(type).map((r) => r.title));
    }
    const { resources } = await f.conn.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('tenant://guidance/query_pattern');
    const { completion } = await f.conn.client.complete({
      ref: { type: 'ref/resource', uri: 'tenant://guidance/{type}' },
      argument: { name: 'type', value: 'q' },
    });
    expect(completion.values).toEqual(['query_pattern']);
    await expect(resourceText(f, 'tenant://guidance/nonsense')).rejects.toThrow(/NOT_FOUND/);
  });

  it('survives a tenant file without pm_llm_context', async () => {
    const bare = await openFixture({
      tenant: 1,
      prepare: (db) => db.exec('DROP TABLE pm_llm_context'),
      config: (root) => testConfig(root, { migrations: { dir: MIGRATIONS_DIR, onStartup: false } }),
    });
    try {
      expect(await resourceText(bare, 'tenant://guidance')).toContain('no guidance rows');
      const { resources } = await bare.conn.client.listResources();
      expect(resources.some((r) => r.uri.startsWith('tenant://guidance/'))).toBe(false);
      const prompt = await bare.conn.client.getPrompt({
        name: 'project_report',
        arguments: { project: 'APP' },
      });
      expect(JSON.stringify(prompt.messages)).toContain('project_status');
    } finally {
      await bare.close();
    }
  });
});

describe('an expired token', () => {
  it('is refused by resources and prompts too', async () => {
    const expired = await connectTenant(
      testConfig(f.root.root),
      tokenFor(f.tenantId, Date.now() / 1000 - 120),
    );
    try {
      await expect(expired.client.readResource({ uri: 'tenant://guidance' })).rejects.toThrow(
        /TOKEN_EXPIRED/,
      );
      await expect(expired.client.readResource({ uri: 'tenant://tables/users' })).rejects.toThrow(
        /TOKEN_EXPIRED/,
      );
      await expect(
        expired.client.getPrompt({ name: 'project_report', arguments: { project: 'SPRING' } }),
      ).rejects.toThrow(/TOKEN_EXPIRED/);
    } finally {
      await expired.close();
    }
  });
});
