import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import type { QueryConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { openQueryConnection, type QueryConnection } from '../../src/query/connection.js';
import { QueryPool, type QueryPoolOptions } from '../../src/query/pool.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Text stored only in the other tenant's file; no query on this tenant may return it. */
export const OTHER_SECRET = 'other-tenant-secret-7f3a';

/** A query that runs until its deadline stops it. */
export const ENDLESS =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

/** Rows in the `numbers` table. */
export const NUMBER_ROWS = 20_000;

/** The query limits the tests run with (the config defaults, two workers). */
export const LIMITS: QueryConfig = {
  defaultRowLimit: 200,
  maxRowLimit: 5_000,
  maxResultBytes: 1_000_000,
  maxCellChars: 2_000,
  timeoutMs: 5_000,
  maxTimeoutMs: 30_000,
  workers: 2,
  maxQueue: 64,
  workerMemoryMb: 256,
  perTenantQueue: 16,
  workerTenantConnections: 32,
};

/** A data root with this tenant's file, another tenant's file, and the host connected. */
export interface TenantFixture {
  dataRoot: string;
  file: string;
  otherFile: string;
  /** The host's own read-write connection, kept open in WAL mode as a live host would. */
  host: Database.Database;
  /** sha256 over the tenant file and its WAL: what "unchanged" means. */
  digest(): string;
  remove(): void;
}

const SCHEMA = `
  CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL, name TEXT, created_at INTEGER);
  CREATE TABLE samples (
    id INTEGER PRIMARY KEY, label TEXT NOT NULL, i INTEGER, r REAL, t TEXT, b BLOB,
    price DECIMAL(10,2)
  );
  CREATE TABLE numbers (n INTEGER PRIMARY KEY);
`;

/** Builds a fresh data root under the system temp folder. */
export function createTenantFixture(): TenantFixture {
  const dataRoot = mkdtempSync(join(tmpdir(), 'tenant-mcp-query-'));
  const file = tenantFile(dataRoot, 'acme');
  const otherFile = tenantFile(dataRoot, 'other');
  writeSecretFile(otherFile, OTHER_SECRET);
  const host = new Database(file);
  host.pragma('journal_mode = WAL');
  host.exec(SCHEMA);
  fill(host);
  const digest = () => digestOf([file, `${file}-wal`]);
  const remove = () => {
    host.close();
    rmSync(dataRoot, { recursive: true, force: true });
  };
  return { dataRoot, file, otherFile, host, digest, remove };
}

/** The path of `tenant`'s file under `dataRoot`, its folder created. */
export function tenantFile(dataRoot: string, tenant: string): string {
  const dir = join(dataRoot, 'tenants', tenant);
  mkdirSync(dir, { recursive: true });
  return join(dir, 'main.db');
}

/** Writes a database whose one table, `secrets`, holds `value`; as the other tenant's file. */
export function writeSecretFile(file: string, value: string): void {
  const db = new Database(file);
  db.exec('CREATE TABLE secrets (v TEXT)');
  db.prepare('INSERT INTO secrets VALUES (?)').run(value);
  db.close();
}

function fill(host: Database.Database): void {
  const user = host.prepare('INSERT INTO users VALUES (?, ?, ?, ?)');
  const number = host.prepare('INSERT INTO numbers VALUES (?)');
  host.transaction(() => {
    user.run('u1', 'ann@example.com', 'Ann', 1_700_000_000);
    user.run('u2', 'bo@example.com', 'Bo', 1_700_000_100);
    user.run('u3', 'cy@example.com', null, 1_700_000_200);
    for (let n = 1; n <= NUMBER_ROWS; n += 1) number.run(n);
  })();
}

function digestOf(files: string[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(existsSync(f) ? readFileSync(f) : Buffer.alloc(0));
  return hash.digest('hex');
}

/** A hardened in-process connection to the fixture's tenant file. */
export function connect(fixture: TenantFixture): QueryConnection {
  return openQueryConnection(fixture.file, { cacheSizeKiB: 2_048 });
}

/**
 * The compiled worker. Vitest runs src/ as TypeScript, but a child process needs
 * JavaScript, so these tests use dist/ and refuse to run against a stale build.
 */
export function builtWorkerPath(): string {
  const worker = join(REPO, 'dist', 'query', 'worker.js');
  const src = join(REPO, 'src', 'query');
  const built = existsSync(worker) ? statSync(worker).mtimeMs : 0;
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (built < newest) {
    throw new Error('dist/query is missing or older than src/query: run `npm run build` first');
  }
  return worker;
}

/** Starts a pool on the fixture's tenant file with the test limits, overridable. */
export function startPool(
  fixture: TenantFixture,
  limits: Partial<QueryConfig> = {},
  options: Partial<QueryPoolOptions> = {},
): Promise<QueryPool> {
  return QueryPool.start(poolOptions(fixture, limits, options));
}

/** Launches a pool as a serving session does: it returns before any worker is ready. */
export function launchPool(
  fixture: TenantFixture,
  limits: Partial<QueryConfig> = {},
  options: Partial<QueryPoolOptions> = {},
): QueryPool {
  return QueryPool.launch(poolOptions(fixture, limits, options));
}

function poolOptions(
  fixture: TenantFixture,
  limits: Partial<QueryConfig>,
  options: Partial<QueryPoolOptions>,
): QueryPoolOptions {
  return {
    file: fixture.file,
    limits: { ...LIMITS, ...limits },
    logger: silentLogger(),
    workerPath: builtWorkerPath(),
    redact: [fixture.dataRoot],
    ...options,
  };
}

/** Pids of the query workers whose parent is `parent` (this process by default). */
export function workerPids(parent = process.pid): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => isWorkerChildOf(pid, parent));
}

function isWorkerChildOf(pid: number, parent: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return ppid === parent && cmdline.includes('--tenant-mcp-query-worker');
  } catch {
    return false;
  }
}

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A fresh tenant fixture and hardened connection for each test of the enclosing describe,
 * closed and removed after it. Read them through the returned object.
 */
export function useConnectedFixture(): {
  readonly fixture: TenantFixture;
  readonly conn: QueryConnection;
} {
  const state = {} as { fixture: TenantFixture; conn: QueryConnection };
  beforeEach(() => {
    state.fixture = createTenantFixture();
    state.conn = connect(state.fixture);
  });
  afterEach(() => {
    state.conn.close();
    state.fixture.remove();
  });
  return state;
}

/** What `promise` rejects with, message included; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return { ...(error as object), message: (error as Error).message };
  }
  throw new Error('the call did not fail');
}

/** The error `fn` throws, or undefined when it does not throw. */
export function errorOf(fn: () => unknown): { code?: string; message?: string } | undefined {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  return undefined;
}
