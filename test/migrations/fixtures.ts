import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { TenantMcpError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';

/** The migrations shipped with tenant-mcp. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Every table migration 0001 creates. */
export const PM_TABLES = [
  'pm_activity_log',
  'pm_comments',
  'pm_dependencies',
  'pm_idempotency_keys',
  'pm_llm_context',
  'pm_project_members',
  'pm_projects',
  'pm_sprints',
  'pm_swim_lanes',
  'pm_time_entries',
  'pm_work_items',
];

/** The host's tables in the fixture, including names that trip LIKE 'pm_%' and case games. */
export const PLATFORM_TABLES = ['users', 'clients', 'audit_log', 'pmXnotes', 'PM_Legacy'];

// A small host: a users table, a table with an index and a trigger, a view, and two tables
// whose names look like ours to a careless check.
const HOST_SCHEMA = `
  CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT,
    created_at INTEGER NOT NULL);
  CREATE TABLE clients (id TEXT PRIMARY KEY, coach_id TEXT REFERENCES users (id),
    name TEXT NOT NULL, "group" TEXT);
  CREATE INDEX clients_coach_idx ON clients (coach_id);
  CREATE TABLE audit_log (id INTEGER PRIMARY KEY, entry TEXT NOT NULL);
  CREATE TRIGGER clients_audit AFTER INSERT ON clients
    BEGIN INSERT INTO audit_log (entry) VALUES ('client ' || NEW.id); END;
  CREATE VIEW client_names AS
    SELECT c.name AS client, u.name AS coach FROM clients AS c JOIN users AS u ON u.id = c.coach_id;
  CREATE TABLE "pmXnotes" (id INTEGER PRIMARY KEY, body TEXT);
  CREATE TABLE "PM_Legacy" (id INTEGER PRIMARY KEY, note TEXT);
  INSERT INTO users VALUES ('u-ada', 'ada@example.com', 'Ada', 1700000000),
    ('u-ben', 'coach@example.com', 'Ben', 1700000100);
  INSERT INTO clients VALUES ('c-1', 'u-ada', 'Northwind', 'gold');
  INSERT INTO "pmXnotes" (body) VALUES ('not a pm_ table');
  INSERT INTO "PM_Legacy" (note) VALUES ('not ours either');
`;

/** A fresh folder per test, removed after it. */
export function useTempDir(): () => string {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tenant-mcp-migrations-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** Creates `<dir>/main.db` shaped like a host's tenant file: WAL mode, user_version 7. */
export function createHostFile(dir: string): string {
  const file = join(dir, 'main.db');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(HOST_SCHEMA);
    db.pragma('user_version = 7');
  } finally {
    db.close();
  }
  return file;
}

/** Creates tenant `id` under the data root `root` with a host-shaped file; returns its resolved path. */
export function createTenant(root: string, id: string): string {
  const tenantDir = join(root, 'tenants', id);
  mkdirSync(tenantDir);
  createHostFile(tenantDir);
  return join(realpathSync(root), 'tenants', id, 'main.db');
}

/** Runs `body` with a connection to `file`, closed afterwards. */
export function withDb<T>(file: string, body: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true });
  try {
    return body(db);
  } finally {
    db.close();
  }
}

/** Holds the write lock on `file` the way a host in the middle of a write does; returns the release. */
export function holdWriteLock(file: string): () => void {
  const host = new Database(file);
  host.exec('BEGIN IMMEDIATE');
  return () => {
    host.exec('ROLLBACK');
    host.close();
  };
}

/** Runs `body` while another connection holds the write lock on `file`, released afterwards. */
export function whileWriteLocked<T>(file: string, body: () => T): T {
  const release = holdWriteLock(file);
  try {
    return body();
  } finally {
    release();
  }
}

/** Every sqlite_schema row, in a stable order. */
export function schemaOf(file: string): unknown[] {
  return withDb(file, (db) =>
    db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all(),
  );
}

/** The names of the pm_ tables in the file, sorted. */
export function pmTablesOf(file: string): string[] {
  const names = withDb(file, (db) =>
    db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all(),
  ) as string[];
  return names.filter((name) => name.startsWith('pm_')).sort();
}

/** Every row of every platform table, to prove nothing was written. */
export function platformRowsOf(file: string): Record<string, unknown[]> {
  return withDb(file, (db) =>
    Object.fromEntries(
      PLATFORM_TABLES.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all()]),
    ),
  );
}

/** The ledger rows, or null when the file has no ledger. */
export function ledgerOf(file: string): { id: number; name: string; checksum: string }[] | null {
  return withDb(file, (db) => {
    const exists = db
      .prepare(`SELECT 1 FROM sqlite_schema WHERE name = 'pm_schema_migrations'`)
      .get();
    if (exists === undefined) return null;
    return db.prepare('SELECT id, name, checksum FROM pm_schema_migrations ORDER BY id').all() as {
      id: number;
      name: string;
      checksum: string;
    }[];
  });
}

/** Writes a migrations folder holding exactly `files` (name → SQL text). */
export function writeMigrations(
  dir: string,
  files: Record<string, string>,
  folderName = 'migrations',
): string {
  const folder = join(dir, folderName);
  mkdirSync(folder);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(folder, name), sql);
  return folder;
}

/** A logger whose JSON lines land in `lines`. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => void lines.push(JSON.parse(line)) };
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Runs `act` expecting a TenantMcpError and returns it. */
export function failureOf(act: () => unknown): TenantMcpError {
  try {
    act();
  } catch (error) {
    if (error instanceof TenantMcpError) return error;
    throw error;
  }
  throw new Error('expected a TenantMcpError, but nothing was thrown');
}
