import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoRoot } from '../demo/build.js';
import { mintDemoToken } from '../demo/tokens.js';
import { silentLogger } from '../log/logger.js';

/** The issuer and audience the load bench's config pins and its tokens carry. */
export const LOAD_ISSUER = 'tenant-mcp-demo';
export const LOAD_AUDIENCE = 'tenant-mcp';

/** One tenant of the load root and a token that names it. */
export interface LoadTenant {
  id: string;
  token: string;
}

/** A data root of many identical small tenants. */
export interface LoadRoot {
  root: string;
  secret: string;
  tenants: LoadTenant[];
}

/**
 * Builds one small demo tenant in `<scratch>/source`, then copies its file to `count` tenants
 * under `<scratch>/root`. Copies, not links: the server refuses hard-linked tenant files.
 */
export async function buildLoadRoot(
  scratch: string,
  migrationsDir: string,
  count: number,
): Promise<LoadRoot> {
  const demo = buildDemoRoot({
    root: join(scratch, 'source'),
    migrationsDir,
    logger: silentLogger(),
    scale: 0.1,
  });
  const source = demo.tenants[0]!.file;
  const root = join(scratch, 'root');
  const tenants: LoadTenant[] = [];
  for (let i = 0; i < count; i++) {
    const id = `tenant-${String(i).padStart(3, '0')}`;
    mkdirSync(join(root, 'tenants', id), { recursive: true });
    copyFileSync(source, join(root, 'tenants', id, 'main.db'));
    tenants.push({ id, token: await tokenFor(demo.secret, id) });
  }
  return { root, secret: demo.secret, tenants };
}

function tokenFor(secret: string, tenantId: string): Promise<string> {
  return mintDemoToken({
    secret,
    tenantId,
    issuer: LOAD_ISSUER,
    audience: LOAD_AUDIENCE,
    ttlSeconds: 3600,
  });
}
