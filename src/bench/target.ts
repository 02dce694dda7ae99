import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What every benchmark needs: a built server, a demo tenant and a token for it. */
export interface BenchTarget {
  repo: string;
  dataRoot: string;
  secret: string;
  tenantFile: string;
  tenantId: string;
  token: string;
}

/** Writes a config for the bench's scratch data root and returns its path. */
export function writeBenchConfig(target: BenchTarget): string {
  const file = join(target.dataRoot, 'bench.config.json');
  const config = {
    dataRoot: target.dataRoot,
    auth: {
      algorithms: ['HS256'],
      secretEnv: 'TENANT_MCP_JWT_SECRET',
      issuer: 'tenant-mcp-demo',
      audience: 'tenant-mcp',
    },
    migrations: { dir: join(target.repo, 'migrations') },
    log: { level: 'warn' },
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The environment the server needs, and nothing else from ours. */
export function serverEnv(target: BenchTarget): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    TENANT_MCP_TOKEN: target.token,
    TENANT_MCP_JWT_SECRET: target.secret,
  };
}
