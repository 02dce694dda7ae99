import { resolve } from 'node:path';
import type { Config } from '../../config/load.js';
import { buildDemoRoot } from '../../demo/build.js';
import { claudeDesktopSnippet, mintDemoToken } from '../../demo/tokens.js';
import { createLogger } from '../../log/logger.js';
import type { Io } from '../io.js';

const DEMO_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

/** Builds the demo data root and prints, per tenant, a token and a Claude Desktop snippet. */
export async function runDemo(
  config: Config,
  options: { root: string | undefined; seed: number | undefined },
  io: Io,
): Promise<number> {
  const logger = createLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  const root = options.root ? resolve(io.cwd, options.root) : config.dataRoot;
  const demo = buildDemoRoot({
    root,
    seed: options.seed,
    migrationsDir: config.migrations.dir,
    logger,
  });
  const secretEnv = config.auth.secretEnv ?? 'TENANT_MCP_JWT_SECRET';

  io.stdout.write(`Demo data root: ${demo.root}\n\n`);
  for (const tenant of demo.tenants) {
    const token = await mintDemoToken({
      secret: demo.secret,
      tenantId: tenant.id,
      issuer: config.auth.issuer ?? 'tenant-mcp-demo',
      audience: config.auth.audience ?? 'tenant-mcp',
      ttlSeconds: DEMO_TOKEN_TTL_SECONDS,
      tenantClaim: config.auth.tenantClaim,
    });
    io.stdout.write(
      tenantBlock(
        { id: tenant.id, name: tenant.name, token, secret: demo.secret, secretEnv },
        config.file,
        io,
      ),
    );
  }
  io.stdout.write(`The tokens expire in 7 days; run this command again for new ones.\n`);
  return 0;
}

interface DemoCredentials {
  id: string;
  name: string;
  token: string;
  secret: string;
  secretEnv: string;
}

function tenantBlock(
  { id, name, token, secret, secretEnv }: DemoCredentials,
  configFile: string,
  io: Io,
): string {
  const snippet = claudeDesktopSnippet({
    serverName: `tenant-${id}`,
    command: io.execPath,
    args: [io.scriptPath, '--config', configFile],
    env: { TENANT_MCP_TOKEN: token, [secretEnv]: secret },
  });
  return [
    `## ${name} (tenant ${id})`,
    `export TENANT_MCP_TOKEN='${token}'`,
    `export ${secretEnv}='${secret}'`,
    'Claude Desktop (claude_desktop_config.json):',
    snippet,
    '',
    '',
  ].join('\n');
}
