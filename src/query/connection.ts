import Database from 'better-sqlite3';
import { TenantMcpError } from '../errors.js';

/**
 * Connections that run model SQL. What each hardening step stops:
 *
 * - `readonly: true`: writes to the tenant file (and CREATE TEMP is refused earlier by
 *   the gate's keyword layer, since a read-only open still allows temp objects).
 * - `fileMustExist`: never creates an empty database for a missing tenant.
 * - every ATTACH slot taken by an empty in-memory database: better-sqlite3 exposes no
 *   authorizer and no sqlite3_limit, so filling the build's 10 slots is what makes
 *   ATTACH fail ("too many attached databases") even if the gate were bypassed.
 *   Those slots are read-only too, so nothing can be stored in them.
 * - `query_only`: a second refusal of writes; the gate keeps PRAGMA away from model text.
 * - `temp_store = MEMORY` and a bounded `cache_size`: sorts and temp b-trees stay inside
 *   the worker's memory cap instead of filling the disk with temp files.
 * - `QueryConnection.verify` after each query: the database list and query_only are unchanged.
 */

/** Attached databases this SQLite build allows (SQLITE_MAX_ATTACHED). */
export const ATTACH_SLOTS = 10;

const RESERVED_SCHEMA = 'reserved_';

/** Options for a query connection. */
export interface QueryConnectionOptions {
  /** SQLite page cache per connection, in KiB. */
  cacheSizeKiB: number;
}

/** Opens the tenant file for model SQL, hardened as described above. */
export function openQueryConnection(
  file: string,
  options: QueryConnectionOptions,
): QueryConnection {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    harden(db, options);
    return new QueryConnection(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

function harden(db: Database.Database, options: QueryConnectionOptions): void {
  db.defaultSafeIntegers(true);
  db.pragma(`cache_size = ${-Math.max(64, Math.floor(options.cacheSizeKiB))}`);
  db.pragma('temp_store = MEMORY');
  for (let i = 1; i <= ATTACH_SLOTS; i += 1) {
    db.prepare(`ATTACH ':memory:' AS ${RESERVED_SCHEMA}${i}`).run();
  }
  requireAttachImpossible(db);
  db.pragma('query_only = ON');
}

function requireAttachImpossible(db: Database.Database): void {
  try {
    db.prepare(`ATTACH ':memory:' AS ${RESERVED_SCHEMA}probe`).run();
  } catch (error) {
    if (error instanceof Error && /too many attached/.test(error.message)) return;
    throw error;
  }
  throw new TenantMcpError('INTERNAL', 'this SQLite build allows more attached databases');
}

/** A hardened connection plus the check that it is still as it was opened. */
export class QueryConnection {
  readonly db: Database.Database;
  private readonly databaseList: Database.Statement;
  private readonly queryOnly: Database.Statement;
  private readonly expected: string;

  constructor(db: Database.Database) {
    this.db = db;
    // Prepared once: the check runs after every query and must stay cheap.
    this.databaseList = db
      .prepare('SELECT name, file FROM pragma_database_list WHERE name <> ?')
      .raw(true);
    this.queryOnly = db.prepare('SELECT query_only FROM pragma_query_only').pluck();
    this.expected = this.fingerprint();
  }

  /** The database list (names and files, temp aside) and the query_only flag, as text. */
  fingerprint(): string {
    return JSON.stringify([this.databaseList.all('temp'), String(this.queryOnly.get())]);
  }

  /** Throws when the connection no longer matches what it was after hardening. */
  verify(): void {
    if (this.fingerprint() === this.expected) return;
    throw new TenantMcpError(
      'QUERY_NOT_READ_ONLY',
      'the query changed the connection; its result was discarded',
    );
  }

  /** Frees the page cache this connection holds; the next query reads its pages again. */
  releaseMemory(): void {
    this.db.pragma('shrink_memory');
  }

  /** Closes the connection. */
  close(): void {
    this.db.close();
  }
}
