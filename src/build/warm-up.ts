import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { mintDemoToken } from '../demo/tokens.js';
import { SAVE_CACHE_ENV } from './run-bundle.js';

const TENANT = 'warm-up';
const SECRET_ENV = 'TENANT_MCP_JWT_SECRET';

/**
 * Serves one short session from the built server, as a client would at connection time, so
 * that the code cache it saves holds what a start compiles (see run-bundle.ts). The tenant is
 * a throwaway file in a temporary folder. A failure fails the build: a bundle that cannot
 * serve this session cannot serve anyone.
 */
export async function warmUpCodeCache(repo: string): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tenant-mcp-warm-up-'));
  try {
    const secret = randomBytes(48).toString('base64url');
    const client = await connect(repo, writeTenant(root, repo), secret);
    try {
      await runSession(client);
    } finally {
      await client.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A data root with one small tenant file, and a config for it; returns the config's path. */
function writeTenant(root: string, repo: string): string {
  const folder = join(root, 'tenants', TENANT);
  mkdirSync(folder, { recursive: true });
  const db = new Database(join(folder, 'main.db'));
  // Just enough of a host's file for the migrations (they refer to users) and one query.
  db.exec(`CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT);
           INSERT INTO users VALUES ('u1', 'Ada');`);
  db.close();
  const config = join(root, 'mcp.config.json');
  const auth = { algorithms: ['HS256'], secretEnv: SECRET_ENV };
  const migrations = { dir: join(repo, 'migrations') };
  writeFileSync(
    config,
    JSON.stringify({ dataRoot: root, auth, migrations, log: { level: 'silent' } }),
  );
  return config;
}

async function connect(repo: string, config: string, secret: string): Promise<Client> {
  const token = await mintDemoToken({
    secret,
    tenantId: TENANT,
    issuer: 'tenant-mcp-build',
    audience: 'tenant-mcp',
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
  return client;
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
    arguments: { sql: 'SELECT * FROM users' },
  });
  if (result.isError)
    throw new Error(`the warm-up query failed: ${JSON.stringify(result.content)}`);
}
