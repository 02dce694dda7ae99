import { mkdirSync, rmSync } from 'node:fs';
import { join, parse, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { TenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { loadMigrations } from '../migrations/catalog.js';
import type { Migration } from '../migrations/catalog.js';
import { migrateTenantFile } from '../migrations/migrate.js';
import { writePlatform } from './platform/fill.js';
import type { Staff } from './platform/people.js';
import { writePm } from './pm/fill.js';
import { DEMO_TENANTS } from './profiles.js';
import type { TenantProfile } from './profiles.js';
import { hashString, Random } from './random.js';
import { quoteIdentifier } from '../db/open.js';
import { ensureDevSecret } from './secret.js';

/** How to build a demo data root. */
export interface DemoOptions {
  /** The data root; its `tenants/<id>` folders are deleted and rebuilt. */
  root: string;
  /** Same seed, same rows. */
  seed?: number;
  migrationsDir: string;
  logger: Logger;
  /** Multiplies the platform row counts; 0.1 builds a small root quickly. */
  scale?: number;
}

/** One built demo tenant and the rows in each of its tables. */
export interface DemoTenant {
  id: string;
  name: string;
  file: string;
  rowCounts: Record<string, number>;
}

/** A built demo data root and the development secret its tokens are signed with. */
export interface DemoRoot {
  root: string;
  secret: string;
  tenants: DemoTenant[];
}

/** The seed used when none is given. */
export const DEFAULT_SEED = 20250303;

const MAX_SCALE = 50;
const BUSY_TIMEOUT_MS = 5000;

/**
 * Builds `<root>/tenants/<id>/main.db` for each demo tenant: host platform tables full of a
 * coaching business's data, then the pm_ migrations, then believable pm_ data. Repeatable:
 * existing demo tenant folders are replaced; the dev secret is kept.
 */
export function buildDemoRoot(options: DemoOptions): DemoRoot {
  const root = checkedRoot(options.root);
  const seed = checkedSeed(options.seed ?? DEFAULT_SEED);
  const scale = checkedScale(options.scale ?? 1);
  const migrations = loadMigrations(options.migrationsDir);

  mkdirSync(join(root, 'tenants'), { recursive: true });
  const secret = ensureDevSecret(root);

  const tenants = DEMO_TENANTS.map((profile) =>
    buildTenant({ root, profile, seed, scale, migrations, logger: options.logger }),
  );
  return { root, secret, tenants };
}

function checkedRoot(root: string): string {
  if (root.trim() === '') throw new TenantMcpError('USAGE', 'the demo data root is empty');
  const resolved = resolve(root);
  if (resolved === parse(resolved).root) {
    throw new TenantMcpError('USAGE', 'the demo data root cannot be the file system root');
  }
  return resolved;
}

function checkedSeed(seed: number): number {
  if (!Number.isSafeInteger(seed))
    throw new TenantMcpError('USAGE', 'the demo seed must be an integer');
  return seed;
}

function checkedScale(scale: number): number {
  if (!Number.isFinite(scale) || scale <= 0 || scale > MAX_SCALE) {
    throw new TenantMcpError('USAGE', `the demo scale must be above 0 and at most ${MAX_SCALE}`);
  }
  return scale;
}

interface TenantBuild {
  root: string;
  profile: TenantProfile;
  seed: number;
  scale: number;
  migrations: Migration[];
  logger: Logger;
}

function buildTenant({ root, profile, seed, scale, migrations, logger }: TenantBuild): DemoTenant {
  const started = performance.now();
  const file = freshTenantFile(root, profile.id);
  const rng = new Random(hashString(`${seed}:${profile.id}`));

  const staff = withDatabase(file, (db) => writePlatform(db, profile, rng.fork('platform'), scale));
  migrateTenantFile(file, migrations, { busyTimeoutMs: BUSY_TIMEOUT_MS, logger });
  const rowCounts = withDatabase(file, (db) => fillPm(db, profile, staff, rng.fork('pm')));

  const ms = Math.round(performance.now() - started);
  logger.info({ tenant: profile.id, rows: sum(rowCounts), ms }, 'demo tenant built');
  return { id: profile.id, name: profile.name, file, rowCounts };
}

// Deletes only the demo tenant's own folder; the id is one of ours, never user input.
function freshTenantFile(root: string, tenantId: string): string {
  const folder = join(root, 'tenants', tenantId);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  return join(folder, 'main.db');
}

function withDatabase<T>(file: string, work: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    return work(db);
  } finally {
    db.close();
  }
}

function fillPm(
  db: Database.Database,
  profile: TenantProfile,
  staff: readonly Staff[],
  rng: Random,
): Record<string, number> {
  writePm(db, profile, staff, rng);
  return countRows(db);
}

// Counts every table except SQLite's own and the FTS index with its shadow tables, which
// only mirror session_notes.
function countRows(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  const counts: Record<string, number> = {};
  for (const table of tables.filter((name) => !/^(sqlite_|session_notes_fts)/.test(name))) {
    counts[table] = db
      .prepare(`SELECT count(*) FROM ${quoteIdentifier(table)}`)
      .pluck()
      .get() as number;
  }
  return counts;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}
