import { TenantMcpError } from '../errors.js';
import { quoteIdentifier, type Connection, prepared } from '../db/open.js';

export type TableKind = 'table' | 'view' | 'virtual';
export type TableGroup = 'platform' | 'pm';

/** One user-visible table or view of a tenant file. */
export interface TableSummary {
  name: string;
  kind: TableKind;
  group: TableGroup;
  /** Exact count for ordinary tables; null for views and virtual tables (counting may be costly). */
  rowCount: number | null;
}

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
export type TableRef = Omit<TableSummary, 'rowCount'>;

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

/** Tables and views of the main database, without SQLite's own and FTS shadow tables. */
export function listTables(db: Connection): TableSummary[] {
  return visibleTables(db).map((row) => summarize(db, row));
}

/** Tables and views like `listTables`, without the row counts (which scan every table). */
export function listTableNames(db: Connection): TableRef[] {
  return visibleTables(db).map((row) => ({
    name: row.name,
    kind: row.type as TableKind,
    group: groupOf(row.name),
  }));
}

/** Full description of one table or view; a name that does not exist is TABLE_NOT_FOUND. */
export function describeTable(db: Connection, name: string): TableDetail {
  const row = findTable(db, name);
  return {
    ...summarize(db, row),
    columns: columnsOf(db, row.name),
    foreignKeys: foreignKeysOf(db, row.name),
    indexes: indexesOf(db, row.name),
    sql: prepared(db, 'SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(row.name) as
      string | null,
  };
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

function summarize(db: Connection, row: TableListRow): TableSummary {
  const kind = row.type as TableKind;
  return {
    name: row.name,
    kind,
    group: groupOf(row.name),
    rowCount: countRows(db, row.name, kind),
  };
}

function countRows(db: Connection, name: string, kind: TableKind): number | null {
  if (kind !== 'table') return null;
  // The name comes from sqlite_schema, never from a client, and is quoted.
  return prepared(db, `SELECT count(*) FROM main.${quoteIdentifier(name)}`)
    .pluck()
    .get() as number;
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
