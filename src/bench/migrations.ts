import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '../log/logger.js';
import { loadMigrations, type Migration } from '../migrations/catalog.js';
import { migrateTenant, type TenantReport } from '../migrations/tenants.js';
import { ms } from './stats.js';

const TENANTS = 2000;
// Rounds of the floor and the all-current run, interleaved: the median of each is printed,
// so a burst of other work on the machine does not decide the ratio.
const ROUNDS = 3;
const BUSY_TIMEOUT_MS = 5000;

// A small host: users, which migration 0001 refers to, and a few platform tables with rows.
const HOST_SCHEMA = `
  CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT,
    created_at INTEGER NOT NULL);
  CREATE TABLE clients (id TEXT PRIMARY KEY, coach_id TEXT REFERENCES users (id), name TEXT);
  CREATE TABLE coaching_sessions (id INTEGER PRIMARY KEY, client_id TEXT REFERENCES clients (id),
    starts_at INTEGER NOT NULL, notes TEXT);
  CREATE INDEX coaching_sessions_client_idx ON coaching_sessions (client_id);
  CREATE TABLE invoices (id INTEGER PRIMARY KEY, client_id TEXT, cents INTEGER NOT NULL);
  INSERT INTO users VALUES ('u-1', 'ada@example.com', 'Ada', 1700000000),
    ('u-2', 'ben@example.com', 'Ben', 1700000100);
  INSERT INTO clients VALUES ('c-1', 'u-1', 'Northwind'), ('c-2', 'u-2', 'Globex');
  INSERT INTO coaching_sessions (client_id, starts_at, notes)
    VALUES ('c-1', 1700003600, 'kick-off'), ('c-2', 1700007200, 'review');
  INSERT INTO invoices (client_id, cents) VALUES ('c-1', 12000), ('c-2', 9000);
`;

/**
 * Migrations over 2,000 small tenant files, per tenant: the first run, a second run that
 * finds every file current, and beside them the floor, opening each file and committing one
 * empty BEGIN IMMEDIATE. The runs go through the same per-tenant step as `tenant-mcp migrate`.
 */
export function benchMigrations(repo: string, print: (line?: string) => void): void {
  const scratch = mkdtempSync(join(tmpdir(), 'tenant-mcp-bench-migrations-'));
  try {
    const files = createTenants(scratch);
    const migrations = loadMigrations(join(repo, 'migrations'));
    const ids = Object.keys(files);
    const run = (): TenantReport[] => migrateAll(scratch, ids, migrations);

    const first = expectAll(timed(run), 'migrated').ms;
    const rounds: Rounds = { floor: [], schemaRead: [], current: [] };
    for (let round = 0; round < ROUNDS; round++) {
      rounds.floor.push(timed(() => emptyTransactions(Object.values(files))).ms);
      rounds.schemaRead.push(timed(() => schemaReads(Object.values(files))).ms);
      rounds.current.push(expectAll(timed(run), 'current').ms);
    }
    printFigures(print, first, rounds);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `<root>/tenants/tNNNN/main.db`, each a copy of one host file in WAL mode. */
function createTenants(root: string): Record<string, string> {
  const template = join(root, 'template.db');
  const db = new Database(template);
  db.pragma('journal_mode = WAL');
  db.exec(HOST_SCHEMA);
  db.close();
  const files: Record<string, string> = {};
  for (let i = 0; i < TENANTS; i++) {
    const id = `t${String(i).padStart(4, '0')}`;
    const dir = join(root, 'tenants', id);
    mkdirSync(dir, { recursive: true });
    files[id] = join(dir, 'main.db');
    copyFileSync(template, files[id]);
  }
  return files;
}

function migrateAll(dataRoot: string, ids: string[], migrations: Migration[]): TenantReport[] {
  const options = { dataRoot, busyTimeoutMs: BUSY_TIMEOUT_MS, logger: silentLogger() };
  return ids.map((id) => migrateTenant(id, migrations, 'migrate', options));
}

/** The floor: what any writer pays to learn it may write each file. */
function emptyTransactions(files: string[]): void {
  for (const file of files) {
    const db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    db.exec('BEGIN IMMEDIATE');
    db.exec('COMMIT');
    db.close();
  }
}

/**
 * What any SQL read of a table costs at least, and the floor does not: SQLite parses the
 * file's whole schema on the first statement that names a table.
 */
function schemaReads(files: string[]): void {
  for (const file of files) {
    const db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get();
    db.close();
  }
}

function timed<T>(work: () => T): { ms: number; result: T } {
  const started = performance.now();
  const result = work();
  return { ms: performance.now() - started, result };
}

/** A figure for a run that did something else than expected would be a wrong figure. */
function expectAll(run: { ms: number; result: TenantReport[] }, result: TenantReport['result']) {
  const odd = run.result.find((report) => report.result !== result);
  if (odd !== undefined) {
    throw new Error(`bench: tenant ${odd.tenant} was ${odd.result}, expected ${result}`);
  }
  return run;
}

interface Rounds {
  floor: number[];
  schemaRead: number[];
  current: number[];
}

function printFigures(print: (line?: string) => void, first: number, rounds: Rounds): void {
  const perTenant = (total: number): number => total / TENANTS;
  const floor = perTenant(median(rounds.floor));
  const schemaRead = perTenant(median(rounds.schemaRead));
  const current = perTenant(median(rounds.current));
  const times = (value: number): string => `${(value / floor).toFixed(2)}x the floor`;
  print();
  print(`Migrations, ${TENANTS} small tenant files (WAL), per tenant; medians of ${ROUNDS} rounds`);
  print(`  floor: open, BEGIN IMMEDIATE, COMMIT, close   ${ms(floor)}`);
  print(
    `  open, parse the schema, close                 ${ms(schemaRead)}  (${times(schemaRead)})`,
  );
  print(`  first run, 2 migrations each                  ${ms(perTenant(first))}  (one run)`);
  print(`  second run, all current                       ${ms(current)}  (${times(current)})`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
