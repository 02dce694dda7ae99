import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { sqliteCodeOf, type Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';

// Pauses after SQLite's own busy timeout ran out, before trying again; then TENANT_BUSY.
const BUSY_BACKOFF_MS = [50, 150, 400];

/** The most (and the default number of) busy retries a migration run makes. */
export const MAX_BUSY_RETRIES = BUSY_BACKOFF_MS.length;

// better-sqlite3 refuses a larger timeout (it is a signed 32-bit millisecond count).
const MAX_TIMEOUT_MS = 0x7fffffff;

/**
 * Opens a tenant file for the migration runner. Never creates a file and never touches the
 * journal mode, which is the host's. Errors name no path: a migration run may serve a client.
 * `retries` is the number of busy retries the caller will make (see `retryWhileBusy`).
 */
export function openTenantFile(
  file: string,
  readonly: boolean,
  busyTimeoutMs: number,
  retries = MAX_BUSY_RETRIES,
): Connection {
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(`busyTimeoutMs must be an integer from 0 to ${MAX_TIMEOUT_MS}`);
  }
  checkRetries(retries);
  try {
    // Every attempt gets an equal share of busyTimeoutMs, so that with the retries the whole
    // wait stays near the configured figure instead of a multiple of it. The option sets
    // SQLite's busy handler without a statement: most runs find the file current, and then
    // opening is a large share of the cost.
    const timeout = Math.ceil(busyTimeoutMs / (retries + 1));
    return new Database(file, { fileMustExist: true, readonly, timeout });
  } catch (error) {
    throw openFailure(file, error);
  }
}

/** Runs `step` inside BEGIN IMMEDIATE: the write lock is taken before anything is read. */
export function inImmediateTransaction<T>(db: Connection, step: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = step();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    rollback(db);
    throw error;
  }
}

/**
 * Takes the write lock and gives it back at once, never waiting: SQLITE_BUSY when another
 * writer (the host) holds it. Unlike quick_check, it reads none of the file's tables.
 */
export function probeWriteLock(db: Connection): void {
  const timeout = Number(db.pragma('busy_timeout', { simple: true }));
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * Runs `step` again with backoff while SQLite reports busy, at most `retries` times; then
 * TENANT_BUSY. With 0 retries a busy file fails at once, without sleeping.
 */
export function retryWhileBusy<T>(step: () => T, logger: Logger, retries = MAX_BUSY_RETRIES): T {
  checkRetries(retries);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error)) throw error;
      const waitMs = attempt < retries ? BUSY_BACKOFF_MS[attempt] : undefined;
      if (waitMs === undefined) throw busy(error);
      logger.debug({ attempt: attempt + 1, waitMs }, 'tenant file busy; trying again');
      sleep(waitMs);
    }
  }
}

/** TENANT_FILE_UNREADABLE when `error` says the file is not a sound SQLite database. */
export function unreadableFile(error: unknown): TenantMcpError | undefined {
  const code = sqliteCodeOf(error) ?? '';
  if (code !== 'SQLITE_NOTADB' && !code.startsWith('SQLITE_CORRUPT')) return undefined;
  const message = 'tenant file is not a readable SQLite database';
  return new TenantMcpError('TENANT_FILE_UNREADABLE', message, { cause: error, sqliteCode: code });
}

/**
 * TENANT_FILE_UNREADABLE unless SQLite's quick_check finds the file sound. Run before the first
 * write, outside the write lock: writing into a damaged file can spread the damage.
 */
export function assertSoundFile(db: Connection): void {
  const verdict = String(db.pragma('main.quick_check(1)', { simple: true }));
  if (verdict === 'ok') return;
  // One line for the report: the verdict starts with a banner and may span lines.
  const problem = verdict.replace('*** in database main ***', '').replace(/\s+/g, ' ').trim();
  throw new TenantMcpError(
    'TENANT_FILE_UNREADABLE',
    `tenant file fails SQLite's quick_check (${problem}); nothing was migrated`,
    { hint: 'restore the tenant file from a backup or repair it, then migrate again' },
  );
}

/**
 * MIGRATION_FAILED saying the file is read-only when `error` is SQLite refusing a write:
 * SQLite quietly opens a file it may not write read-only, so this shows at the first write.
 */
export function readOnlyFile(error: unknown): TenantMcpError | undefined {
  const code = sqliteCodeOf(error) ?? '';
  if (!code.startsWith('SQLITE_READONLY')) return undefined;
  return new TenantMcpError('MIGRATION_FAILED', 'tenant file is read-only; nothing was migrated', {
    cause: error,
    sqliteCode: code,
    hint: "run tenant-mcp as the tenant file's owner, or make the file and its folder writable",
  });
}

function openFailure(file: string, error: unknown): TenantMcpError {
  if (!existsSync(file)) {
    return new TenantMcpError('TENANT_NOT_FOUND', 'tenant file does not exist', { cause: error });
  }
  return new TenantMcpError('TENANT_FILE_UNREADABLE', 'tenant file cannot be opened', {
    cause: error,
    sqliteCode: sqliteCodeOf(error),
  });
}

function rollback(db: Connection): void {
  if (!db.inTransaction) return;
  try {
    db.exec('ROLLBACK');
  } catch {
    // The caller's error explains more; closing the connection rolls back in any case.
  }
}

/** TENANT_BUSY when `error` is SQLite reporting that another connection holds a lock. */
export function busyFile(error: unknown): TenantMcpError | undefined {
  if (!isBusy(error)) return undefined;
  return busy(error);
}

function checkRetries(retries: number): void {
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_BUSY_RETRIES) {
    throw new RangeError(`retries must be an integer from 0 to ${MAX_BUSY_RETRIES}`);
  }
}

function isBusy(error: unknown): boolean {
  return sqliteCodeOf(error)?.startsWith('SQLITE_BUSY') === true;
}

function busy(error: unknown): TenantMcpError {
  return new TenantMcpError('TENANT_BUSY', 'tenant file is locked by another connection', {
    cause: error,
    sqliteCode: sqliteCodeOf(error),
    hint: 'the host is using this tenant file; try again in a few seconds',
  });
}

// The runner is synchronous like better-sqlite3, whose busy timeout blocks the same way.
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
