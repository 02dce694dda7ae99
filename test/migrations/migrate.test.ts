import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { TenantMcpError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadMigrations, migrationChecksum, type Migration } from '../../src/migrations/catalog.js';
import {
  migrateTenantFile,
  migrationStatus,
  type MigrateOptions,
} from '../../src/migrations/migrate.js';
import {
  MIGRATIONS_DIR,
  PM_TABLES,
  capturingLogger,
  createHostFile,
  failureOf,
  ledgerOf,
  platformRowsOf,
  pmTablesOf,
  schemaOf,
  useTempDir,
  whileWriteLocked,
  withDb,
  writeMigrations,
} from './fixtures.js';

const shipped = loadMigrations(MIGRATIONS_DIR);
const options = { busyTimeoutMs: 1000, logger: silentLogger() };

function migrationsWith(dir: string, files: Record<string, string>): Migration[] {
  return loadMigrations(writeMigrations(dir, files));
}

/** The error from migrating `file` with `runOptions` while another connection holds its lock. */
function busyFailure(file: string, runOptions: MigrateOptions): TenantMcpError {
  return whileWriteLocked(file, () =>
    failureOf(() => migrateTenantFile(file, shipped, runOptions)),
  );
}

describe('migrateTenantFile', () => {
  const tempDir = useTempDir();

  it('migrates a fresh host file fully and creates every pm_ table', () => {
    const file = createHostFile(tempDir());

    const outcome = migrateTenantFile(file, shipped, options);

    expect(outcome.alreadyCurrent).toBe(false);
    expect(outcome.pending).toEqual([]);
    expect(outcome.applied.map(({ id, name, adopted }) => ({ id, name, adopted }))).toEqual([
      { id: 1, name: 'pm_schema', adopted: false },
      { id: 2, name: 'pm_llm_context_seed', adopted: false },
    ]);
    expect(pmTablesOf(file)).toEqual([...PM_TABLES, 'pm_schema_migrations'].sort());
    expect(ledgerOf(file)).toEqual(
      shipped.map(({ id, name, checksum }) => ({ id, name, checksum })),
    );
  });

  it('applies nothing on a second run and reports the file as already current', () => {
    const file = createHostFile(tempDir());
    migrateTenantFile(file, shipped, options);
    const ledgerAfterFirstRun = withDb(file, (db) =>
      db.prepare('SELECT * FROM pm_schema_migrations').all(),
    );

    const outcome = migrateTenantFile(file, shipped, options);

    expect(outcome).toEqual({ applied: [], pending: [], alreadyCurrent: true });
    expect(withDb(file, (db) => db.prepare('SELECT * FROM pm_schema_migrations').all())).toEqual(
      ledgerAfterFirstRun,
    );
  });

  it('checks a current file without taking the write lock', () => {
    const file = createHostFile(tempDir());
    migrateTenantFile(file, shipped, options);

    const outcome = whileWriteLocked(file, () =>
      migrateTenantFile(file, shipped, { ...options, busyTimeoutMs: 10 }),
    );

    expect(outcome.alreadyCurrent).toBe(true);
  });

  it('leaves the file unchanged when a migration fails halfway', () => {
    const dir = tempDir();
    const file = createHostFile(dir);
    const migrations = migrationsWith(dir, {
      '0001_half.sql':
        'CREATE TABLE pm_first (id TEXT PRIMARY KEY);\nINSERT INTO pm_nowhere VALUES (1);\n',
    });
    const schemaBefore = schemaOf(file);

    const error = failureOf(() => migrateTenantFile(file, migrations, options));

    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toBe('migration 0001_half failed: no such table: pm_nowhere');
    expect(error.sqliteCode).toBe('SQLITE_ERROR');
    expect(error.cause).toBeInstanceOf(Database.SqliteError);
    expect(schemaOf(file)).toEqual(schemaBefore);
    expect(ledgerOf(file)).toBeNull();
  });

  it('keeps the migrations before a failing one and nothing of the failing one', () => {
    const dir = tempDir();
    const file = createHostFile(dir);
    const migrations = migrationsWith(dir, {
      '0001_pm_schema.sql': shipped[0]?.sql ?? '',
      '0002_broken.sql': 'CREATE TABLE pm_extra (id TEXT);\nSELEC nonsense;\n',
    });

    const error = failureOf(() => migrateTenantFile(file, migrations, options));

    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toMatch(/^migration 0002_broken failed: near "SELEC": syntax error/);
    expect(ledgerOf(file)?.map((row) => row.id)).toEqual([1]);
    expect(pmTablesOf(file)).not.toContain('pm_extra');
  });

  const platformTouches: [string, string, string][] = [
    [
      'a trigger on users',
      'CREATE TRIGGER pm_touch AFTER INSERT ON users BEGIN SELECT 1; END;',
      'trigger pm_touch on users',
    ],
    [
      'an index on a platform table',
      'CREATE INDEX pm_clients_name_idx ON clients (name);',
      'created index pm_clients_name_idx on clients',
    ],
    [
      'an index on a table whose name only differs from pm_ in case',
      'CREATE INDEX pm_legacy_idx ON "PM_Legacy" (note);',
      'index pm_legacy_idx on PM_Legacy',
    ],
    ['dropping a platform table', 'DROP TABLE audit_log;', 'dropped table audit_log'],
    [
      'dropping a table that LIKE would take for ours',
      'DROP TABLE "pmXnotes";',
      'dropped table pmXnotes',
    ],
    [
      'altering a platform table',
      'ALTER TABLE clients ADD COLUMN pm_flag INTEGER;',
      'altered table clients',
    ],
    [
      'changing user_version',
      'PRAGMA user_version = 8;',
      'changed PRAGMA user_version from 7 to 8',
    ],
    ['updating platform rows', "UPDATE users SET name = 'Eve';", 'wrote platform table users'],
    [
      'inserting platform rows',
      "INSERT INTO clients (id, name) VALUES ('c-2', 'x');",
      'wrote platform table clients',
    ],
    ['deleting platform rows', 'DELETE FROM "pmXnotes";', 'wrote platform table pmXnotes'],
  ];

  it.each(platformTouches)(
    'refuses and rolls back a migration that touches the platform: %s',
    (_, sql, named) => {
      const dir = tempDir();
      const file = createHostFile(dir);
      const migrations = migrationsWith(dir, {
        '0001_sneaky.sql': `CREATE TABLE pm_ok (id TEXT PRIMARY KEY);\n${sql}\n`,
      });
      const schemaBefore = schemaOf(file);
      const rowsBefore = platformRowsOf(file);

      const error = failureOf(() => migrateTenantFile(file, migrations, options));

      expect(error.code).toBe('MIGRATION_TOUCHED_PLATFORM');
      expect(error.message).toContain('migration 0001_sneaky');
      expect(error.message).toContain(named);
      expect(schemaOf(file)).toEqual(schemaBefore);
      expect(platformRowsOf(file)).toEqual(rowsBefore);
      expect(ledgerOf(file)).toBeNull();
      expect(withDb(file, (db) => db.pragma('user_version', { simple: true }))).toBe(7);
    },
  );

  it('refuses a file whose applied migration text has changed since', () => {
    const dir = tempDir();
    const file = createHostFile(dir);
    migrateTenantFile(file, shipped, options);
    const edited = shipped.map((m) => (m.id === 2 ? { ...m, checksum: 'f'.repeat(64) } : m));

    const error = failureOf(() => migrateTenantFile(file, edited, options));

    expect(error.code).toBe('MIGRATION_DRIFT');
    expect(error.message).toBe(
      "applied migration 0002_pm_llm_context_seed differs from this tenant-mcp's copy",
    );
  });

  it('treats an edited migration file as drift', () => {
    const dir = tempDir();
    const file = createHostFile(dir);
    const folder = writeMigrations(dir, { '0001_pm_schema.sql': shipped[0]?.sql ?? '' });
    migrateTenantFile(file, loadMigrations(folder), options);
    writeFileSync(join(folder, '0001_pm_schema.sql'), `${shipped[0]?.sql ?? ''}\n-- edited\n`);

    const error = failureOf(() => migrateTenantFile(file, loadMigrations(folder), options));

    expect(error.code).toBe('MIGRATION_DRIFT');
    expect(error.message).toContain('0001_pm_schema');
  });

  it('does not treat CRLF line ends in an applied migration as drift', () => {
    const dir = tempDir();
    const file = createHostFile(dir);
    const folder = writeMigrations(dir, { '0001_pm_schema.sql': shipped[0]?.sql ?? '' });
    migrateTenantFile(file, loadMigrations(folder), options);
    writeFileSync(
      join(folder, '0001_pm_schema.sql'),
      (shipped[0]?.sql ?? '').replaceAll('\n', '\r\n'),
    );

    expect(migrateTenantFile(file, loadMigrations(folder), options).alreadyCurrent).toBe(true);
  });

  it('refuses to downgrade a file whose ledger has a migration beyond ours', () => {
    const file = createHostFile(tempDir());
    migrateTenantFile(file, shipped, options);
    withDb(file, (db) =>
      db.exec(`INSERT INTO pm_schema_migrations VALUES (3, 'future', 'abc', 1800000000, 5)`),
    );

    const error = failureOf(() => migrateTenantFile(file, shipped, options));

    expect(error.code).toBe('MIGRATION_NEWER_LEDGER');
    expect(error.message).toBe(
      'a newer tenant-mcp migrated this file (it has 0003_future); refusing to downgrade',
    );
  });

  it('reports TENANT_BUSY while another connection holds the write lock, then migrates', () => {
    const file = createHostFile(tempDir());

    const error = busyFailure(file, { ...options, busyTimeoutMs: 10 });

    expect(error.code).toBe('TENANT_BUSY');
    expect(error.sqliteCode).toBe('SQLITE_BUSY');
    expect(ledgerOf(file)).toBeNull();
    expect(migrateTenantFile(file, shipped, options).applied).toHaveLength(2);
  });

  it('fails at once with TENANT_BUSY and tries no more when retries is 0', () => {
    const file = createHostFile(tempDir());
    const { logger, lines } = capturingLogger();

    const error = busyFailure(file, { busyTimeoutMs: 0, retries: 0, logger });

    expect(error.code).toBe('TENANT_BUSY');
    expect(lines.filter((line) => line.msg === 'tenant file busy; trying again')).toEqual([]);
    expect(ledgerOf(file)).toBeNull();
  });

  it('with lockFirst, refuses a busy file with TENANT_BUSY before quick_check runs', () => {
    const file = createHostFile(tempDir());
    const { logger, lines } = capturingLogger();

    const error = busyFailure(file, { busyTimeoutMs: 0, retries: 0, lockFirst: true, logger });

    expect(error.code).toBe('TENANT_BUSY');
    expect(lines.filter((line) => line.check === 'quick_check')).toEqual([]);
    expect(ledgerOf(file)).toBeNull();
  });

  it('without lockFirst, checks a busy file with quick_check before it finds the lock taken', () => {
    const file = createHostFile(tempDir());
    const { logger, lines } = capturingLogger();

    const error = busyFailure(file, { busyTimeoutMs: 0, retries: 0, logger });

    expect(error.code).toBe('TENANT_BUSY');
    expect(lines.filter((line) => line.check === 'quick_check')).toHaveLength(1);
  });

  it('with lockFirst, gives the probed lock back and migrates a file that is not busy', () => {
    const file = createHostFile(tempDir());
    const { logger, lines } = capturingLogger();

    const outcome = migrateTenantFile(file, shipped, { ...options, lockFirst: true, logger });

    expect(outcome.applied).toHaveLength(2);
    expect(lines.filter((line) => line.check === 'quick_check')).toHaveLength(1);
  });

  it('tries a busy file three more times by default, logging each try', () => {
    const file = createHostFile(tempDir());
    const { logger, lines } = capturingLogger();

    busyFailure(file, { busyTimeoutMs: 0, logger });

    const tries = lines.filter((line) => line.msg === 'tenant file busy; trying again');
    expect(tries.map((line) => line.waitMs)).toEqual([50, 150, 400]);
  });

  it('rejects a retry count outside 0 to 3', () => {
    const file = createHostFile(tempDir());

    for (const retries of [-1, 4, 1.5]) {
      expect(() => migrateTenantFile(file, shipped, { ...options, retries })).toThrow(RangeError);
    }
  });

  it('skips migrations that another process applied while it waited for the lock', () => {
    const file = createHostFile(tempDir());
    const host = new Database(file);
    host.exec('BEGIN IMMEDIATE');
    // While this run backs off from the busy file, the "other process" takes its turn.
    const logger = pino(
      { level: 'debug' },
      {
        write(line: string) {
          if (!line.includes('tenant file busy') || !host.inTransaction) return;
          host.exec('ROLLBACK');
          migrateTenantFile(file, shipped, options);
        },
      },
    );

    const outcome = migrateTenantFile(file, shipped, { busyTimeoutMs: 10, logger });
    host.close();

    expect(outcome).toEqual({ applied: [], pending: [], alreadyCurrent: true });
    expect(ledgerOf(file)?.map((row) => row.id)).toEqual([1, 2]);
  });

  it('never creates a missing tenant file', () => {
    const file = join(tempDir(), 'main.db');

    const error = failureOf(() => migrateTenantFile(file, shipped, options));

    expect(error.code).toBe('TENANT_NOT_FOUND');
    expect(existsSync(file)).toBe(false);
  });

  it('reports a file in a missing folder as not found', () => {
    const file = join(tempDir(), 'absent', 'main.db');

    expect(failureOf(() => migrateTenantFile(file, shipped, options)).code).toBe(
      'TENANT_NOT_FOUND',
    );
    expect(existsSync(file)).toBe(false);
  });

  it('reports a file of random bytes as unreadable and leaves it as it was', () => {
    const file = join(tempDir(), 'main.db');
    const bytes = Buffer.alloc(8192, 'not a database; ');
    writeFileSync(file, bytes);

    const error = failureOf(() => migrateTenantFile(file, shipped, options));

    expect(error.code).toBe('TENANT_FILE_UNREADABLE');
    expect(error.sqliteCode).toBe('SQLITE_NOTADB');
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a file with a damaged page before writing anything, and leaves it as it was', () => {
    const file = createHostFile(tempDir());
    withDb(file, (db) => {
      db.exec(`WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
        INSERT INTO audit_log (entry) SELECT printf('%0500d', i) FROM n`);
      db.pragma('wal_checkpoint(TRUNCATE)');
    });
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 4 * 4096, 5 * 4096);
    writeFileSync(file, bytes);

    const error = failureOf(() => migrateTenantFile(file, shipped, options));

    expect(error.code).toBe('TENANT_FILE_UNREADABLE');
    expect(error.message).toMatch(
      /^tenant file fails SQLite's quick_check \(Tree \d+ page \d+: .+\); nothing was migrated$/,
    );
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses an empty file, which has no users table, and leaves it empty', () => {
    const file = join(tempDir(), 'main.db');
    writeFileSync(file, '');

    const error = failureOf(() => migrateTenantFile(file, shipped, options));

    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toContain('no users table');
    expect(statSync(file).size).toBe(0);
  });

  it('names no file path in its errors', () => {
    const dir = tempDir();
    const file = createHostFile(dir);
    const migrations = migrationsWith(dir, { '0001_bad.sql': 'CREATE TABLE pm_x (;\n' });

    const errors = [
      failureOf(() => migrateTenantFile(file, migrations, options)),
      failureOf(() => migrateTenantFile(join(dir, 'other.db'), shipped, options)),
    ];

    for (const error of errors) expect(error.message).not.toContain(dir);
  });

  it('refuses a migration that ends its transaction even when the catalog was bypassed', () => {
    const file = createHostFile(tempDir());
    const sql = 'CREATE TABLE pm_a (id TEXT);\nCOMMIT;\n';
    const commits: Migration = { id: 1, name: 'commits', sql, checksum: migrationChecksum(sql) };

    const error = failureOf(() => migrateTenantFile(file, [commits], options));

    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toContain('ended the transaction it runs in');
    expect(ledgerOf(file)).toEqual([]);
  });

  it('rejects a busy timeout that is not a non-negative integer', () => {
    const file = createHostFile(tempDir());

    expect(() => migrateTenantFile(file, shipped, { ...options, busyTimeoutMs: -1 })).toThrow(
      RangeError,
    );
  });
});

describe('migrateTenantFile on the host data', () => {
  const tempDir = useTempDir();

  it('leaves every platform row as it was', () => {
    const file = createHostFile(tempDir());
    const rowsBefore = platformRowsOf(file);

    migrateTenantFile(file, shipped, options);

    expect(platformRowsOf(file)).toEqual(rowsBefore);
    expect(rowsBefore.users).toHaveLength(2);
    expect(rowsBefore.audit_log).toEqual([{ id: 1, entry: 'client c-1' }]);
  });

  it('keeps the platform schema objects exactly as they were', () => {
    const file = createHostFile(tempDir());
    const platformOnly = (rows: unknown[]): unknown[] =>
      rows.filter((row) => !String((row as { tbl_name: string }).tbl_name).startsWith('pm_'));
    const before = platformOnly(schemaOf(file));

    migrateTenantFile(file, shipped, options);

    expect(platformOnly(schemaOf(file))).toEqual(before);
  });

  it('leaves journal_mode, user_version and page_size unchanged', () => {
    const file = createHostFile(tempDir());
    const pragmas = (): unknown[] =>
      withDb(file, (db) =>
        ['journal_mode', 'user_version', 'page_size', 'auto_vacuum'].map((p) =>
          db.pragma(p, { simple: true }),
        ),
      );
    expect(pragmas()).toEqual(['wal', 7, 4096, 0]);

    migrateTenantFile(file, shipped, options);

    expect(pragmas()).toEqual(['wal', 7, 4096, 0]);
  });

  it('logs each applied migration by number, name and duration only', () => {
    const dir = tempDir();
    const file = createHostFile(dir);
    const { logger, lines } = capturingLogger();

    migrateTenantFile(file, shipped, { busyTimeoutMs: 1000, logger });

    const applied = lines.filter((line) => line.msg === 'migration applied');
    expect(applied.map((line) => [line.migration, line.name])).toEqual([
      [1, 'pm_schema'],
      [2, 'pm_llm_context_seed'],
    ]);
    expect(applied.every((line) => typeof line.durationMs === 'number')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(dir);
  });
});

describe('adopting pm_ tables made without a ledger', () => {
  const tempDir = useTempDir();

  function hostWithPmTables(extraSql = ''): string {
    const file = createHostFile(tempDir());
    withDb(file, (db) => {
      db.exec(shipped[0]?.sql ?? '');
      db.exec(`INSERT INTO pm_projects (id, title, key, created_at, updated_at)
        VALUES ('p-1', 'Spring launch', 'SPRING', 1700000000, 1700000000)`);
      db.exec(extraSql);
    });
    return file;
  }

  it('records migration 1 as adopted when the tables match it, and applies the rest', () => {
    const file = hostWithPmTables();

    const outcome = migrateTenantFile(file, shipped, options);

    expect(outcome.applied.map(({ id, adopted }) => ({ id, adopted }))).toEqual([
      { id: 1, adopted: true },
      { id: 2, adopted: false },
    ]);
    expect(ledgerOf(file)?.map((row) => row.id)).toEqual([1, 2]);
    expect(withDb(file, (db) => db.prepare('SELECT key FROM pm_projects').pluck().all())).toEqual([
      'SPRING',
    ]);
  });

  it('refuses tables of a different shape, says what differs and changes nothing', () => {
    const file = hostWithPmTables(
      'ALTER TABLE pm_projects ADD COLUMN colour TEXT; DROP TABLE pm_swim_lanes;',
    );
    const schemaBefore = schemaOf(file);

    const error = failureOf(() => migrateTenantFile(file, shipped, options));

    expect(error.code).toBe('MIGRATION_ADOPTION_REFUSED');
    expect(error.message).toBe(
      'existing pm_ tables differ from migration 0001_pm_schema: ' +
        'extra column pm_projects.colour; missing table pm_swim_lanes',
    );
    expect(schemaOf(file)).toEqual(schemaBefore);
  });

  it('refuses in a dry run as well', () => {
    const file = hostWithPmTables('ALTER TABLE pm_comments DROP COLUMN updated_by;');

    const error = failureOf(() => migrateTenantFile(file, shipped, { ...options, dryRun: true }));

    expect(error.code).toBe('MIGRATION_ADOPTION_REFUSED');
    expect(error.message).toContain('missing column pm_comments.updated_by');
  });
});

describe('dry runs and status', () => {
  const tempDir = useTempDir();

  it('lists pending migrations in a dry run and changes nothing', () => {
    const file = createHostFile(tempDir());
    const schemaBefore = schemaOf(file);

    const outcome = migrateTenantFile(file, shipped, { ...options, dryRun: true });

    expect(outcome).toEqual({
      applied: [],
      pending: [
        { id: 1, name: 'pm_schema' },
        { id: 2, name: 'pm_llm_context_seed' },
      ],
      alreadyCurrent: false,
    });
    expect(schemaOf(file)).toEqual(schemaBefore);
  });

  it('reports a current file as current in a dry run', () => {
    const file = createHostFile(tempDir());
    migrateTenantFile(file, shipped, options);

    expect(migrateTenantFile(file, shipped, { ...options, dryRun: true })).toEqual({
      applied: [],
      pending: [],
      alreadyCurrent: true,
    });
  });

  it('reports every migration as pending on a fresh file', () => {
    const file = createHostFile(tempDir());

    expect(migrationStatus(file, shipped)).toEqual({
      applied: [],
      pending: [
        { id: 1, name: 'pm_schema' },
        { id: 2, name: 'pm_llm_context_seed' },
      ],
      drifted: [],
      unknown: [],
    });
  });

  it('reports applied, drifted and unknown migrations without refusing', () => {
    const file = createHostFile(tempDir());
    migrateTenantFile(file, shipped, options);
    withDb(file, (db) => {
      db.exec(`UPDATE pm_schema_migrations SET checksum = 'old' WHERE id = 2`);
      db.exec(`INSERT INTO pm_schema_migrations VALUES (9, 'future', 'abc', 1800000000, 5)`);
    });

    const status = migrationStatus(file, shipped);

    expect(status.applied.map((m) => m.id)).toEqual([1]);
    expect(status.applied[0]?.appliedAt).toBeGreaterThan(1_700_000_000);
    expect(status.pending).toEqual([]);
    expect(status.drifted).toEqual([{ id: 2, name: 'pm_llm_context_seed' }]);
    expect(status.unknown).toEqual([{ id: 9, name: 'future' }]);
  });

  it('reports status of a missing file as not found without creating it', () => {
    const file = join(tempDir(), 'main.db');

    expect(failureOf(() => migrationStatus(file, shipped)).code).toBe('TENANT_NOT_FOUND');
    expect(existsSync(file)).toBe(false);
  });
});
