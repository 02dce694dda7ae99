import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { MigrateSummary } from '../../src/cli/commands/migrate.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { migrateTenantFile } from '../../src/migrations/migrate.js';
import {
  MIGRATIONS_DIR,
  createHostFile,
  ledgerOf,
  schemaOf,
  useTempDir,
  withDb,
  writeMigrations,
} from '../migrations/fixtures.js';
import { addHostTenants, copyTenants, runCli, tenantDir, writeConfig } from './fake-io.js';

const ALL = ['0001_pm_schema', '0002_pm_llm_context_seed'];
const shipped = loadMigrations(MIGRATIONS_DIR);

function migrateNow(file: string): void {
  migrateTenantFile(file, shipped, { busyTimeoutMs: 1000, logger: silentLogger() });
}

function parse(stdout: string): MigrateSummary {
  return JSON.parse(stdout) as MigrateSummary;
}

describe('tenant-mcp migrate', () => {
  const tempDir = useTempDir();

  function rootWith(ids: string[], config: Parameters<typeof writeConfig>[1] = {}) {
    const root = tempDir();
    const files = addHostTenants(root, ids);
    return { root, files, config: writeConfig(root, config) };
  }

  it('migrates every tenant, names each, and exits with 0', async () => {
    const { root, files, config } = rootWith(['acme', 'globex']);

    const ran = await runCli(root, ['migrate', '--config', config]);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe(
      `acme: migrated ${ALL.join(', ')}\n` +
        `globex: migrated ${ALL.join(', ')}\n` +
        '2 tenants: 2 migrated, 0 already current, 0 pending, 0 failed\n',
    );
    for (const file of Object.values(files))
      expect(ledgerOf(file)?.map((r) => r.id)).toEqual([1, 2]);
  });

  it('finds every tenant current on a second run and lists none of them', async () => {
    const { root, config } = rootWith(['acme', 'globex']);
    await runCli(root, ['migrate', '--config', config]);

    const ran = await runCli(root, ['migrate', '--config', config]);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe('2 tenants: 0 migrated, 2 already current, 0 pending, 0 failed\n');
  });

  it('reports one broken tenant with its reason, migrates the others and exits with 1', async () => {
    const { root, files, config } = rootWith(['acme', 'globex']);
    writeFileSync(join(tenantDir(root, 'broken'), 'main.db'), Buffer.alloc(4096, 'garbage'));

    const ran = await runCli(root, ['migrate', '--config', config, '--json']);

    expect(ran.code).toBe(1);
    expect(parse(ran.stdout)).toEqual({
      mode: 'migrate',
      tenants: 3,
      migrated: 2,
      current: 0,
      pending: 0,
      drifted: 0,
      failed: 1,
      reports: [
        { tenant: 'acme', result: 'migrated', applied: ALL, adopted: [] },
        {
          tenant: 'broken',
          result: 'failed',
          code: 'TENANT_FILE_UNREADABLE',
          reason: 'tenant file is not a readable SQLite database',
        },
        { tenant: 'globex', result: 'migrated', applied: ALL, adopted: [] },
      ],
    });
    expect(ledgerOf(files.globex ?? '')?.map((r) => r.id)).toEqual([1, 2]);
    expect(ran.stdout + ran.stderr).not.toContain(root);
  });

  it('names the failure and its hint in the text report', async () => {
    const { root, files, config } = rootWith(['acme']);
    migrateNow(files.acme ?? '');
    withDb(files.acme ?? '', (db) =>
      db.exec(`UPDATE pm_schema_migrations SET checksum = 'old' WHERE id = 2`),
    );

    const ran = await runCli(root, ['migrate', '--config', config]);

    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe(
      'acme: FAILED MIGRATION_DRIFT: applied migration 0002_pm_llm_context_seed differs from ' +
        "this tenant-mcp's copy (restore the migration file as it was applied; put changes in a " +
        'new migration)\n' +
        '1 tenant: 0 migrated, 0 already current, 0 pending, 1 failed\n',
    );
  });

  it('reports a busy tenant as pending with the reason, without stopping the run', async () => {
    const { root, files, config } = rootWith(['acme', 'busy', 'globex'], { busyTimeoutMs: 10 });
    const host = new Database(files.busy ?? '');
    host.exec('BEGIN IMMEDIATE');
    let ran;
    try {
      ran = await runCli(root, ['migrate', '--config', config, '--json']);
    } finally {
      host.exec('ROLLBACK');
      host.close();
    }

    expect(ran.code).toBe(0);
    const summary = parse(ran.stdout);
    expect([summary.migrated, summary.pending, summary.failed]).toEqual([2, 1, 0]);
    expect(summary.reports[1]).toEqual({
      tenant: 'busy',
      result: 'pending',
      pending: ALL,
      code: 'TENANT_BUSY',
      reason: 'tenant file is locked by another connection',
    });
    expect(ledgerOf(files.busy ?? '')).toBeNull();
    expect(ledgerOf(files.globex ?? '')?.map((r) => r.id)).toEqual([1, 2]);
  });

  it('says in the text report that a busy tenant is still pending', async () => {
    const { root, files, config } = rootWith(['busy'], { busyTimeoutMs: 10 });
    const host = new Database(files.busy ?? '');
    host.exec('BEGIN IMMEDIATE');
    let ran;
    try {
      ran = await runCli(root, ['migrate', '--config', config]);
    } finally {
      host.exec('ROLLBACK');
      host.close();
    }

    expect(ran.stdout).toBe(
      `busy: pending ${ALL.join(', ')}: TENANT_BUSY: tenant file is locked by another connection; ` +
        'migrate again\n1 tenant: 0 migrated, 0 already current, 1 pending, 0 failed\n',
    );
  });

  it('migrates only the tenant --tenant names', async () => {
    const { root, files, config } = rootWith(['acme', 'globex']);

    const ran = await runCli(root, ['migrate', '--config', config, '--tenant', 'globex']);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe(
      `globex: migrated ${ALL.join(', ')}\n1 tenant: 1 migrated, 0 already current, 0 pending, 0 failed\n`,
    );
    expect(ledgerOf(files.acme ?? '')).toBeNull();
  });

  it('reports a --tenant without a file as failed and exits with 1', async () => {
    const { root, config } = rootWith(['acme']);

    const ran = await runCli(root, ['migrate', '--config', config, '--tenant', 'ghost', '--json']);

    expect(ran.code).toBe(1);
    expect(parse(ran.stdout).reports).toEqual([
      {
        tenant: 'ghost',
        result: 'failed',
        code: 'TENANT_NOT_FOUND',
        reason: "tenant 'ghost' not found",
      },
    ]);
  });

  it('refuses a malformed --tenant with one line and exit code 2', async () => {
    const { root, config } = rootWith(['acme']);

    const ran = await runCli(root, ['migrate', '--config', config, '--tenant', '../acme']);

    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toMatch(/^tenant-mcp: TENANT_ID_INVALID: [^\n]+\n$/);
  });

  it('refuses a migrations folder holding a COMMIT with one line and exit code 2', async () => {
    const root = tempDir();
    addHostTenants(root, ['acme']);
    const migrationsDir = writeMigrations(root, { '0001_bad.sql': 'COMMIT;\n' });
    const config = writeConfig(root, { migrationsDir });

    const ran = await runCli(root, ['migrate', '--config', config]);

    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^tenant-mcp: MIGRATIONS_INVALID: migration 0001_bad contains/);
  });

  it('says in a dry run what would be applied and changes nothing', async () => {
    const { root, files, config } = rootWith(['acme', 'globex']);
    migrateNow(files.globex ?? '');
    const schemaBefore = schemaOf(files.acme ?? '');

    const ran = await runCli(root, ['migrate', '--config', config, '--dry-run']);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe(
      `acme: would apply ${ALL.join(', ')}\n` +
        '2 tenants: 1 would be migrated, 1 already current, 0 failed (dry run: nothing was changed)\n',
    );
    expect(schemaOf(files.acme ?? '')).toEqual(schemaBefore);
  });

  it('lists applied, pending, drifted and unknown migrations per tenant with --status', async () => {
    const { root, files, config } = rootWith(['current', 'drifted', 'fresh']);
    migrateNow(files.current ?? '');
    migrateNow(files.drifted ?? '');
    withDb(files.drifted ?? '', (db) => {
      db.exec(`UPDATE pm_schema_migrations SET checksum = 'old' WHERE id = 2`);
      db.exec(`INSERT INTO pm_schema_migrations VALUES (3, 'future', 'abc', 1800000000, 5)`);
    });

    const ran = await runCli(root, ['migrate', '--config', config, '--status', '--json']);

    expect(ran.code).toBe(1);
    const lists = (applied: string[], pending: string[], drifted: string[], unknown: string[]) => ({
      applied,
      pending,
      drifted,
      unknown,
    });
    expect(parse(ran.stdout)).toMatchObject({
      mode: 'status',
      current: 1,
      pending: 1,
      drifted: 1,
      failed: 0,
      reports: [
        { tenant: 'current', result: 'current', ...lists(ALL, [], [], []) },
        {
          tenant: 'drifted',
          result: 'drifted',
          ...lists(['0001_pm_schema'], [], ['0002_pm_llm_context_seed'], ['0003_future']),
        },
        { tenant: 'fresh', result: 'pending', ...lists([], ALL, [], []) },
      ],
    });
  });

  it('prints --status as one line per tenant and exits with 0 when nothing drifted', async () => {
    const { root, files, config } = rootWith(['acme', 'globex']);
    migrateNow(files.acme ?? '');

    const ran = await runCli(root, ['migrate', '--config', config, '--status']);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe(
      `acme: current; applied ${ALL.join(', ')}\n` +
        `globex: pending; pending ${ALL.join(', ')}; applied none\n` +
        '2 tenants: 1 current, 1 with pending migrations, 0 drifted, 0 failed\n',
    );
  });
});

describe('tenant-mcp migrate progress', () => {
  const tempDir = useTempDir();

  function currentTenants(count: number) {
    const root = tempDir();
    const template = createHostFile(tempDir());
    migrateNow(template);
    const ids = Array.from({ length: count }, (_, i) => `t${String(i).padStart(4, '0')}`);
    for (const id of ids) tenantDir(root, id);
    copyTenants(root, template, ids);
    return { root, config: writeConfig(root) };
  }

  it('writes one line at the end of a short run when stderr is not a terminal', async () => {
    const { root, config } = currentTenants(3);

    const ran = await runCli(root, ['migrate', '--config', config]);

    expect(ran.stderr).toBe('migrate: 3/3 tenants (0 failed, 0 pending)\n');
  });

  it('writes a line every 200 tenants and at the end when stderr is not a terminal', async () => {
    const { root, config } = currentTenants(401);

    const ran = await runCli(root, ['migrate', '--config', config]);

    expect(ran.stderr.split('\n')).toEqual([
      'migrate: 200/401 tenants (0 failed, 0 pending)',
      'migrate: 400/401 tenants (0 failed, 0 pending)',
      'migrate: 401/401 tenants (0 failed, 0 pending)',
      '',
    ]);
    expect(ran.stdout).toBe('401 tenants: 0 migrated, 401 already current, 0 pending, 0 failed\n');
  });

  it('rewrites one line in place on a terminal and ends it with a newline', async () => {
    const { root, config } = currentTenants(3);

    const ran = await runCli(root, ['migrate', '--config', config], { stderrIsTty: true });

    expect(ran.stderr).toBe(
      '\rmigrate: 1/3 tenants (0 failed, 0 pending)' +
        '\rmigrate: 2/3 tenants (0 failed, 0 pending)' +
        '\rmigrate: 3/3 tenants (0 failed, 0 pending)\n',
    );
  });

  it('writes no progress for a single tenant', async () => {
    const { root, config } = currentTenants(1);

    const ran = await runCli(root, ['migrate', '--config', config, '--tenant', 't0000']);

    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('1 tenant: 0 migrated, 1 already current, 0 pending, 0 failed\n');
  });
});
