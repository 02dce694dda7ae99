/**
 * `npm run bench`: prints figures, asserts nothing. Builds a demo root in a temporary folder,
 * then measures cold start and tool round trips against better-sqlite3 in-process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoRoot } from '../demo/build.js';
import { mintDemoToken } from '../demo/tokens.js';
import { silentLogger } from '../log/logger.js';
import { benchColdStart } from './cold-start.js';
import { benchHttpLoad } from './http-load.js';
import { benchMigrations } from './migrations.js';
import { benchQueries } from './queries.js';
import { benchSurface } from './surface.js';
import type { BenchTarget } from './target.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tenant-mcp-bench-'));
const print = (line = '') => process.stdout.write(`${line}\n`);

try {
  const demo = buildDemoRoot({
    root: scratch,
    migrationsDir: resolve(repo, 'migrations'),
    logger: silentLogger(),
    scale: 6,
  });
  const tenant = demo.tenants[0]!;
  const target: BenchTarget = {
    repo,
    dataRoot: scratch,
    secret: demo.secret,
    tenantFile: tenant.file,
    tenantId: tenant.id,
    token: await mintDemoToken({
      secret: demo.secret,
      tenantId: tenant.id,
      issuer: 'tenant-mcp-demo',
      audience: 'tenant-mcp',
      ttlSeconds: 3600,
    }),
  };
  print(`tenant-mcp benchmark: node ${process.version}, tenant ${tenant.id} at scale 6`);
  await benchColdStart(target, print);
  await benchQueries(target, print);
  await benchSurface(target, print);
  benchMigrations(repo, print);
  await benchHttpLoad({ repo, scratch }, print);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
