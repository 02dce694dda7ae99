import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../config/load.js';
import { buildDemoRoot } from '../../demo/build.js';
import { claudeDesktopSnippet, mintDemoToken } from '../../demo/tokens.js';
import { createLogger } from '../../log/logger.js';
import type { Io } from '../io.js';

const DEMO_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
const DEMO_ISSUER = 'tenant-mcp-demo';
const DEMO_AUDIENCE = 'tenant-mcp';

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
  const configFile = demoConfigFile(config, demo.root, secretEnv);

  io.stdout.write(`Demo data root: ${demo.root}\n\n`);
  for (const tenant of demo.tenants) {
    const token = await mintDemoToken({
      secret: demo.secret,
      tenantId: tenant.id,
      issuer: config.auth.issuer ?? DEMO_ISSUER,
      audience: config.auth.audience ?? DEMO_AUDIENCE,
      ttlSeconds: DEMO_TOKEN_TTL_SECONDS,
      tenantClaim: config.auth.tenantClaim,
    });
    io.stdout.write(
      tenantBlock(
        { id: tenant.id, name: tenant.name, token, secret: demo.secret, secretEnv },
        configFile,
        io,
      ),
    );
  }
  io.stdout.write(`The tokens expire in 7 days; run this command again for new ones.\n`);
  return 0;
}

/**
 * The config the printed snippets should use. The given one fits when it serves this root
 * with an HMAC secret; otherwise a config for the demo root is written beside its tenants,
 * so a pasted snippet never serves some other data root.
 */
function demoConfigFile(config: Config, root: string, secretEnv: string): string {
  if (root === config.dataRoot && config.auth.secretEnv) return config.file;
  const file = join(root, 'mcp.config.json');
  const demoConfig = {
    dataRoot: '.',
    auth: {
      algorithms: ['HS256'],
      secretEnv,
      issuer: config.auth.issuer ?? DEMO_ISSUER,
      audience: config.auth.audience ?? DEMO_AUDIENCE,
      tenantClaim: config.auth.tenantClaim,
    },
    migrations: { ...config.migrations },
    query: config.query,
    log: config.log,
  };
  writeFileSync(file, `${JSON.stringify(demoConfig, null, 2)}\n`);
  return file;
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
