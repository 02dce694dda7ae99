import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, type Config } from '../../src/config/load.js';
import { buildDemoRoot, type DemoRoot } from '../../src/demo/build.js';
import { mintDemoToken } from '../../src/demo/tokens.js';
import { silentLogger } from '../../src/log/logger.js';

/** The repository's own folders, for tests that need the shipped migrations or the built bin. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const MIGRATIONS_DIR = join(REPO, 'migrations');
export const BIN = join(REPO, 'bin', 'tenant-mcp.js');
/** The compiled query worker; `npm test` builds before running the suite. */
export const WORKER = join(REPO, 'dist', 'query', 'worker.js');

export const ISSUER = 'tenant-mcp-test';
export const AUDIENCE = 'tenant-mcp';
export const SECRET_ENV = 'TENANT_MCP_JWT_SECRET';

/** A small demo data root in a fresh temporary folder. */
export interface TestRoot extends DemoRoot {
  remove(): void;
}

/** Builds the two demo tenants at a small scale; call `remove()` after the tests. */
export function buildTestRoot(scale = 0.1): TestRoot {
  const root = mkdtempSync(join(tmpdir(), 'tenant-mcp-test-'));
  const demo = buildDemoRoot({
    root,
    migrationsDir: MIGRATIONS_DIR,
    logger: silentLogger(),
    scale,
  });
  return { ...demo, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A token for `tenantId` signed with `root`'s secret, as the test config accepts it. */
export function mintTestToken(root: TestRoot, tenantId: string, ttlSeconds = 600): Promise<string> {
  return mintDemoToken({
    secret: root.secret,
    tenantId,
    issuer: ISSUER,
    audience: AUDIENCE,
    ttlSeconds,
  });
}

/** A validated config for `root`, written as the user would write mcp.config.json. */
export function testConfig(root: string, extra: Record<string, unknown> = {}): Config {
  return parseConfig(configText(root, extra), join(root, 'mcp.config.json'));
}

/** Writes the config for `root` as `<root>/<name>` and returns the file's path. */
export function writeTestConfig(
  root: string,
  name: string,
  extra: Record<string, unknown> = {},
): string {
  const file = join(root, name);
  writeFileSync(file, configText(root, extra));
  return file;
}

/** The config text for `root`: the demo's data, HS256 tokens, the shipped migrations. */
function configText(root: string, extra: Record<string, unknown>): string {
  return JSON.stringify({
    dataRoot: root,
    auth: { algorithms: ['HS256'], secretEnv: SECRET_ENV, issuer: ISSUER, audience: AUDIENCE },
    migrations: { dir: MIGRATIONS_DIR },
    log: { level: 'silent' },
    ...extra,
  });
}
