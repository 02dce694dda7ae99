import Database from 'better-sqlite3';
import type { Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import { migrationLabel, type Migration } from './catalog.js';
import { LEDGER_TABLE } from './ledger.js';

/** Table name → column name → declared type (upper case). */
export type TableShapes = Map<string, Map<string, string>>;

/** True when the file has pm_ tables other than the ledger. */
export function hasPmTables(db: Connection): boolean {
  return pmTableNames(db).length > 0;
}

/** The column names and declared types of every pm_ table in the file, ledger excepted. */
export function pmTableShapes(db: Connection): TableShapes {
  return new Map(pmTableNames(db).map((table) => [table, columnTypes(db, table)]));
}

/**
 * The shapes `migration` creates, found by running it in an empty in-memory database that
 * has just enough of a host (a `users` table) for its foreign keys.
 */
export function expectedShapes(migration: Migration): TableShapes {
  const scratch = new Database(':memory:');
  try {
    scratch.exec('CREATE TABLE users (id TEXT PRIMARY KEY)');
    scratch.exec(migration.sql);
    return pmTableShapes(scratch);
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

/**
 * Checks that pm_ tables made without a ledger (by an older plugin or by hand) are exactly
 * what `migration` would create, so recording it as applied is true. Throws
 * MIGRATION_ADOPTION_REFUSED naming the differences otherwise; nothing is ever dropped.
 */
export function assertAdoptable(db: Connection, migration: Migration): void {
  const differences = shapeDifferences(pmTableShapes(db), expectedShapes(migration));
  if (differences.length === 0) return;
  const label = migrationLabel(migration);
  throw new TenantMcpError(
    'MIGRATION_ADOPTION_REFUSED',
    `existing pm_ tables differ from migration ${label}: ${differences.join('; ')}`,
    { hint: 'bring the pm_ tables in line by hand; tenant-mcp never drops or recreates them' },
  );
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

function columnTypes(db: Connection, table: string): Map<string, string> {
  const columns = db.prepare(`SELECT name, type FROM pragma_table_info(?, 'main')`).all(table) as {
    name: string;
    type: string;
  }[];
  return new Map(columns.map((c) => [c.name, c.type.toUpperCase()]));
}
