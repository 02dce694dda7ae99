import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { MIGRATIONS_DIR, PM_TABLES, withDb, writeMigrations } from './fixtures.js';

/** The compiled CLI entry; `npm test` (or `tsc -p tsconfig.build.json`) builds it first. */
export const CLI_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** How a child process ended and what it printed. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running child with its output so far. */
export interface Child {
  process: ChildProcess;
  output: { stdout: string; stderr: string };
  finished: Promise<Finished>;
}

/** Starts `node dist/cli/main.js migrate --config <config> ...args`. */
export function spawnMigrate(config: string, args: string[]): Child {
  const child = spawn(process.execPath, [CLI_MAIN, 'migrate', '--config', config, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const finished = new Promise<Finished>((done) =>
    child.on('close', (code, signal) => done({ code, signal, ...output })),
  );
  return { process: child, output, finished };
}

/** Resolves once the child's stderr contains `text` (or the child has ended). */
export function stderrShows(child: Child, text: string): Promise<void> {
  return new Promise((done) => {
    const check = (): void => {
      if (!child.output.stderr.includes(text)) return;
      child.process.stderr?.off('data', check);
      done();
    };
    child.process.stderr?.on('data', check);
    void child.finished.then(() => done());
    check();
  });
}

/**
 * A sha256 over every row of every platform table (FTS and WITHOUT ROWID tables included),
 * read raw and with exact integers, so any changed, lost or added row changes it.
 */
export function platformDigest(file: string): string {
  return withDb(file, (db) => {
    const hash = createHash('sha256');
    const tables = db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
      )
      .pluck()
      .all() as string[];
    for (const table of tables.filter((name) => !name.startsWith('pm_'))) {
      const rows = db
        .prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`)
        .raw()
        .safeIntegers();
      hash.update(table);
      for (const row of rows.iterate() as Iterable<unknown[]>) hash.update(rowText(row));
    }
    return hash.digest('hex');
  });
}

function rowText(row: unknown[]): string {
  const cells = row.map((cell) => {
    if (Buffer.isBuffer(cell)) return { blob: cell.toString('hex') };
    return typeof cell === 'bigint' ? { integer: cell.toString() } : cell;
  });
  return `${JSON.stringify(cells)}\n`;
}

/** `PRAGMA integrity_check` of the file: 'ok' when sound. */
export function integrityOf(file: string): string {
  return withDb(file, (db) => String(db.pragma('integrity_check', { simple: true })));
}

/** Writes a config for a data root whose migrations live in `migrationsDir`. */
export function writeChildConfig(
  root: string,
  migrationsDir: string,
  logLevel: 'silent' | 'debug' = 'silent',
): string {
  const file = join(root, 'mcp.config.json');
  const config = {
    dataRoot: root,
    auth: { algorithms: ['HS256'], secretEnv: 'TENANT_MCP_JWT_SECRET' },
    migrations: { dir: migrationsDir, busyTimeoutMs: 10_000 },
    log: { level: logLevel },
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/**
 * A migrations folder holding the shipped migrations and two more that take a while: 0003
 * writes `rows` rows of history in one statement, 0004 indexes them.
 */
export function slowMigrations(dir: string, rows: number): string {
  const shipped = loadMigrations(MIGRATIONS_DIR);
  return writeMigrations(dir, {
    '0001_pm_schema.sql': shipped[0]?.sql ?? '',
    '0002_pm_llm_context_seed.sql': shipped[1]?.sql ?? '',
    '0003_bulk_history.sql': `WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
INSERT INTO pm_activity_log (id, entity_type, entity_id, action, user_id, timestamp)
SELECT 'bulk-' || i, 'bulk', 'e-' || (i % 100), 'imported', 'u-' || (i % 7), 1700000000 + i FROM n;
`,
    '0004_bulk_index.sql': 'CREATE INDEX pm_activity_log_action_idx ON pm_activity_log (action);\n',
  });
}

// Each seed row of 0002 is one INSERT statement.
const SEED_ROWS = (
  loadMigrations(MIGRATIONS_DIR)[1]?.sql.match(/^INSERT INTO pm_llm_context/gm) ?? []
).length;

/** The labels of the migrations slowMigrations writes. */
export const SLOW_LABELS = [
  '0001_pm_schema',
  '0002_pm_llm_context_seed',
  '0003_bulk_history',
  '0004_bulk_index',
];

/**
 * Which of slowMigrations' migrations the file shows the whole effect of, or 'partial' for
 * one it shows part of, which a sound run never leaves behind.
 */
export function slowEffectsOf(file: string, rows: number): (number | 'partial')[] {
  return withDb(file, (db) => {
    const has = (type: string, name: string): boolean =>
      db.prepare('SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?').get(type, name) !==
      undefined;
    const count = (sql: string): number => Number(db.prepare(sql).pluck().get());
    const tables = PM_TABLES.filter((table) => has('table', table)).length;
    if (tables === 0) return [];
    const seeded = count(`SELECT count(*) FROM pm_llm_context WHERE id LIKE '5e7d0a1c-%'`);
    const bulk = count(`SELECT count(*) FROM pm_activity_log WHERE entity_type = 'bulk'`);
    const effects: (number | 'partial')[] = [tables === PM_TABLES.length ? 1 : 'partial'];
    if (seeded > 0) effects.push(seeded === SEED_ROWS ? 2 : 'partial');
    if (bulk > 0) effects.push(bulk === rows ? 3 : 'partial');
    if (has('index', 'pm_activity_log_action_idx')) effects.push(4);
    return effects;
  });
}
