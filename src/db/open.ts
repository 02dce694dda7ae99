import Database from 'better-sqlite3';
import { TenantMcpError } from '../errors.js';

export type Connection = Database.Database;

/**
 * Opens a tenant file read-only for our own introspection SQL. Never creates a file; a
 * file SQLite cannot read becomes TENANT_FILE_UNREADABLE without its path.
 */
export function openReadOnly(file: string, tenantId: string): Connection {
  let db: Connection | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
    // Reading the schema proves the file is a database before anyone relies on it.
    db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
    return db;
  } catch (error) {
    db?.close();
    throw new TenantMcpError('TENANT_FILE_UNREADABLE', `tenant '${tenantId}' file cannot be read`, {
      cause: error,
      sqliteCode: sqliteCodeOf(error),
    });
  }
}

/** The SQLite result code carried by a better-sqlite3 error, if any. */
export function sqliteCodeOf(error: unknown): string | undefined {
  if (error instanceof Database.SqliteError) return error.code;
  return undefined;
}

/** Quotes an identifier for SQL text; only ever used on names read from sqlite_schema. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
