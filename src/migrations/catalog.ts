import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantMcpError } from '../errors.js';
import { transactionKeywordIn } from './statements.js';

/** One migration file, `NNNN_name.sql`, as read from the migrations folder. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
  /** sha256 hex of the file text with CRLF line ends read as LF. */
  readonly checksum: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads every migration in `dir`, ordered by number; a malformed folder is MIGRATIONS_INVALID. */
export function loadMigrations(dir: string): Migration[] {
  const migrations = listFolder(dir).map((fileName) => readMigration(dir, fileName));
  migrations.sort((a, b) => a.id - b.id);
  assertNumberedFromOne(migrations);
  return migrations;
}

/** The ledger's checksum; CRLF is read as LF so a Windows checkout matches. */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(normalizeLineEnds(text)).digest('hex');
}

/** `0001_pm_schema`: how a migration is named in messages and logs. */
export function migrationLabel(migration: { id: number; name: string }): string {
  return `${String(migration.id).padStart(4, '0')}_${migration.name}`;
}

function listFolder(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    throw invalid('the migrations folder cannot be read', error);
  }
}

function readMigration(dir: string, fileName: string): Migration {
  const match = FILE_NAME.exec(fileName);
  if (!match?.[1] || !match[2]) {
    throw invalid(`unexpected entry '${fileName}' in the migrations folder (want NNNN_name.sql)`);
  }
  const sql = normalizeLineEnds(readText(dir, fileName));
  const migration = { id: Number(match[1]), name: match[2], sql, checksum: migrationChecksum(sql) };
  assertNoTransactionControl(migration);
  return migration;
}

/**
 * The runner wraps each migration in its own transaction and checks the platform before it
 * commits; a COMMIT inside the migration would make SQLite commit before that check.
 */
function assertNoTransactionControl(migration: Migration): void {
  const keyword = transactionKeywordIn(migration.sql);
  if (keyword === undefined) return;
  throw invalid(
    `migration ${migrationLabel(migration)} contains a ${keyword} statement; ` +
      'the runner gives each migration its own transaction',
  );
}

function readText(dir: string, fileName: string): string {
  try {
    return readFileSync(join(dir, fileName), 'utf8');
  } catch (error) {
    throw invalid(`migration '${fileName}' cannot be read`, error);
  }
}

/** Numbers run 1, 2, 3 … with no duplicate and no gap, so the ledger order is unambiguous. */
function assertNumberedFromOne(migrations: Migration[]): void {
  if (migrations.length === 0) throw invalid('the migrations folder holds no migrations');
  migrations.forEach((migration, index) => {
    if (migration.id === index + 1) return;
    const duplicate = migrations[index - 1]?.id === migration.id;
    const problem = duplicate ? 'repeats a number' : `is out of sequence (want ${index + 1})`;
    throw invalid(`migration ${migrationLabel(migration)} ${problem}`);
  });
}

function normalizeLineEnds(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

function invalid(message: string, cause?: unknown): TenantMcpError {
  return new TenantMcpError('MIGRATIONS_INVALID', message, { cause });
}
