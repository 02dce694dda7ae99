import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESCRIBED_TABLES_CAP,
  INDEXES_PER_TABLE_CAP,
  LISTED_TABLES_CAP,
} from '../../src/schema/introspect.js';
import { MAX_SCHEMA_BYTES } from '../../src/schema/overview.js';
import { textOf } from '../support/mcp-client.js';
import { data, openFixture, resourceText, visibleTables, type Fixture } from './fixture.js';

interface Listed {
  tables: { name: string; group: string }[];
  truncated?: boolean;
  tableCount?: number;
  note?: string;
}

interface SchemaJson {
  truncated?: boolean;
  tableCount?: number;
  note?: string;
  pm: { name: string; columns: unknown[] }[];
  platform: { name: string }[];
  notDescribed?: { name: string }[];
}

// Each makes a table, an index and a view: 3,600 schema objects beside the demo's.
const WIDE = 1200;
const INDEXED = 120;

let f: Fixture;
let demoTables: string[];

beforeAll(async () => {
  f = await openFixture({
    prepare: (db) => {
      demoTables = visibleTables(db);
      const name = (i: number) => `wide_${String(i).padStart(4, '0')}`;
      db.transaction(() => {
        for (let i = 0; i < WIDE; i++) {
          db.exec(`CREATE TABLE ${name(i)} (id INTEGER PRIMARY KEY, label TEXT, size INTEGER);
            CREATE INDEX ${name(i)}_label ON ${name(i)} (label);
            CREATE VIEW ${name(i)}_view AS SELECT id, label FROM ${name(i)} WHERE size > 0;`);
        }
        db.exec('CREATE TABLE indexed (id INTEGER PRIMARY KEY, a TEXT, b TEXT)');
        for (let i = 0; i < INDEXED; i++) db.exec(`CREATE INDEX indexed_${i} ON indexed (a, b)`);
      })();
    },
  });
});

afterAll(async () => {
  await f.close();
});

function total(): number {
  return demoTables.length + 2 * WIDE + 1;
}

describe('a tenant with thousands of tables and views', () => {
  it('list_tables names at most the cap, pm_ tables first, and says how to reach the rest', async () => {
    const result = await f.conn.call('list_tables');
    const listed = data<Listed>(result);

    expect(listed.tables).toHaveLength(LISTED_TABLES_CAP);
    expect(listed.truncated).toBe(true);
    expect(listed.tableCount).toBe(total());
    const pm = demoTables.filter((n) => n.startsWith('pm_'));
    expect(listed.tables.filter((t) => t.group === 'pm').map((t) => t.name)).toEqual(pm);
    expect(listed.note).toContain(`${LISTED_TABLES_CAP} of ${total()} tables and views listed`);
    expect(listed.note).toContain('FROM sqlite_schema');
    expect(textOf(result)).toContain(listed.note!);
  });

  it('lists at most the cap of table resources, and completes at most 100 names', async () => {
    const { resources } = await f.conn.client.listResources();
    const { completion } = await f.conn.client.complete({
      ref: { type: 'ref/resource', uri: 'tenant://tables/{name}' },
      argument: { name: 'name', value: 'WIDE_' },
    });

    const tables = resources.filter((r) => r.uri.startsWith('tenant://tables/'));
    expect(tables).toHaveLength(LISTED_TABLES_CAP);
    expect(completion.values).toHaveLength(100);
    expect(completion.values[0]).toBe('wide_0000');
    expect(completion.hasMore).toBe(true);
  });

  it('tenant://schema describes the pm_ tables first within the byte cap and counts the rest', async () => {
    const text = await resourceText(f, 'tenant://schema');

    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_SCHEMA_BYTES);
    expect(text).toContain(`This tenant has ${total()} tables and views; `);
    expect(text).toContain('Call describe_table (or read tenant://tables/{name}) for one table');
    expect(text).toContain('### pm_projects (table, ');
    expect(text).toContain('## Not described here (names only)');
    const described = text.match(/^### /gm)?.length ?? 0;
    expect(described).toBeGreaterThan(demoTables.filter((n) => n.startsWith('pm_')).length);
    expect(described).toBeLessThanOrEqual(DESCRIBED_TABLES_CAP);
  });

  it('tenant://schema.json is truncated, flagged and within the byte cap', async () => {
    const text = await resourceText(f, 'tenant://schema.json');
    const json = JSON.parse(text) as SchemaJson;

    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_SCHEMA_BYTES);
    expect(json.truncated).toBe(true);
    expect(json.tableCount).toBe(total());
    expect(json.note).toContain(`This tenant has ${total()} tables and views; `);
    expect(json.pm.map((t) => t.name)).toEqual(demoTables.filter((n) => n.startsWith('pm_')));
    expect(json.pm[0]?.columns.length).toBeGreaterThan(0);
    const shown = json.pm.length + json.platform.length + (json.notDescribed?.length ?? 0);
    expect(shown).toBeLessThanOrEqual(LISTED_TABLES_CAP);
  });

  it('describe_table still describes a view that no listing names', async () => {
    const result = await f.conn.call('describe_table', { table: 'wide_1199_view' });

    expect(data<{ kind: string; columns: { name: string }[] }>(result)).toMatchObject({
      kind: 'view',
      columns: [{ name: 'id' }, { name: 'label' }],
    });
  });

  it('describe_table gives at most the cap of one table indexes and says so', async () => {
    const result = await f.conn.call('describe_table', { table: 'indexed' });
    const detail = data<{ indexes: unknown[]; indexesTruncated?: boolean }>(result);

    expect(detail.indexes).toHaveLength(INDEXES_PER_TABLE_CAP);
    expect(detail.indexesTruncated).toBe(true);
    expect(textOf(result)).toContain(`only the first ${INDEXES_PER_TABLE_CAP} indexes`);
  });
});
