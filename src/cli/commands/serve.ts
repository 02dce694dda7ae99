import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { loadVerificationKey } from '../../auth/keys.js';
import { verifyTenantToken } from '../../auth/verify-token.js';
import type { Config } from '../../config/load.js';
import { TenantMcpError } from '../../errors.js';
import { createLogger } from '../../log/logger.js';
import { createTenantServer } from '../../mcp/server.js';
import { openTenantSession } from '../../tenancy/session.js';
import { connectStdio } from '../../transports/stdio.js';
import type { Io } from '../io.js';

// Time for an answer to be encoded and written after its query's deadline.
const ANSWER_MARGIN_MS = 1_000;

/**
 * Serves the token's tenant over stdio until the client closes stdin or a stop signal
 * arrives. After stdin ends, requests already received are still answered: every query ends
 * within `query.maxTimeoutMs` (time queued included), so that plus a margin is the grace.
 * A stop signal ends at once, cancelling what still runs.
 */
export async function serveStdio(
  config: Config,
  tokenFile: string | undefined,
  io: Io,
): Promise<number> {
  const logger = createLogger(config.log.level);
  const key = loadVerificationKey(config.auth, io.env);
  const token = readToken(tokenFile, io.env);
  const verified = await verifyTenantToken(token, key, config.auth);

  const session = await openTenantSession(config, verified, logger);
  const server = createTenantServer(session.context);
  const graceMs = config.query.maxTimeoutMs + ANSWER_MARGIN_MS;
  const stdioLogger = logger.child({ tenant: verified.tenantId });
  const connection = await connectStdio(server, io.stdin, io.stdout, stdioLogger, { graceMs });
  io.onStopSignal(() => void connection.stop());
  logger.info({ tenant: verified.tenantId, transport: 'stdio' }, 'serving');

  await connection.closed;
  await session.close();
  logger.info({ tenant: verified.tenantId }, 'stopped');
  return 0;
}

function readToken(tokenFile: string | undefined, env: Io['env']): string {
  if (tokenFile === undefined) {
    const token = env.TENANT_MCP_TOKEN;
    if (!token)
      throw new TenantMcpError('TOKEN_MISSING', 'set TENANT_MCP_TOKEN or pass --token-file');
    return token;
  }
  return readTokenFile(tokenFile);
}

// A token is a few hundred bytes; anything near this is not a token file.
const MAX_TOKEN_FILE_BYTES = 16 * 1024;

/** Reads a regular file of bounded size, so /dev/zero or a FIFO cannot hang startup. */
function readTokenFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new TenantMcpError('TOKEN_MISSING', 'the --token-file cannot be read', { cause: error });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw tokenFileRefused('is not a regular file');
    if (stats.size > MAX_TOKEN_FILE_BYTES) throw tokenFileRefused('is too large to be a token');
    const buffer = Buffer.alloc(stats.size);
    const read = readSync(fd, buffer, 0, stats.size, 0);
    return buffer.toString('utf8', 0, read);
  } finally {
    closeSync(fd);
  }
}

function tokenFileRefused(why: string): TenantMcpError {
  return new TenantMcpError('TOKEN_MALFORMED', `the --token-file ${why}`);
}
