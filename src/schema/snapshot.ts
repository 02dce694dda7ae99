import { quoteIdentifier, type Connection, prepared } from '../db/open.js';

// What a connection has read of its tenant file's tables, kept until another connection
// commits: the list of tables and their row counts.

/** A visible table or view as sqlite_schema names it. */
export interface TableListRow {
  name: string;
  /** `table`, `view` or `virtual`. */
  type: string;
}

/**
 * The most rows one table is counted to. Counting runs on the server's only thread, which
 * serves every tenant: an exact count(*) of a table of millions of rows stalled them all.
 */
export const ROW_COUNT_CAP = 10_000;

// Once one listing has counted this many rows, each further table is counted up to
// COUNT_FLOOR only, so that many big tables cannot multiply the cap.
export const LISTING_BUDGET = 100_000;
const COUNT_FLOOR = 100;

/** A table's row count as listings give it (see `TableSummary` in introspect.ts). */
export interface RowCount {
  rowCount: number | null;
  rowCountIsLowerBound?: true;
}

/**
 * Counts the rows of ordinary tables, each up to `ROW_COUNT_CAP` until `budget` rows have
 * been counted, then each up to `COUNT_FLOOR`.
 */
export function rowCounter(db: Connection, budget: number): (row: TableListRow) => RowCount {
  const { counts } = snapshotOf(db);
  let left = budget;
  return (row) => {
    if (row.type !== 'table') return { rowCount: null };
    const cap = left > 0 ? ROW_COUNT_CAP : COUNT_FLOOR;
    const key = `${cap}:${row.name}`;
    const counted = counts.get(key) ?? countUpTo(db, row.name, cap + 1);
    if (counts.size < MAX_CACHED_COUNTS) counts.set(key, counted);
    left -= counted;
    return counted > cap ? { rowCount: cap, rowCountIsLowerBound: true } : { rowCount: counted };
  };
}

/** What one connection has read of its file's tables since another connection last committed. */
export interface Snapshot {
  version: number;
  /** The visible tables and views, by name; read on first use. */
  tables?: TableListRow[];
  /** Row counts by cap and table. */
  counts: Map<string, number>;
}

// PRAGMA data_version changes on every commit but our own, and ours are read-only: a schema
// change or a write by the host ends the snapshot. Over HTTP the same tenant's listing is asked
// for again and again, and reading sqlite_schema and counting rows was most of its cost.
const snapshots = new WeakMap<Connection, Snapshot>();
const MAX_CACHED_COUNTS = 4_096;

export function snapshotOf(db: Connection): Snapshot {
  const version = prepared(db, 'PRAGMA data_version').pluck().get() as number;
  let snapshot = snapshots.get(db);
  if (snapshot === undefined || snapshot.version !== version) {
    snapshot = { version, counts: new Map() };
    snapshots.set(db, snapshot);
  }
  return snapshot;
}

function countUpTo(db: Connection, name: string, limit: number): number {
  // The LIMIT bounds the rows SQLite visits, where count(*) alone walks the whole table. The
  // name comes from sqlite_schema, never from a client, and is quoted.
  // Not through `prepared`: one text per table would crowd our fixed statements out of that
  // cache, and the counts themselves are kept until the next commit.
  const sql = `SELECT count(*) FROM (SELECT 1 FROM main.${quoteIdentifier(name)} LIMIT ?)`;
  return db.prepare(sql).pluck().get(limit) as number;
}
