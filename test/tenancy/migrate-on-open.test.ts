import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MigrationsConfig } from '../../src/config/schema.js';
import type { TenantMcpError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import type { QueryRunner } from '../../src/mcp/context.js';
import {
  firstUseMigrator,
  migrateAllAtStartup,
  type FirstUseOptions,
  type MigrationSettings,
} from '../../src/tenancy/migrate-on-open.js';
import { TenantPool } from '../../src/tenancy/tenant-pool.js';
import {
  MIGRATIONS_DIR,
  PM_TABLES,
  capturingLogger,
  createTenant,
  holdWriteLock,
  pmTablesOf,
} from '../migrations/fixtures.js';
import { failure } from '../support/failure.js';

const MIGRATED_TABLES = [...PM_TABLES, 'pm_schema_migrations'].sort();

let dir: string;
let root: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenant-mcp-migrate-on-open-'));
  root = join(dir, 'data');
  mkdirSync(join(root, 'tenants'), { recursive: true });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function settings(migrations: Partial<MigrationsConfig> = {}): MigrationSettings {
  return {
    dataRoot: root,
    migrations: {
      dir: MIGRATIONS_DIR,
      onStartup: true,
      onFirstUse: true,
      busyTimeoutMs: 0,
      ...migrations,
    },
  };
}

function poolMigratingOnFirstUse(
  options: FirstUseOptions = {},
  logger = silentLogger(),
  migrations: Partial<MigrationsConfig> = {},
): TenantPool {
  const runner: QueryRunner = { run: () => Promise.reject(new Error('not used')) };
  return new TenantPool({
    dataRoot: root,
    queryPool: { forTenant: () => runner, forget: () => undefined },
    logger: silentLogger(),
    maxOpen: 4,
    idleMs: 60_000,
    migrate: firstUseMigrator(settings(migrations), logger, options),
  });
}

/** The error from leasing acme while the host holds the write lock on `file`; closes `pool`. */
async function leaseRefusedWhileLocked(pool: TenantPool, file: string): Promise<TenantMcpError> {
  const releaseLock = holdWriteLock(file);
  try {
    return failure(() => pool.lease('acme'));
  } finally {
    releaseLock();
    await pool.close();
  }
}

describe('firstUseMigrator', () => {
  it('gives no migrator when migrations.onFirstUse is off', () => {
    expect(firstUseMigrator(settings({ onFirstUse: false }), silentLogger())).toBeUndefined();
  });

  it('refuses a migrations folder that cannot be read when it is built', () => {
    const broken = settings({ dir: join(dir, 'no-such-folder') });

    expect(failure(() => firstUseMigrator(broken, silentLogger())).code).toBe('MIGRATIONS_INVALID');
  });

  it('brings the pm_ schema up to date before the pool opens the tenant', async () => {
    const file = createTenant(root, 'acme');
    const pool = poolMigratingOnFirstUse();

    const lease = pool.lease('acme');
    const tables = lease.handle.db
      .prepare(`SELECT count(*) FROM sqlite_schema WHERE name = 'pm_work_items'`)
      .pluck()
      .get();
    lease.release();
    await pool.close();

    expect(tables).toBe(1);
    expect(pmTablesOf(file)).toEqual(MIGRATED_TABLES);
  });

  it('fails the lease with TENANT_BUSY while the host writes, then migrates on the next', async () => {
    const file = createTenant(root, 'acme');
    const pool = poolMigratingOnFirstUse({ busyCooldownMs: 0 });
    const releaseLock = holdWriteLock(file);

    try {
      expect(failure(() => pool.lease('acme')).code).toBe('TENANT_BUSY');
      expect(pool.stats()).toMatchObject({ open: 0, opens: 0 });
    } finally {
      releaseLock();
    }

    pool.lease('acme').release();
    await pool.close();
    expect(pmTablesOf(file)).toEqual(MIGRATED_TABLES);
  });

  it('opens a current tenant while the host holds the write lock: it only reads the ledger', async () => {
    const file = createTenant(root, 'acme');
    await migrateAllAtStartup(settings(), silentLogger());
    const pool = poolMigratingOnFirstUse();
    const releaseLock = holdWriteLock(file);

    try {
      const lease = pool.lease('acme');
      lease.release();
      expect(pool.stats()).toMatchObject({ open: 1, opens: 1 });
    } finally {
      releaseLock();
      await pool.close();
    }
  });

  it('gives TENANT_BUSY for pending migrations without a retry, whatever wait the config allows', async () => {
    const file = createTenant(root, 'acme');
    const { logger, lines } = capturingLogger();
    const pool = poolMigratingOnFirstUse({}, logger, { busyTimeoutMs: 60_000 });

    expect((await leaseRefusedWhileLocked(pool, file)).code).toBe('TENANT_BUSY');
    expect(lines.map((line) => line.msg)).toEqual([
      'first-use migration did not complete; tenant not opened',
    ]);
    expect(lines[0]).toMatchObject({ tenant: 'acme', code: 'TENANT_BUSY' });
    expect(pmTablesOf(file)).toEqual([]);
  });

  it('tries the write lock before quick_check: a busy file is refused without checking it', async () => {
    const file = createTenant(root, 'acme');
    const { logger, lines } = capturingLogger();
    const pool = poolMigratingOnFirstUse({}, logger);

    expect((await leaseRefusedWhileLocked(pool, file)).code).toBe('TENANT_BUSY');
    expect(lines.filter((line) => line.check === 'quick_check')).toEqual([]);
  });

  it('checks a file that is not busy with quick_check once, then migrates it', async () => {
    const file = createTenant(root, 'acme');
    const { logger, lines } = capturingLogger();
    const pool = poolMigratingOnFirstUse({}, logger);

    pool.lease('acme').release();
    await pool.close();

    expect(lines.filter((line) => line.check === 'quick_check')).toHaveLength(1);
    expect(pmTablesOf(file)).toEqual(MIGRATED_TABLES);
  });

  it('still refuses a tenant whose ledger has drifted from the shipped migrations', async () => {
    const file = createTenant(root, 'acme');
    await migrateAllAtStartup(settings(), silentLogger());
    const db = new Database(file);
    db.prepare(`UPDATE pm_schema_migrations SET checksum = 'changed' WHERE id = 1`).run();
    db.close();
    const pool = poolMigratingOnFirstUse();

    expect(failure(() => pool.lease('acme')).code).toBe('MIGRATION_DRIFT');
    await pool.close();
  });

  it('refuses a busy tenant at once during the cool-down, and tries again after it', async () => {
    const file = createTenant(root, 'acme');
    let now = 1_000_000;
    const pool = poolMigratingOnFirstUse({ busyCooldownMs: 5_000, now: () => now });
    const releaseLock = holdWriteLock(file);
    expect(failure(() => pool.lease('acme')).code).toBe('TENANT_BUSY');
    releaseLock();

    now += 4_999;
    const early = failure(() => pool.lease('acme'));
    expect(early.code).toBe('TENANT_BUSY');
    expect(early.message).toBe('tenant file was locked by another connection just now');
    expect(pmTablesOf(file)).toEqual([]);

    now += 1;
    pool.lease('acme').release();
    await pool.close();
    expect(pmTablesOf(file)).toEqual(MIGRATED_TABLES);
  });
});

describe('migrateAllAtStartup', () => {
  it('migrates every tenant and counts the one that failed, logging no path', async () => {
    createTenant(root, 'acme');
    createTenant(root, 'globex');
    mkdirSync(join(root, 'tenants', 'broken'));
    writeFileSync(join(root, 'tenants', 'broken', 'main.db'), '');
    const { logger, lines } = capturingLogger();

    const summary = await migrateAllAtStartup(settings(), logger);

    expect(summary).toEqual({ tenants: 3, migrated: 2, current: 0, pending: 0, failed: 1 });
    const failed = lines.find((line) => line.tenant === 'broken');
    expect(failed).toMatchObject({ level: 40, code: 'TENANT_FILE_REFUSED' });
    expect(JSON.stringify(lines)).not.toContain(dir);
  });

  it('finds migrated tenants current on the next run', async () => {
    createTenant(root, 'acme');
    await migrateAllAtStartup(settings(), silentLogger());

    const summary = await migrateAllAtStartup(settings(), silentLogger());

    expect(summary).toEqual({ tenants: 1, migrated: 0, current: 1, pending: 0, failed: 0 });
  });

  it('counts a tenant whose file the host holds locked as pending', async () => {
    const file = createTenant(root, 'acme');
    createTenant(root, 'globex');
    const releaseLock = holdWriteLock(file);

    try {
      const summary = await migrateAllAtStartup(settings(), silentLogger());

      expect(summary).toEqual({ tenants: 2, migrated: 1, current: 0, pending: 1, failed: 0 });
    } finally {
      releaseLock();
    }
  });

  it("never waits for the host's lock, whatever migrations.busyTimeoutMs says", async () => {
    // A busy wait here would block the server's thread for a minute per try: the test's own
    // five-second limit would fail it long before.
    const file = createTenant(root, 'acme');
    const releaseLock = holdWriteLock(file);
    const { logger, lines } = capturingLogger();

    try {
      const summary = await migrateAllAtStartup(settings({ busyTimeoutMs: 60_000 }), logger);

      expect(summary).toEqual({ tenants: 1, migrated: 0, current: 0, pending: 1, failed: 0 });
      expect(lines.find((line) => line.tenant === 'acme')).toMatchObject({
        level: 40,
        code: 'TENANT_BUSY',
      });
    } finally {
      releaseLock();
    }
  });
});
