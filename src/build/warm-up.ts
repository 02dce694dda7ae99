import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { buildDemoRoot } from '../demo/build.js';
import { mintDemoToken } from '../demo/tokens.js';
import { silentLogger } from '../log/logger.js';
import { SAVE_CACHE_ENV } from './run-bundle.js';

const SECRET_ENV = 'TENANT_MCP_JWT_SECRET';
const ISSUER = 'tenant-mcp-build';
const AUDIENCE = 'tenant-mcp';

/**
 * Serves one short session from the built server, as a client would at connection time, so
 * that the code cache it saves holds what a start compiles (see run-bundle.ts). The tenant is
 * a small demo tenant in a temporary folder, a host's file like any other. A failure fails
 * the build: a bundle that cannot serve this session cannot serve anyone.
 */
export async function warmUpCodeCache(repo: string): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tenant-mcp-warm-up-'));
  try {
    const migrations = join(repo, 'migrations');
    const demo = buildDemoRoot({
      root,
      migrationsDir: migrations,
      logger: silentLogger(),
      scale: 0.05,
    });
    const config = join(root, 'mcp.config.json');
    const auth = {
      algorithms: ['HS256'],
      secretEnv: SECRET_ENV,
      issuer: ISSUER,
      audience: AUDIENCE,
    };
    const settings = {
      dataRoot: root,
      auth,
      migrations: { dir: migrations },
      log: { level: 'silent' },
    };
    writeFileSync(config, JSON.stringify(settings));
    await serveOneSession(repo, config, demo.secret, demo.tenants[0]?.id ?? '');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function serveOneSession(
  repo: string,
  config: string,
  secret: string,
  tenantId: string,
): Promise<void> {
  const token = await mintDemoToken({
    secret,
    tenantId,
    issuer: ISSUER,
    audience: AUDIENCE,
    ttlSeconds: 600,
  });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(repo, 'bin/tenant-mcp.js'), '--config', config],
    env: {
      PATH: process.env.PATH ?? '',
      TENANT_MCP_TOKEN: token,
      [SECRET_ENV]: secret,
      [SAVE_CACHE_ENV]: '1',
    },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'tenant-mcp-build', version: '1.0.0' });
  await client.connect(transport);
  try {
    await runSession(client);
  } finally {
    // The server exits once its input ends, and saves the cache as it does.
    await client.close();
  }
}

/** What clients do first: list everything, read the schema, run a query. */
async function runSession(client: Client): Promise<void> {
  await client.listTools();
  await client.listResources();
  await client.listPrompts();
  await client.readResource({ uri: 'tenant://schema' });
  await client.callTool({ name: 'list_tables', arguments: {} });
  const result = await client.callTool({
    name: 'query',
    arguments: { sql: 'SELECT * FROM users LIMIT 5' },
  });
  if (result.isError)
    throw new Error(`the warm-up query failed: ${JSON.stringify(result.content)}`);
}
