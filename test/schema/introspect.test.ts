import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openReadOnly, type Connection } from '../../src/db/open.js';
import {
  describeTable,
  describeTables,
  listTables,
  ROW_COUNT_CAP,
} from '../../src/schema/introspect.js';
import { schemaOverviewMarkdown, tableDetailMarkdown } from '../../src/schema/overview.js';

let dir: string;
let file: string;
let db: Connection | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenant-mcp-introspect-'));
  file = join(dir, 'main.db');
});

afterEach(() => {
  db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the tenant file with `sql`, then opens it the way the server does. */
function tenantWith(sql: string): Connection {
  const writer = new Database(file);
  writer.exec(sql);
  writer.close();
  db = openReadOnly(file, 'acme', 0);
  return db;
}

/** SQL creating table `name` holding `rows` rows, made by a recursive CTE. */
function tableOf(name: string, rows: number): string {
  return `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, body TEXT);
    WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
    INSERT INTO ${name} (body) SELECT 'row ' || i FROM n WHERE ${rows} > 0;`;
}

function summaryOf(conn: Connection, name: string) {
  return listTables(conn).tables.find((t) => t.name === name);
}

describe('listTables', () => {
  it('counts a table of 50,000 rows only up to the cap and says the count is a lower bound', () => {
    const conn = tenantWith(tableOf('events', 50_000));

    expect(summaryOf(conn, 'events')).toEqual({
      name: 'events',
      kind: 'table',
      group: 'platform',
      rowCount: ROW_COUNT_CAP,
      rowCountIsLowerBound: true,
    });
  });

  it('counts a table of exactly the cap exactly, and one row more as a lower bound', () => {
    const conn = tenantWith(
      tableOf('at_cap', ROW_COUNT_CAP) + tableOf('over_cap', ROW_COUNT_CAP + 1),
    );

    expect(summaryOf(conn, 'at_cap')).toEqual({
      name: 'at_cap',
      kind: 'table',
      group: 'platform',
      rowCount: ROW_COUNT_CAP,
    });
    expect(summaryOf(conn, 'over_cap')).toMatchObject({
      rowCount: ROW_COUNT_CAP,
      rowCountIsLowerBound: true,
    });
  });

  it('counts small tables exactly and leaves views uncounted', () => {
    const conn = tenantWith(
      `${tableOf('pm_notes', 7)}${tableOf('empty', 0)}
       CREATE VIEW note_bodies AS SELECT body FROM pm_notes;`,
    );

    expect(listTables(conn)).toEqual({
      total: 3,
      tables: [
        { name: 'empty', kind: 'table', group: 'platform', rowCount: 0 },
        { name: 'note_bodies', kind: 'view', group: 'platform', rowCount: null },
        { name: 'pm_notes', kind: 'table', group: 'pm', rowCount: 7 },
      ],
    });
  });

  it('counts later tables only up to 100 rows once one listing has counted 100,000', () => {
    const big = Array.from({ length: 12 }, (_, i) => `big${String(i + 1).padStart(2, '0')}`);
    const conn = tenantWith(
      big.map((name) => tableOf(name, ROW_COUNT_CAP + 1)).join('') +
        tableOf('zz_mid', 150) +
        tableOf('zz_small', 100),
    );

    const counts = listTables(conn).tables.map((t) => [t.name, t.rowCount, t.rowCountIsLowerBound]);

    expect(counts).toEqual([
      ...big.slice(0, 10).map((name) => [name, ROW_COUNT_CAP, true]),
      ['big11', 100, true],
      ['big12', 100, true],
      ['zz_mid', 100, true],
      ['zz_small', 100, undefined],
    ]);
  });
});

describe('tables and row counts kept between listings', () => {
  it('are counted again once the host has committed', () => {
    const conn = tenantWith(tableOf('notes', 3));
    expect(summaryOf(conn, 'notes')?.rowCount).toBe(3);

    const host = new Database(file);
    host.exec("INSERT INTO notes (body) VALUES ('new')");
    host.close();

    expect(summaryOf(conn, 'notes')?.rowCount).toBe(4);
    expect(describeTable(conn, 'notes').rowCount).toBe(4);
  });

  it('list a table the host created after the last listing', () => {
    const conn = tenantWith(tableOf('notes', 3));
    expect(listTables(conn).tables.map((t) => t.name)).toEqual(['notes']);

    const host = new Database(file);
    host.exec(
      'CREATE TABLE pm_later (id INTEGER PRIMARY KEY); INSERT INTO pm_later DEFAULT VALUES',
    );
    host.close();

    expect(listTables(conn).tables.map((t) => [t.name, t.rowCount])).toEqual([
      ['notes', 3],
      ['pm_later', 1],
    ]);
  });
});

describe('describeTable', () => {
  it('counts one big table up to the cap, with its columns', () => {
    const conn = tenantWith(tableOf('events', 50_000));

    const detail = describeTable(conn, 'events');

    expect(detail).toMatchObject({ rowCount: ROW_COUNT_CAP, rowCountIsLowerBound: true });
    expect(detail.columns.map((c) => c.name)).toEqual(['id', 'body']);
    expect(tableDetailMarkdown(detail)).toContain(`# events (table, ${ROW_COUNT_CAP}+ rows)`);
  });
});

describe('describeTables', () => {
  it('describes every table with the listing counts, leaving out a view that fails', () => {
    const conn = tenantWith(
      `${tableOf('events', 50_000)}${tableOf('notes', 3)}
       CREATE VIEW broken AS SELECT gone FROM notes;`,
    );

    const { tables: details, namedOnly } = describeTables(conn);

    expect(details.map((t) => [t.name, t.rowCount, t.rowCountIsLowerBound])).toEqual([
      ['events', ROW_COUNT_CAP, true],
      ['notes', 3, undefined],
    ]);
    expect(details[1]?.sql).toContain('CREATE TABLE notes');
    expect(namedOnly).toEqual([{ name: 'broken', kind: 'view', group: 'platform' }]);
  });

  it('writes capped counts as N+ in the schema overview, with how to count exactly', () => {
    const conn = tenantWith(`${tableOf('events', 50_000)}${tableOf('notes', 3)}`);

    const markdown = schemaOverviewMarkdown(conn, 'acme');

    expect(markdown).toContain(`### events (table, ${ROW_COUNT_CAP}+ rows)`);
    expect(markdown).toContain('### notes (table, 3 rows)');
    expect(markdown).toContain('For an exact count run SELECT count(*) with the query tool.');
  });

  it('says nothing about the cap when every table was counted exactly', () => {
    const conn = tenantWith(tableOf('notes', 3));

    expect(schemaOverviewMarkdown(conn, 'acme')).not.toContain('exact count');
  });
});

describe('a listing of a wide or full-text tenant', () => {
  it('leaves out FTS shadow tables but keeps a table merely named like one', () => {
    const conn = tenantWith(
      `CREATE VIRTUAL TABLE notes USING fts5(body);
       ${tableOf('notes_archive', 2)}`,
    );

    expect(listTables(conn).tables.map((t) => [t.name, t.kind, t.rowCount])).toEqual([
      ['notes', 'virtual', null],
      ['notes_archive', 'table', 2],
    ]);
    expect(() => describeTable(conn, 'notes_content')).toThrow('no such table or view');
  });

  it('lists pm_ tables first up to the cap, by name, and counts all of them', () => {
    const conn = tenantWith(
      tableOf('alpha', 1) + tableOf('beta', 1) + tableOf('pm_b', 1) + tableOf('pm_a', 1),
    );

    const listing = listTables(conn, 3);

    expect(listing.tables.map((t) => t.name)).toEqual(['alpha', 'pm_a', 'pm_b']);
    expect(listing.total).toBe(4);
  });

  it('describes the first tables and names the others', () => {
    const conn = tenantWith(tableOf('alpha', 1) + tableOf('beta', 1) + tableOf('pm_a', 1));

    const schema = describeTables(conn, 2);

    expect(schema.tables.map((t) => t.name)).toEqual(['alpha', 'pm_a']);
    expect(schema.namedOnly).toEqual([{ name: 'beta', kind: 'table', group: 'platform' }]);
    expect(schema.total).toBe(3);
  });

  it('cuts the schema overview at the byte cap with a note', () => {
    const columns = Array.from({ length: 200 }, (_, i) => `column_${i} TEXT`).join(', ');
    const conn = tenantWith(`CREATE TABLE pm_wide (${columns});`);

    const text = schemaOverviewMarkdown(conn, 'acme', 2000);

    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2000);
    expect(text).toContain('This tenant has 1 tables and views; 0 are described here');
    expect(text).toContain('- pm_wide (table, pm)');
  });
});
