import { TenantMcpError } from '../errors.js';
import { quoteIdentifier, type Connection, prepared } from '../db/open.js';

export type TableKind = 'table' | 'view' | 'virtual';
export type TableGroup = 'platform' | 'pm';

/** One user-visible table or view of a tenant file. */
export interface TableSummary {
  name: string;
  kind: TableKind;
  group: TableGroup;
  /**
   * Rows of an ordinary table, counted up to a cap (see `ROW_COUNT_CAP`); null for views and
   * virtual tables, whose counting may run any amount of SQL.
   */
  rowCount: number | null;
  /** Present when the table has more rows than `rowCount`: counting stopped at the cap. */
  rowCountIsLowerBound?: true;
}

/**
 * The most rows one table is counted to. Counting runs on the server's only thread, which
 * serves every tenant: an exact count(*) of a table of millions of rows stalled them all.
 */
export const ROW_COUNT_CAP = 10_000;

// Once one listing has counted this many rows, each further table is counted up to
// COUNT_FLOOR only, so that many big tables cannot multiply the cap.
const LISTING_BUDGET = 100_000;
const COUNT_FLOOR = 100;

export interface ColumnInfo {
  name: string;
  type: string;
  notNull: boolean;
  defaultValue: string | null;
  /** 1-based position in the primary key, 0 when not part of it. */
  primaryKey: number;
  generated: boolean;
}

export interface ForeignKeyInfo {
  columns: string[];
  table: string;
  to: string[];
  onDelete: string;
  onUpdate: string;
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  partial: boolean;
  columns: string[];
}

/** A visible table or view named without counting its rows. */
export type TableRef = Pick<TableSummary, 'name' | 'kind' | 'group'>;

export interface TableDetail extends TableSummary {
  columns: ColumnInfo[];
  foreignKeys: ForeignKeyInfo[];
  indexes: IndexInfo[];
  sql: string | null;
}

interface TableListRow {
  name: string;
  type: string;
}

/** The `pm_` prefix marks the plugin's tables, which this server owns. */
export function groupOf(name: string): TableGroup {
  return name.startsWith('pm_') ? 'pm' : 'platform';
}

/**
 * Tables and views of the main database, without SQLite's own and FTS shadow tables. Rows
 * are counted within a budget: see `TableSummary.rowCount`.
 */
export function listTables(db: Connection): TableSummary[] {
  const count = rowCounter(db, LISTING_BUDGET);
  return visibleTables(db).map((row) => ({ ...refOf(row), ...count(row) }));
}

/** Tables and views like `listTables`, without the row counts. */
export function listTableNames(db: Connection): TableRef[] {
  return visibleTables(db).map(refOf);
}

/** Full description of one table or view; a name that does not exist is TABLE_NOT_FOUND. */
export function describeTable(db: Connection, name: string): TableDetail {
  const row = findTable(db, name);
  const sql = prepared(db, 'SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(row.name);
  const summary = { ...refOf(row), ...rowCounter(db, ROW_COUNT_CAP)(row) };
  return detailOf(db, summary, (sql as string | null | undefined) ?? null);
}

/**
 * Every table and view described, rows counted as `listTables` counts them; one that cannot
 * be described (a host view that no longer compiles) is left out rather than hiding the rest.
 */
export function describeTables(db: Connection): TableDetail[] {
  const sqlOf = schemaSql(db);
  return listTables(db).flatMap((t) => detailOrSkip(db, t, sqlOf.get(t.name) ?? null) ?? []);
}

function detailOrSkip(db: Connection, t: TableSummary, sql: string | null): TableDetail | null {
  try {
    return detailOf(db, t, sql);
  } catch {
    return null;
  }
}

// One read of sqlite_schema for all tables, rather than one scan of it per table.
function schemaSql(db: Connection): Map<string, string | null> {
  const rows = prepared(
    db,
    `SELECT name, sql FROM sqlite_schema WHERE type IN ('table', 'view')`,
  ).all() as { name: string; sql: string | null }[];
  return new Map(rows.map((r) => [r.name, r.sql]));
}

function detailOf(db: Connection, summary: TableSummary, sql: string | null): TableDetail {
  return {
    ...summary,
    columns: columnsOf(db, summary.name),
    foreignKeys: foreignKeysOf(db, summary.name),
    indexes: indexesOf(db, summary.name),
    sql,
  };
}

function refOf(row: TableListRow): TableRef {
  return { name: row.name, kind: row.type as TableKind, group: groupOf(row.name) };
}

function visibleTables(db: Connection): TableListRow[] {
  // pragma_table_list marks FTS and R-tree internals as 'shadow', so they are dropped here.
  const rows = prepared(
    db,
    `SELECT name, type FROM pragma_table_list
       WHERE schema = 'main' AND type IN ('table', 'view', 'virtual')
         AND substr(name, 1, 7) <> 'sqlite_'
       ORDER BY name`,
  ).all() as TableListRow[];
  return rows;
}

function findTable(db: Connection, name: string): TableListRow {
  const tables = visibleTables(db);
  const found =
    tables.find((t) => t.name === name) ??
    tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (!found) {
    throw new TenantMcpError('TABLE_NOT_FOUND', 'no such table or view', {
      hint: 'call list_tables to see the names that exist',
    });
  }
  return found;
}

type RowCount = Pick<TableSummary, 'rowCount' | 'rowCountIsLowerBound'>;

/**
 * Counts the rows of ordinary tables, each up to `ROW_COUNT_CAP` until `budget` rows have
 * been counted, then each up to `COUNT_FLOOR`.
 */
function rowCounter(db: Connection, budget: number): (row: TableListRow) => RowCount {
  let left = budget;
  return (row) => {
    if (row.type !== 'table') return { rowCount: null };
    const cap = left > 0 ? ROW_COUNT_CAP : COUNT_FLOOR;
    const counted = countUpTo(db, row.name, cap + 1);
    left -= counted;
    return counted > cap ? { rowCount: cap, rowCountIsLowerBound: true } : { rowCount: counted };
  };
}

function countUpTo(db: Connection, name: string, limit: number): number {
  // The LIMIT bounds the rows SQLite visits, where count(*) alone walks the whole table. The
  // name comes from sqlite_schema, never from a client, and is quoted.
  const sql = `SELECT count(*) FROM (SELECT 1 FROM main.${quoteIdentifier(name)} LIMIT ?)`;
  return prepared(db, sql).pluck().get(limit) as number;
}

/** Visible columns of a table or view, generated ones included and marked. */
export function columnsOf(db: Connection, table: string): ColumnInfo[] {
  const rows = prepared(db, 'SELECT * FROM pragma_table_xinfo(?)').all(table) as {
    name: string;
    type: string;
    notnull: number;
    dflt_value: string | null;
    pk: number;
    hidden: number;
  }[];
  return rows
    .filter((c) => c.hidden !== 1)
    .map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.notnull === 1,
      defaultValue: c.dflt_value,
      primaryKey: c.pk,
      generated: c.hidden === 2 || c.hidden === 3,
    }));
}

/** Foreign keys of a table, one entry per key with its columns in order. */
export function foreignKeysOf(db: Connection, table: string): ForeignKeyInfo[] {
  const rows = prepared(db, 'SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq').all(
    table,
  ) as {
    id: number;
    table: string;
    from: string;
    to: string | null;
    on_update: string;
    on_delete: string;
  }[];
  const byId = new Map<number, ForeignKeyInfo>();
  for (const r of rows) {
    const fk = byId.get(r.id) ?? {
      columns: [],
      table: r.table,
      to: [],
      onDelete: r.on_delete,
      onUpdate: r.on_update,
    };
    fk.columns.push(r.from);
    if (r.to !== null) fk.to.push(r.to);
    byId.set(r.id, fk);
  }
  return [...byId.values()];
}

function indexesOf(db: Connection, table: string): IndexInfo[] {
  const list = prepared(db, 'SELECT name, "unique", partial FROM pragma_index_list(?)').all(
    table,
  ) as {
    name: string;
    unique: number;
    partial: number;
  }[];
  const columns = prepared(db, 'SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck();
  return list.map((i) => ({
    name: i.name,
    unique: i.unique === 1,
    partial: i.partial === 1,
    columns: (columns.all(i.name) as (string | null)[]).map((c) => c ?? '(expression)'),
  }));
}
