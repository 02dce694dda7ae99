import type Database from 'better-sqlite3';
import { quoteIdentifier } from '../db/open.js';

/** A value better-sqlite3 can bind. */
export type SqlValue = string | number | bigint | Buffer | null;

/** A row to insert, keyed by column name. */
export type Row = Record<string, SqlValue>;

/**
 * Inserts rows that all have the columns of the first row. Callers wrap it in a transaction;
 * one prepared statement serves every row.
 */
export function insertAll(db: Database.Database, table: string, rows: readonly Row[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const names = columns.map(quoteIdentifier).join(', ');
  const params = columns.map((column) => `@${column}`).join(', ');
  const insert = db.prepare(`INSERT INTO ${quoteIdentifier(table)} (${names}) VALUES (${params})`);
  for (const row of rows) insert.run(row);
}

/** Converts Unix seconds to an ISO calendar date (`YYYY-MM-DD`, UTC). */
export function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}
