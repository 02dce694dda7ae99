import { parseArgs } from 'node:util';
import { TenantMcpError } from '../errors.js';

export const HELP = `tenant-mcp: serve coaching tenants' SQLite files to AI assistants, read-only.

Usage:
  tenant-mcp [serve] [--config PATH] [--token-file PATH]
      Serve over stdio (for Claude Desktop, MCP Inspector, scripts). The tenant token is read
      from --token-file or the TENANT_MCP_TOKEN environment variable. The tenant's pm_ schema
      is migrated before the first message is answered (migrations.onStartup).
  tenant-mcp serve --http [--config PATH]
      Serve every tenant under the data root over Streamable HTTP, stateless, on http.host and
      http.port at http.path (default http://127.0.0.1:3100/mcp). Each request carries
      Authorization: Bearer <token>, and its token alone names the tenant. Also serves
      GET /healthz and the OAuth protected-resource metadata. Once the port is bound, every
      tenant is migrated (migrations.onStartup) while MCP requests get 503 SERVER_STARTING; a
      tenant whose file the host has locked is skipped then and migrated when first opened
      (migrations.onFirstUse). SIGTERM lets requests in progress finish (http.shutdownGraceMs);
      during startup migrations it ends the process at once (exit 143).
  tenant-mcp migrate [--config PATH] [--tenant ID] [--status] [--dry-run] [--json]
      Migrate the pm_ schema of every tenant under the data root, or of one tenant.
      --status lists applied, pending and drifted migrations; --dry-run changes nothing.
  tenant-mcp demo [--config PATH] [--root DIR] [--seed N]
      Build the demo data root (two tenants), migrate it, and print a token and a Claude
      Desktop config snippet per tenant. DIR defaults to the config's dataRoot; the two demo
      tenant folders in it are replaced, nothing else is touched.
  tenant-mcp --help | --version

Options:
  --config PATH      config file (default: ./mcp.config.json)
  --token-file PATH  file holding the tenant token (instead of TENANT_MCP_TOKEN); stdio only
  --http             serve over Streamable HTTP instead of stdio (see the http config keys)

Environment:
  TENANT_MCP_TOKEN   the tenant token (a JWT) in stdio mode (ignored by serve --http)
  TENANT_MCP_CONFIG  config file path when --config is not given
  The HMAC secret is read from the variable the config names in auth.secretEnv.

Exit codes: 0 success (for serve --http, a clean stop after SIGTERM); 1 internal error or a
failed migration run; 2 bad usage, config, token, or tenant (one line on stderr says which);
143 SIGTERM during startup migrations.
`;

export type Command =
  | { name: 'help' }
  | { name: 'version' }
  | { name: 'serve'; config: string | undefined; tokenFile: string | undefined }
  | { name: 'serve-http'; config: string | undefined }
  | {
      name: 'migrate';
      config: string | undefined;
      tenant: string | undefined;
      status: boolean;
      dryRun: boolean;
      json: boolean;
    }
  | {
      name: 'demo';
      config: string | undefined;
      root: string | undefined;
      seed: number | undefined;
    };

const OPTIONS = {
  config: { type: 'string' },
  'token-file': { type: 'string' },
  http: { type: 'boolean' },
  tenant: { type: 'string' },
  status: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  root: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

const ALLOWED: Record<string, readonly string[]> = {
  serve: ['config', 'token-file', 'http'],
  migrate: ['config', 'tenant', 'status', 'dry-run', 'json'],
  demo: ['config', 'root', 'seed'],
};

/** Parses argv (without node and script) into a command; throws USAGE naming the problem. */
export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals } = parseOrUsage(argv);
  if (values.help) return { name: 'help' };
  if (values.version) return { name: 'version' };
  const name = positionals[0] ?? 'serve';
  if (positionals.length > 1) throw usage(`unexpected argument '${positionals[1]}'`);
  if (!Object.hasOwn(ALLOWED, name)) throw usage(`unknown command '${name}'`);
  rejectForeignOptions(name, values);
  return buildCommand(name, values);
}

type Values = ReturnType<typeof parseOrUsage>['values'];

function parseOrUsage(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages run to several lines; the first one names the problem.
    const message = error instanceof Error ? error.message : String(error);
    throw usage(message.split('\n')[0] ?? message);
  }
}

function rejectForeignOptions(command: string, values: Values): void {
  for (const key of Object.keys(values)) {
    if (!ALLOWED[command]?.includes(key))
      throw usage(`option --${key} does not apply to ${command}`);
  }
}

function buildCommand(name: string, v: Values): Command {
  if (name === 'migrate') {
    return {
      name,
      config: v.config,
      tenant: v.tenant,
      status: v.status ?? false,
      dryRun: v['dry-run'] ?? false,
      json: v.json ?? false,
    };
  }
  if (name === 'demo') return { name, config: v.config, root: v.root, seed: parseSeed(v.seed) };
  if (v.http) {
    // Over HTTP every request brings its own token; one from a file would name no tenant.
    if (v['token-file'] !== undefined) throw usage('option --token-file does not apply to --http');
    return { name: 'serve-http', config: v.config };
  }
  return { name: 'serve', config: v.config, tokenFile: v['token-file'] };
}

function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw usage('--seed takes a whole number');
  return Number(value);
}

function usage(message: string): TenantMcpError {
  return new TenantMcpError('USAGE', `${message} (see tenant-mcp --help)`);
}
