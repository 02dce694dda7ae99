import Database from 'better-sqlite3';
import type { Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import { migrationLabel, type Migration } from './catalog.js';
import { LEDGER_TABLE } from './ledger.js';

/** Table name → column name → declared type (upper case). */
export type TableShapes = Map<string, Map<string, string>>;

/** The pm_ schema as adoption compares it. */
export interface PmShape {
  readonly tables: TableShapes;
  /** Named index → the table it is on; automatic indexes follow from the tables. */
  readonly indexes: Map<string, string>;
}

/** True when the file has pm_ tables other than the ledger. */
export function hasPmTables(db: Connection): boolean {
  return pmTableNames(db).length > 0;
}

/** The column names and declared types of every pm_ table in the file, ledger excepted. */
export function pmTableShapes(db: Connection): TableShapes {
  return new Map(pmTableNames(db).map((table) => [table, columnTypes(db, table)]));
}

/** The pm_ tables and their named indexes, ledger excepted. */
export function pmShape(db: Connection): PmShape {
  return { tables: pmTableShapes(db), indexes: pmIndexes(db) };
}

/**
 * The pm_ shape after each of `migrations` in turn, found by running them in an empty
 * in-memory database that has just enough of a host (a `users` table) for their foreign
 * keys. Stops before the first migration that cannot run there: its shape is unknowable.
 */
export function shapesAfterEach(migrations: readonly Migration[]): PmShape[] {
  const scratch = new Database(':memory:');
  try {
    scratch.exec('CREATE TABLE users (id TEXT PRIMARY KEY)');
    const shapes: PmShape[] = [];
    for (const migration of migrations) {
      if (!ranCleanly(scratch, migration.sql)) break;
      shapes.push(pmShape(scratch));
    }
    return shapes;
  } finally {
    scratch.close();
  }
}

/** Phrases naming each missing or extra table or column and each differing type. */
export function shapeDifferences(actual: TableShapes, expected: TableShapes): string[] {
  const differences: string[] = [];
  for (const [table, columns] of expected) {
    const found = actual.get(table);
    if (found === undefined) differences.push(`missing table ${table}`);
    else differences.push(...columnDifferences(table, found, columns));
  }
  for (const table of actual.keys()) {
    if (!expected.has(table)) differences.push(`extra table ${table}`);
  }
  return differences;
}

/** Table differences first, then missing, extra or moved named indexes. */
export function pmShapeDifferences(actual: PmShape, expected: PmShape): string[] {
  const differences = shapeDifferences(actual.tables, expected.tables);
  for (const [index, table] of expected.indexes) {
    const found = actual.indexes.get(index);
    if (found === undefined) differences.push(`missing index ${index}`);
    else if (found !== table) differences.push(`index ${index} is on ${found}, want ${table}`);
  }
  for (const index of actual.indexes.keys()) {
    if (!expected.indexes.has(index)) differences.push(`extra index ${index}`);
  }
  return differences;
}

/**
 * How many of `migrations`, counted from the first, the pm_ tables made without a ledger (by
 * an older plugin or by hand) already hold: the fewest whose shape matches exactly, so a data
 * migration after them still runs. Throws MIGRATION_ADOPTION_REFUSED naming what differs
 * from the closest one otherwise; nothing is ever dropped or recreated.
 */
export function adoptableCount(db: Connection, migrations: readonly Migration[]): number {
  const actual = pmShape(db);
  const differences = shapesAfterEach(migrations).map((s) => pmShapeDifferences(actual, s));
  const exact = differences.findIndex((found) => found.length === 0);
  if (exact >= 0) return exact + 1;
  throw adoptionRefused(migrations, differences);
}

function adoptionRefused(migrations: readonly Migration[], differences: string[][]): Error {
  const sizes = differences.map((found) => found.length);
  const closest = sizes.indexOf(Math.min(...sizes));
  const migration = migrations[closest];
  const found = differences[closest];
  const what =
    migration && found
      ? `differ from migration ${migrationLabel(migration)}: ${found.join('; ')}`
      : 'cannot be compared with any migration';
  return new TenantMcpError('MIGRATION_ADOPTION_REFUSED', `existing pm_ tables ${what}`, {
    hint: 'bring the pm_ tables in line by hand; tenant-mcp never drops or recreates them',
  });
}

function ranCleanly(scratch: Connection, sql: string): boolean {
  try {
    scratch.exec(sql);
    return true;
  } catch {
    // A migration that needs more of a host than `users` has no shape to compare against.
    return false;
  }
}

function columnDifferences(
  table: string,
  actual: Map<string, string>,
  expected: Map<string, string>,
): string[] {
  const differences: string[] = [];
  for (const [column, type] of expected) {
    const found = actual.get(column);
    if (found === undefined) differences.push(`missing column ${table}.${column}`);
    else if (found !== type) {
      differences.push(`column ${table}.${column} is ${found || 'untyped'}, want ${type}`);
    }
  }
  for (const column of actual.keys()) {
    if (!expected.has(column)) differences.push(`extra column ${table}.${column}`);
  }
  return differences;
}

function pmTableNames(db: Connection): string[] {
  const names = db
    .prepare(`SELECT name FROM main.sqlite_schema WHERE type = 'table'`)
    .pluck()
    .all() as string[];
  return names.filter((name) => name.startsWith('pm_') && name !== LEDGER_TABLE).sort();
}

function pmIndexes(db: Connection): Map<string, string> {
  const rows = db
    .prepare(
      `SELECT name, tbl_name AS tblName FROM main.sqlite_schema
       WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`,
    )
    .all() as { name: string; tblName: string }[];
  const ours = rows.filter((row) => row.tblName.startsWith('pm_') && row.tblName !== LEDGER_TABLE);
  return new Map(ours.map((row) => [row.name, row.tblName]));
}

function columnTypes(db: Connection, table: string): Map<string, string> {
  const columns = db.prepare(`SELECT name, type FROM pragma_table_info(?, 'main')`).all(table) as {
    name: string;
    type: string;
  }[];
  return new Map(columns.map((c) => [c.name, c.type.toUpperCase()]));
}
