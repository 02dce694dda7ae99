import { TenantMcpError } from '../errors.js';
import { type Connection, prepared } from '../db/open.js';
import {
  LISTING_BUDGET,
  ROW_COUNT_CAP,
  rowCounter,
  snapshotOf,
  type TableListRow,
} from './snapshot.js';

export { ROW_COUNT_CAP } from './snapshot.js';

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
 * The most tables and views one listing names (list_tables, the resource list, the schema
 * resources' name lists). A tenant of thousands of tables made every listing stall the server
 * for all tenants and gave the model more names than it could use.
 */
export const LISTED_TABLES_CAP = 500;

/** The most tables and views one schema resource describes with columns, keys and indexes. */
export const DESCRIBED_TABLES_CAP = 200;

/** The most indexes described for one table; SQLite sets no limit on how many a table has. */
export const INDEXES_PER_TABLE_CAP = 100;

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
  /** Present when the table has more than `INDEXES_PER_TABLE_CAP` indexes: the rest are left out. */
  indexesTruncated?: true;
  sql: string | null;
}

/** Some of a tenant's tables and views, and how many it has in all. */
export interface Listing<T> {
  /** pm_ tables first, then platform ones, each by name; at most the cap asked for. */
  tables: T[];
  /** Every visible table and view of the tenant, listed or not. */
  total: number;
}

/** The tables chosen for a schema resource: some described, some only named. */
export interface SchemaDescription extends Listing<TableDetail> {
  /** Listed tables past `DESCRIBED_TABLES_CAP`, or ones that could not be described. */
  namedOnly: TableRef[];
}

/** The `pm_` prefix marks the plugin's tables, which this server owns. */
export function groupOf(name: string): TableGroup {
  return name.startsWith('pm_') ? 'pm' : 'platform';
}

/**
 * Tables and views of the main database, without SQLite's own and FTS shadow tables: at most
 * `cap` of them, pm_ tables first, returned by name. Rows are counted within a budget: see
 * `TableSummary.rowCount`.
 */
export function listTables(db: Connection, cap = LISTED_TABLES_CAP): Listing<TableSummary> {
  const { tables, total } = chosenTables(db, cap);
  const count = rowCounter(db, LISTING_BUDGET);
  return { tables: byName(tables).map((row) => ({ ...refOf(row), ...count(row) })), total };
}

/** At most `cap` tables and views like `listTables`, without the row counts. */
export function listTableRefs(db: Connection, cap = LISTED_TABLES_CAP): Listing<TableRef> {
  const { tables, total } = chosenTables(db, cap);
  return { tables: byName(tables).map(refOf), total };
}

/** Every table and view like `listTables`, by name, without the row counts or a cap. */
export function listTableNames(db: Connection): TableRef[] {
  return byName(visibleTables(db)).map(refOf);
}

/**
 * Names of visible tables and views starting with `prefix` (ignoring case), pm_ ones first,
 * at most `cap` of them.
 */
export function tableNamesStartingWith(db: Connection, prefix: string, cap: number): string[] {
  const lower = prefix.toLowerCase();
  const matching = visibleTables(db).filter((t) => t.name.toLowerCase().startsWith(lower));
  return prioritized(matching)
    .slice(0, cap)
    .map((t) => t.name);
}

/** Full description of one table or view; a name that does not exist is TABLE_NOT_FOUND. */
export function describeTable(db: Connection, name: string): TableDetail {
  const row = findTable(db, name);
  const sql = prepared(db, 'SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(row.name);
  const summary = { ...refOf(row), ...rowCounter(db, ROW_COUNT_CAP)(row) };
  return detailOf(db, summary, (sql as string | null | undefined) ?? null);
}

/**
 * The first `cap` tables and views of `listTables` described, the rest of its listing only
 * named. One that cannot be described (a host view that no longer compiles) is named rather
 * than hiding the others.
 */
export function describeTables(db: Connection, cap = DESCRIBED_TABLES_CAP): SchemaDescription {
  const { tables, total } = chosenTables(db, LISTED_TABLES_CAP);
  const described = tables.slice(0, cap);
  const sqlOf = schemaSql(db, described);
  const count = rowCounter(db, LISTING_BUDGET);
  const details: TableDetail[] = [];
  const namedOnly = tables.slice(cap).map(refOf);
  for (const row of byName(described)) {
    const detail = detailOrSkip(db, { ...refOf(row), ...count(row) }, sqlOf.get(row.name) ?? null);
    if (detail) details.push(detail);
    else namedOnly.push(refOf(row));
  }
  return { tables: details, total, namedOnly: byName(namedOnly) };
}

function detailOrSkip(db: Connection, t: TableSummary, sql: string | null): TableDetail | null {
  try {
    return detailOf(db, t, sql);
  } catch {
    return null;
  }
}

// One read of sqlite_schema for the chosen tables, rather than one scan of it per table.
function schemaSql(db: Connection, tables: TableListRow[]): Map<string, string | null> {
  const rows = prepared(
    db,
    `SELECT name, sql FROM sqlite_schema
       WHERE type IN ('table', 'view') AND name IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(tables.map((t) => t.name))) as { name: string; sql: string | null }[];
  return new Map(rows.map((r) => [r.name, r.sql]));
}

function detailOf(db: Connection, summary: TableSummary, sql: string | null): TableDetail {
  const indexes = indexesOf(db, summary.name);
  return {
    ...summary,
    columns: columnsOf(db, summary.name),
    foreignKeys: foreignKeysOf(db, summary.name),
    indexes: indexes.slice(0, INDEXES_PER_TABLE_CAP),
    ...(indexes.length > INDEXES_PER_TABLE_CAP ? { indexesTruncated: true as const } : {}),
    sql,
  };
}

function refOf(row: TableListRow): TableRef {
  return { name: row.name, kind: row.type as TableKind, group: groupOf(row.name) };
}

function byName<T extends { name: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The first `cap` visible tables, pm_ ones first, then the others, each by name. */
function chosenTables(db: Connection, cap: number): Listing<TableListRow> {
  const all = visibleTables(db);
  return { tables: prioritized(all).slice(0, cap), total: all.length };
}

function prioritized<T extends { name: string }>(rows: T[]): T[] {
  const pm = rows.filter((t) => groupOf(t.name) === 'pm');
  return [...pm, ...rows.filter((t) => groupOf(t.name) === 'platform')];
}

interface SchemaRow extends TableListRow {
  rootpage: number;
  sql: string | null;
}

/**
 * Read from sqlite_schema, never pragma_table_list: that pragma compiles every view of the
 * file to count its columns, half a second on a tenant of 5,000 views, even when asked
 * about one name. Kept per connection until another connection commits (see `snapshotOf`).
 */
function visibleTables(db: Connection): TableListRow[] {
  const snapshot = snapshotOf(db);
  snapshot.tables ??= readVisibleTables(db);
  return snapshot.tables;
}

function readVisibleTables(db: Connection): TableListRow[] {
  const rows = prepared(
    db,
    `SELECT name, type, rootpage, CASE WHEN rootpage = 0 THEN sql END AS sql FROM sqlite_schema
       WHERE type IN ('table', 'view') AND substr(name, 1, 7) <> 'sqlite_'
       ORDER BY name`,
  ).all() as SchemaRow[];
  const shadows = shadowNames(rows);
  return rows.filter((r) => !shadows.has(r.name)).map(listRowOf);
}

// A virtual table has no b-tree of its own, so its root page is 0.
function listRowOf(row: SchemaRow): TableListRow {
  return {
    name: row.name,
    type: row.type === 'table' && row.rootpage === 0 ? 'virtual' : row.type,
  };
}

// The tables SQLite's own virtual-table modules keep their data in, by module: the same
// suffixes their xShadowName methods accept.
const SHADOW_SUFFIXES: Record<string, string[]> = {
  fts3: ['content', 'segments', 'segdir', 'docsize', 'stat'],
  fts4: ['content', 'segments', 'segdir', 'docsize', 'stat'],
  fts5: ['data', 'idx', 'content', 'docsize', 'config'],
  rtree: ['node', 'rowid', 'parent'],
  rtree_i32: ['node', 'rowid', 'parent'],
  geopoly: ['node', 'rowid', 'parent'],
};

function shadowNames(rows: SchemaRow[]): Set<string> {
  const names = new Set<string>();
  for (const row of rows) {
    const module = /\bUSING\s+(\w+)/i.exec(row.sql ?? '')?.[1]?.toLowerCase() ?? '';
    for (const suffix of SHADOW_SUFFIXES[module] ?? []) names.add(`${row.name}_${suffix}`);
  }
  return names;
}

function findTable(db: Connection, name: string): TableListRow {
  const found = lookUp(db, name, '= ?') ?? lookUp(db, name, '= ? COLLATE NOCASE');
  if (!found) {
    throw new TenantMcpError('TABLE_NOT_FOUND', 'no such table or view', {
      hint: 'call list_tables to see the names that exist',
    });
  }
  return found;
}

// One scan of sqlite_schema, which SQLite does not index, and one more for the few virtual
// tables whose shadow table the name could be.
function lookUp(db: Connection, name: string, match: string): TableListRow | undefined {
  const rows = prepared(
    db,
    `SELECT name, type, rootpage, CASE WHEN rootpage = 0 THEN sql END AS sql FROM sqlite_schema
       WHERE type IN ('table', 'view') AND substr(name, 1, 7) <> 'sqlite_' AND name ${match}
       ORDER BY name`,
  ).all(name) as SchemaRow[];
  const row = rows[0];
  if (row === undefined || isShadow(db, row.name)) return undefined;
  return listRowOf(row);
}

function isShadow(db: Connection, name: string): boolean {
  const owners = prepared(
    db,
    `SELECT name, type, rootpage, sql FROM sqlite_schema
       WHERE type = 'table' AND rootpage = 0 AND ? > name AND substr(?, 1, length(name)) = name`,
  ).all(name, name) as SchemaRow[];
  return shadowNames(owners).has(name);
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
  // One more than the cap, so that the caller can tell that some were left out.
  const list = prepared(db, 'SELECT name, "unique", partial FROM pragma_index_list(?) LIMIT ?').all(
    table,
    INDEXES_PER_TABLE_CAP + 1,
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
