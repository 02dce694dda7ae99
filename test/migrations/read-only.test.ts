import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MigrateSummary } from '../../src/cli/commands/migrate.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { migrateTenantFile } from '../../src/migrations/migrate.js';
import { MIGRATIONS_DIR, createHostFile, useTempDir, writeMigrations } from './fixtures.js';
import { writeChildConfig } from './processes.js';

// Permission bits do not stop root, and the suite may run as root. Then the migrate command
// runs in a child that loads its modules and config as root and drops to the unprivileged
// user `nobody` before migrating, for whom a mode 0444 file really is read-only. Everything
// `nobody` touches lives in the test's folder. The tenant folder stays writable, as a host's
// usually is, so SQLite can make its WAL index there.
const NOBODY = 65534;
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const shipped = loadMigrations(MIGRATIONS_DIR);

const MIGRATE_AS = `
const [dist, configFile, uid] = process.argv.slice(1);
const { loadConfig } = await import(dist + 'config/load.js');
const { runMigrate } = await import(dist + 'cli/commands/migrate.js');
const config = loadConfig(configFile);
if (uid !== '') {
  process.setgid(Number(uid));
  process.setuid(Number(uid));
}
const flags = { tenant: undefined, status: false, dryRun: false, json: true };
process.exitCode = await runMigrate(config, flags, { stdout: process.stdout, stderr: process.stderr });
`;

function migrateAsUnprivileged(config: string): Promise<{ code: number | null; stdout: string }> {
  const uid = process.getuid?.() === 0 ? String(NOBODY) : '';
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', MIGRATE_AS, DIST, config, uid],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout })));
}

describe('a read-only tenant file', () => {
  const tempDir = useTempDir();

  function readOnlyTenant(): { config: string; file: string } {
    const root = tempDir();
    const dir = join(root, 'tenants', 'acme');
    mkdirSync(dir, { recursive: true });
    chmodSync(root, 0o755);
    chmodSync(dir, 0o777);
    const migrationsDir = writeMigrations(root, {
      '0001_pm_schema.sql': shipped[0]?.sql ?? '',
      '0002_pm_llm_context_seed.sql': shipped[1]?.sql ?? '',
    });
    return { config: writeChildConfig(root, migrationsDir), file: createHostFile(dir) };
  }

  async function migrate(
    config: string,
  ): Promise<{ code: number | null; summary: MigrateSummary }> {
    const ran = await migrateAsUnprivileged(config);
    return { code: ran.code, summary: JSON.parse(ran.stdout) as MigrateSummary };
  }

  it('is reported as failed with the reason and left byte for byte as it was', async () => {
    const { config, file } = readOnlyTenant();
    chmodSync(file, 0o444);
    const bytes = readFileSync(file);

    const { code, summary } = await migrate(config);

    expect(code).toBe(1);
    expect(summary.reports).toEqual([
      {
        tenant: 'acme',
        result: 'failed',
        code: 'MIGRATION_FAILED',
        reason: 'tenant file is read-only; nothing was migrated',
        hint: "run tenant-mcp as the tenant file's owner, or make the file and its folder writable",
      },
    ]);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('is found current when it already is, since checking needs no write', async () => {
    const { config, file } = readOnlyTenant();
    migrateTenantFile(file, shipped, { busyTimeoutMs: 1000, logger: silentLogger() });
    chmodSync(file, 0o444);

    const { code, summary } = await migrate(config);

    expect(code).toBe(0);
    expect(summary.reports).toEqual([{ tenant: 'acme', result: 'current' }]);
  });
});
