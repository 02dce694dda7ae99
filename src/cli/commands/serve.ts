import { readFileSync } from 'node:fs';
import { loadVerificationKey } from '../../auth/keys.js';
import { verifyTenantToken } from '../../auth/verify-token.js';
import type { Config } from '../../config/load.js';
import { TenantMcpError } from '../../errors.js';
import { createLogger } from '../../log/logger.js';
import { createTenantServer } from '../../mcp/server.js';
import { openTenantSession } from '../../tenancy/session.js';
import { connectStdio } from '../../transports/stdio.js';
import type { Io } from '../io.js';

/** Serves the token's tenant over stdio until the client hangs up or a stop signal arrives. */
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
  const connection = await connectStdio(createTenantServer(session.context), io.stdin, io.stdout);
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
  try {
    return readFileSync(tokenFile, 'utf8');
  } catch (error) {
    throw new TenantMcpError('TOKEN_MISSING', 'the --token-file cannot be read', { cause: error });
  }
}
