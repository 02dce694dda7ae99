import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mintDemoToken } from '../../src/demo/tokens.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { migrateTenantFile } from '../../src/migrations/migrate.js';
import { MIGRATIONS_DIR, useTempDir, withDb } from '../migrations/fixtures.js';
import { addHostTenants, runCli, tenantDir, writeConfig } from './fake-io.js';

// The stdio server migrates the one tenant it serves before answering; a tenant whose
// migration fails is not served, and the refusal is one line naming the reason.

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';
const shipped = loadMigrations(MIGRATIONS_DIR);

async function serve(root: string, config: string, tenant: string) {
  const token = await mintDemoToken({
    secret: SECRET,
    tenantId: tenant,
    issuer: 'test',
    audience: 'test',
    ttlSeconds: 600,
  });
  const env = { TENANT_MCP_TOKEN: token, TENANT_MCP_JWT_SECRET: SECRET };
  return runCli(root, ['serve', '--config', config], { env });
}

describe('tenant-mcp serve with a tenant that cannot be migrated', () => {
  const tempDir = useTempDir();

  function migratedTenant(change: string): { root: string; config: string } {
    const root = tempDir();
    const { acme } = addHostTenants(root, ['acme']);
    const file = acme ?? '';
    migrateTenantFile(file, shipped, { busyTimeoutMs: 1000, logger: silentLogger() });
    withDb(file, (db) => db.exec(change));
    return { root, config: writeConfig(root) };
  }

  it.each([
    [
      'a drifted ledger',
      `UPDATE pm_schema_migrations SET checksum = 'old' WHERE id = 2`,
      "MIGRATION_DRIFT: applied migration 0002_pm_llm_context_seed differs from this tenant-mcp's copy",
    ],
    [
      'a ledger written by a newer tenant-mcp',
      `INSERT INTO pm_schema_migrations VALUES (3, 'future', 'abc', 1800000000, 5)`,
      'MIGRATION_NEWER_LEDGER: a newer tenant-mcp migrated this file (it has 0003_future)',
    ],
  ])('refuses %s in one line on stderr and exits with 2', async (_, change, reason) => {
    const { root, config } = migratedTenant(change);

    const ran = await serve(root, config, 'acme');

    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr.split('\n')).toHaveLength(2);
    expect(ran.stderr).toContain(`tenant-mcp: ${reason}`);
    expect(ran.stderr).not.toContain(root);
  });

  it('refuses a tenant file that is not a database, naming no path', async () => {
    const root = tempDir();
    writeFileSync(join(tenantDir(root, 'acme'), 'main.db'), Buffer.alloc(4096, 'garbage'));

    const ran = await serve(root, writeConfig(root), 'acme');

    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      'tenant-mcp: TENANT_FILE_UNREADABLE: tenant file is not a readable SQLite database\n',
    );
  });
});
