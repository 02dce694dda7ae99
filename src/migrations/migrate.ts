import { sqliteCodeOf, type Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { adoptableCount, hasPmTables } from './adoption.js';
import { migrationLabel, type Migration } from './catalog.js';
import {
  assertSoundFile,
  busyFile,
  inImmediateTransaction,
  openTenantFile,
  probeWriteLock,
  readOnlyFile,
  retryWhileBusy,
  unreadableFile,
} from './connection.js';
import {
  assertPlatformUnchanged,
  guardPlatformWrites,
  platformWriteTarget,
  snapshotPlatform,
} from './guard.js';
import {
  compareLedger,
  createLedger,
  readLedger,
  recordMigration,
  type LedgerComparison,
  type MigrationRef,
} from './ledger.js';

export type { MigrationRef } from './ledger.js';

/** How to migrate one tenant file. */
export interface MigrateOptions {
  /** How long SQLite waits for another writer (the host) before reporting busy. */
  readonly busyTimeoutMs: number;
  readonly logger: Logger;
  /** Report what would run without writing; the file is opened read-only. */
  readonly dryRun?: boolean;
  /**
   * Tries after SQLite's busy wait runs out, each after a pause that blocks the thread
   * (50, 150, 400 ms); 0 to 3, default 3. A server migrating on first use passes 0, so that
   * a busy file fails at once with TENANT_BUSY instead of stalling every other tenant.
   */
  readonly retries?: number;
  /**
   * When migrations are pending, try the write lock (without waiting) before any read-side
   * work such as quick_check, so that a file the host is writing fails with TENANT_BUSY at
   * once. A server migrating on first use sets it; the `migrate` command does not.
   */
  readonly lockFirst?: boolean;
}

/** A migration this run recorded in the ledger. */
export interface AppliedMigration extends MigrationRef {
  readonly durationMs: number;
  /** True when existing pm_ tables were recorded as this migration instead of being created. */
  readonly adopted: boolean;
}

/** What a migration run did. */
export interface MigrationOutcome {
  readonly applied: AppliedMigration[];
  /** What a dry run would apply; always empty after a real run. */
  readonly pending: MigrationRef[];
  /** True when the file needed nothing. */
  readonly alreadyCurrent: boolean;
}

/** The ledger of one file against the known migrations. */
export interface MigrationStatus {
  readonly applied: (MigrationRef & { readonly appliedAt: number })[];
  readonly pending: MigrationRef[];
  /** Applied, but the migration's text has changed since. */
  readonly drifted: MigrationRef[];
  /** In the ledger, but unknown to this build. */
  readonly unknown: MigrationRef[];
}

// migrationStatus only reads, which the host's writes do not block in WAL mode.
const STATUS_BUSY_TIMEOUT_MS = 5000;

/**
 * Brings the pm_ schema of one existing tenant file up to `migrations`, each migration in
 * its own BEGIN IMMEDIATE transaction. A current file costs one read and no write lock; a file
 * with work to do is checked with quick_check first.
 */
export function migrateTenantFile(
  file: string,
  migrations: Migration[],
  options: MigrateOptions,
): MigrationOutcome {
  const dryRun = options.dryRun === true;
  const db = openTenantFile(file, dryRun, options.busyTimeoutMs, options.retries);
  const run: RunContext = {
    logger: options.logger,
    retries: options.retries,
    lockFirst: options.lockFirst === true && !dryRun,
  };
  try {
    if (dryRun) return planOnly(db, migrations, run);
    return migrate(db, migrations, run);
  } finally {
    db.close();
  }
}

/** Reads what the file's ledger says against `migrations`; never writes, never throws on drift. */
export function migrationStatus(
  file: string,
  migrations: Migration[],
  busyTimeoutMs = STATUS_BUSY_TIMEOUT_MS,
): MigrationStatus {
  // No retries follow this read, so SQLite's busy wait gets the whole timeout.
  const db = openTenantFile(file, true, busyTimeoutMs, 0);
  try {
    const comparison = readingState(() => compareLedger(readLedger(db) ?? [], migrations));
    return {
      applied: comparison.applied.map((row) => ({ ...ref(row), appliedAt: row.appliedAt })),
      pending: comparison.pending.map(ref),
      drifted: comparison.drifted.map(ref),
      unknown: comparison.unknown.map(ref),
    };
  } finally {
    db.close();
  }
}

/** What every step of one run needs besides the connection. */
interface RunContext {
  readonly logger: Logger;
  readonly retries: number | undefined;
  readonly lockFirst: boolean;
}

function migrate(db: Connection, migrations: Migration[], run: RunContext): MigrationOutcome {
  // Without a write lock: on a current file this read is the whole run.
  const pending = readPending(db, migrations, run, false);
  const applied = pending.flatMap((migration) => applyOne(db, migration, migrations, run));
  if (applied.length === 0) run.logger.debug('pm_ schema already current');
  return { applied, pending: [], alreadyCurrent: applied.length === 0 };
}

function planOnly(db: Connection, migrations: Migration[], run: RunContext): MigrationOutcome {
  const pending = readPending(db, migrations, run, true);
  return { applied: [], pending: pending.map(ref), alreadyCurrent: pending.length === 0 };
}

/** The pending migrations, refusing drift, a newer ledger and an unsound file with work to do. */
function readPending(
  db: Connection,
  migrations: Migration[],
  run: RunContext,
  checkAdoption: boolean,
): Migration[] {
  const read = (): Migration[] => {
    const pending = pendingOf(db, migrations);
    if (pending.length === 0) return pending;
    if (run.lockFirst) probeWriteLock(db);
    run.logger.debug({ check: 'quick_check' }, 'checking the tenant file before migrating');
    assertSoundFile(db);
    if (checkAdoption && readLedger(db) === null && hasPmTables(db)) {
      adoptableCount(db, migrations);
    }
    return pending;
  };
  return readingState(() => retryWhileBusy(read, run.logger, run.retries));
}

function pendingOf(db: Connection, migrations: Migration[]): Migration[] {
  const comparison = compareLedger(readLedger(db) ?? [], migrations);
  assertConsistent(comparison, migrations);
  return comparison.pending;
}

function applyOne(
  db: Connection,
  migration: Migration,
  migrations: Migration[],
  run: RunContext,
): AppliedMigration[] {
  let applied: AppliedMigration[];
  try {
    const step = (): AppliedMigration[] => applyIfPending(db, migration, migrations);
    applied = retryWhileBusy(() => inImmediateTransaction(db, step), run.logger, run.retries);
  } catch (error) {
    throw migrationFailure(error, migration);
  }
  for (const { id, name, durationMs, adopted } of applied) {
    const message = adopted ? 'migration adopted' : 'migration applied';
    run.logger.info({ migration: id, name, durationMs }, message);
  }
  return applied;
}

/** Inside the write lock: the ledger is read again, since another process may have migrated. */
function applyIfPending(
  db: Connection,
  migration: Migration,
  migrations: Migration[],
): AppliedMigration[] {
  if (readLedger(db) === null) {
    assertHostFile(db);
    if (hasPmTables(db)) return adopt(db, migrations);
    createLedger(db);
  }
  if (!pendingOf(db, migrations).some((m) => m.id === migration.id)) return [];
  return [runMigration(db, migration)];
}

function runMigration(db: Connection, migration: Migration): AppliedMigration {
  const label = migrationLabel(migration);
  const started = performance.now();
  const before = snapshotPlatform(db);
  const disarm = guardPlatformWrites(db);

  db.exec(migration.sql);
  if (!db.inTransaction) {
    // The catalog refuses transaction statements; this catches any that slip past it.
    throw new TenantMcpError(
      'MIGRATION_FAILED',
      `migration ${label} ended the transaction it runs in; statements before that were kept`,
      { hint: 'migrations must not contain BEGIN, COMMIT, END or ROLLBACK' },
    );
  }
  disarm();
  assertPlatformUnchanged(db, before, label);

  const durationMs = Math.round(performance.now() - started);
  const { id, name, checksum } = migration;
  recordMigration(db, { id, name, checksum, appliedAt: nowSeconds(), durationMs });
  return { id, name, durationMs, adopted: false };
}

/** For pm_ tables that predate the ledger: records the fewest migrations they match as adopted. */
function adopt(db: Connection, migrations: Migration[]): AppliedMigration[] {
  const adopted = migrations.slice(0, adoptableCount(db, migrations));
  createLedger(db);
  const appliedAt = nowSeconds();
  return adopted.map(({ id, name, checksum }) => {
    recordMigration(db, { id, name, checksum, appliedAt, durationMs: 0 });
    return { id, name, durationMs: 0, adopted: true };
  });
}

/** Migration 1 points foreign keys at `users`; a file without it is not a host's file. */
function assertHostFile(db: Connection): void {
  const sql = `SELECT 1 FROM main.sqlite_schema
    WHERE type = 'table' AND name = 'users' COLLATE NOCASE`;
  if (db.prepare(sql).pluck().get() !== undefined) return;
  throw new TenantMcpError(
    'MIGRATION_FAILED',
    'tenant file has no users table, so it is not a host file; nothing was migrated',
  );
}

function assertConsistent(comparison: LedgerComparison, migrations: Migration[]): void {
  const newest = migrations.at(-1)?.id ?? 0;
  const newer = comparison.unknown.find((row) => row.id > newest);
  if (newer !== undefined) {
    const label = migrationLabel(newer);
    throw new TenantMcpError(
      'MIGRATION_NEWER_LEDGER',
      `a newer tenant-mcp migrated this file (it has ${label}); refusing to downgrade`,
      { hint: 'run the tenant-mcp version that applied it, or a newer one' },
    );
  }
  const changed = [...comparison.drifted, ...comparison.unknown].map(migrationLabel).join(', ');
  if (changed === '') return;
  throw new TenantMcpError(
    'MIGRATION_DRIFT',
    `applied migration ${changed} differs from this tenant-mcp's copy`,
    { hint: 'restore the migration file as it was applied; put changes in a new migration' },
  );
}

/** Reads of the ledger: unreadable files are named as such, other SQLite errors kept as cause. */
function readingState<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw failure(error, 'the migration ledger cannot be read');
  }
}

function migrationFailure(error: unknown, migration: Migration): TenantMcpError {
  const label = migrationLabel(migration);
  const table = platformWriteTarget(error);
  if (table === undefined) return failure(error, `migration ${label} failed`);
  const message = `migration ${label} wrote platform table ${table}`;
  const hint = 'migrations may only write pm_ tables';
  return new TenantMcpError('MIGRATION_TOUCHED_PLATFORM', message, { cause: error, hint });
}

/** Keeps our own errors; wraps SQLite's with `context` and its message, never a path. */
function failure(error: unknown, context: string): TenantMcpError {
  if (error instanceof TenantMcpError) return error;
  const message = `${context}: ${error instanceof Error ? error.message : String(error)}`;
  return (
    busyFile(error) ??
    unreadableFile(error) ??
    readOnlyFile(error) ??
    new TenantMcpError('MIGRATION_FAILED', message, {
      cause: error,
      sqliteCode: sqliteCodeOf(error),
    })
  );
}

function ref(item: MigrationRef): MigrationRef {
  return { id: item.id, name: item.name };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
