import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildDemoRoot } from '../../src/demo/build.js';
import type { DemoRoot } from '../../src/demo/build.js';
import { silentLogger } from '../../src/log/logger.js';
import { LEDGER_TABLE } from '../../src/migrations/ledger.js';

/** The repository's migrations folder. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** A fresh temporary folder and a function that removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-mcp-demo-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds a small demo root quickly. */
export function buildSmall(root: string, seed?: number): DemoRoot {
  return buildDemoRoot({
    root,
    seed,
    migrationsDir: MIGRATIONS_DIR,
    logger: silentLogger(),
    scale: 0.1,
  });
}

/** Runs `read` on a read-only connection to `file` and closes it. */
export function readTenant<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * A hash of every row of every table, each in primary-key (or rowid) order, with integers
 * read exactly. The migration ledger is left out: it records when and how fast it ran.
 */
export function contentHash(db: Database.Database): string {
  const hash = createHash('sha256');
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  for (const table of tables.filter((name) => name !== LEDGER_TABLE)) {
    hash.update(`table ${table}\n`);
    const rows = db.prepare(`SELECT * FROM ${quote(table)} ORDER BY ${orderBy(db, table)}`);
    for (const row of rows.raw(true).safeIntegers(true).iterate()) {
      hash.update(`${(row as unknown[]).map(cell).join('\t')}\n`);
    }
  }
  return hash.digest('hex');
}

function orderBy(db: Database.Database, table: string): string {
  const columns = db.prepare(`PRAGMA table_info(${quote(table)})`).all() as {
    name: string;
    pk: number;
  }[];
  const keys = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk);
  return keys.length > 0 ? keys.map((column) => quote(column.name)).join(', ') : 'rowid';
}

function cell(value: unknown): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `blob:${value.toString('hex')}`;
  if (typeof value === 'bigint') return `int:${value}`;
  return `${typeof value}:${JSON.stringify(value)}`;
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
