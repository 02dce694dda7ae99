import Database from 'better-sqlite3';
import { TenantMcpError } from '../errors.js';

export type Connection = Database.Database;

/**
 * Opens a tenant file read-only for our own introspection SQL. Never creates a file; a
 * file SQLite cannot read becomes TENANT_FILE_UNREADABLE without its path. Its statements
 * wait up to `busyTimeoutMs` for a lock the host holds (only files not in WAL mode have such
 * locks for readers), then fail with SQLITE_BUSY.
 */
export function openReadOnly(file: string, tenantId: string, busyTimeoutMs: number): Connection {
  let db: Connection | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    db.pragma('query_only = ON');
    // Reading the schema proves the file is a database before anyone relies on it.
    db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
    return db;
  } catch (error) {
    db?.close();
    const sqliteCode = sqliteCodeOf(error);
    if (sqliteCode === 'SQLITE_BUSY') throw tenantBusy(error);
    throw new TenantMcpError('TENANT_FILE_UNREADABLE', `tenant '${tenantId}' file cannot be read`, {
      cause: error,
      sqliteCode,
    });
  }
}

/** TENANT_BUSY for SQLITE_BUSY on a read: the host holds the file locked (not in WAL mode). */
export function tenantBusy(cause?: unknown): TenantMcpError {
  return new TenantMcpError('TENANT_BUSY', 'the tenant file is locked by the host just now', {
    cause,
    hint: 'try again in a few seconds',
  });
}

// Statements by SQL text, per connection. Far above the few dozen texts our own SQL uses: a
// bound, so that SQL built from a tenant's table names cannot grow it without end.
const MAX_CACHED_STATEMENTS = 512;
const statements = new WeakMap<Connection, Map<string, Database.Statement>>();

/**
 * Prepares our own SQL once per connection rather than on every call: over HTTP the same
 * handful of statements run for every request, and preparing them was a sixth of a
 * work_item call. Only for SQL this server writes, never for model SQL. The statement comes
 * back with pluck off, whatever its last caller set.
 */
export function prepared(db: Connection, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (cache === undefined) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement === undefined) {
    if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement.reader ? statement.pluck(false) : statement;
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
