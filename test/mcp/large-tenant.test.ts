import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_PROCESS_ROWS } from '../../src/domain/work-item.js';
import { ROW_COUNT_CAP } from '../../src/schema/introspect.js';
import { textOf } from '../support/mcp-client.js';
import { data, openFixture, type Fixture } from './fixture.js';

interface Summary {
  name: string;
  rowCount: number | null;
  rowCountIsLowerBound?: boolean;
}

const BIG_ROWS = 50_000;
const MANY_COMMENTS = IN_PROCESS_ROWS + 500;

let f: Fixture;
let hotItem: string;

beforeAll(async () => {
  f = await openFixture({
    // A host table far beyond the cap, and one work item with a long discussion, both filled
    // quickly by recursive CTEs.
    prepare: (db) => {
      db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL);
        WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BIG_ROWS})
        INSERT INTO events (kind) SELECT 'login' FROM n;`);
      const item = db
        .prepare(
          `SELECT w.id, p.key || '-' || w.item_number AS label FROM pm_work_items w
             JOIN pm_projects p ON p.id = w.project_id
           WHERE w.deleted_at IS NULL AND p.deleted_at IS NULL ORDER BY w.id LIMIT 1`,
        )
        .get() as { id: string; label: string };
      hotItem = item.label;
      db.prepare(
        `WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
         INSERT INTO pm_comments (id, work_item_id, content, created_at, updated_at)
         SELECT 'many-' || i, :item, 'note ' || i, 1900000000 + i, 1900000000 + i FROM n`,
      ).run({ item: item.id, count: MANY_COMMENTS });
    },
  });
});

afterAll(async () => {
  await f.close();
});

async function read(uri: string): Promise<string> {
  const result = await f.conn.client.readResource({ uri });
  return (result.contents[0] as { text: string }).text;
}

describe('row counts of a tenant with a large table', () => {
  it('list_tables counts the large table up to the cap and marks it a lower bound', async () => {
    const result = await f.conn.call('list_tables');
    const { tables } = data<{ tables: Summary[] }>(result);

    expect(tables.find((t) => t.name === 'events')).toEqual({
      name: 'events',
      kind: 'table',
      group: 'platform',
      rowCount: ROW_COUNT_CAP,
      rowCountIsLowerBound: true,
    });
    const users = tables.find((t) => t.name === 'users');
    expect(users?.rowCount).toBe(f.db.prepare('SELECT count(*) FROM users').pluck().get());
    expect(users?.rowCountIsLowerBound).toBeUndefined();
    expect(textOf(result)).toContain(`events (table, platform, ${ROW_COUNT_CAP}+ rows)`);
    expect(textOf(result)).toContain('SELECT count(*) with the query tool counts exactly');
  });

  it('describe_table gives the same bound', async () => {
    const result = await f.conn.call('describe_table', { table: 'events' });

    expect(data<Summary>(result)).toMatchObject({
      rowCount: ROW_COUNT_CAP,
      rowCountIsLowerBound: true,
    });
    expect(textOf(result).split('\n')[0]).toBe(`events (table, platform, ${ROW_COUNT_CAP}+ rows)`);
  });

  it('the query tool still counts the large table exactly', async () => {
    const result = await f.conn.call('query', { sql: 'SELECT count(*) AS n FROM events' });

    expect(data<{ rows: unknown[][] }>(result).rows).toEqual([[BIG_ROWS]]);
  });

  it('the schema resources show the bound', async () => {
    const json = JSON.parse(await read('tenant://schema.json')) as { platform: Summary[] };
    const markdown = await read('tenant://schema');
    const table = await read('tenant://tables/events');

    expect(json.platform.find((t) => t.name === 'events')).toMatchObject({
      rowCount: ROW_COUNT_CAP,
      rowCountIsLowerBound: true,
    });
    expect(markdown).toContain(`### events (table, ${ROW_COUNT_CAP}+ rows)`);
    expect(table).toContain(`# events (table, ${ROW_COUNT_CAP}+ rows)`);
    expect(table).toContain('For an exact count run SELECT count(*) with the query tool.');
  });

  it('tells the model in the tool descriptions how to get an exact count', async () => {
    const { tools } = await f.conn.client.listTools();

    for (const name of ['list_tables', 'describe_table']) {
      const tool = tools.find((t) => t.name === name);
      expect(tool?.description, name).toContain(`counted up to ${ROW_COUNT_CAP}`);
      expect(tool?.description, name).toContain('for exact counts use the query tool');
    }
  });
});

describe('a work item with a long discussion', () => {
  it('counts all its comments and gives the latest, read in the query pool', async () => {
    const live = f.db
      .prepare(
        `SELECT count(*) FROM pm_comments c JOIN pm_work_items w ON w.id = c.work_item_id
           JOIN pm_projects p ON p.id = w.project_id
         WHERE p.key || '-' || w.item_number = ? AND c.deleted_at IS NULL`,
      )
      .pluck()
      .get(hotItem);

    const result = await f.conn.call('work_item', { key: hotItem, comments: 2 });
    const detail = data<{ commentCount: number; comments: { text: string }[] }>(result);

    expect(detail.commentCount).toBe(live);
    expect(detail.comments.map((c) => c.text)).toEqual([
      `note ${MANY_COMMENTS}`,
      `note ${MANY_COMMENTS - 1}`,
    ]);
  });
});
