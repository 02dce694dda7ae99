import { TenantMcpError } from '../errors.js';
import type { QueryConfig } from '../config/schema.js';
import type { Connection } from '../db/open.js';
import type { Logger } from '../log/logger.js';
import type { QueryRunner } from '../query/run.js';

export type { QueryRunner } from '../query/run.js';

/** Everything the MCP surface needs to serve one tenant; built by the transport layer. */
export interface TenantContext {
  readonly tenantId: string;
  /** Unix seconds after which the token that opened this context no longer serves. */
  readonly expiresAt: number;
  /** Read-only connection for the server's own introspection SQL, never for model SQL. */
  readonly db: Connection;
  readonly queries: QueryRunner;
  readonly limits: QueryConfig;
  readonly logger: Logger;
}

/** Refuses work once the token behind `ctx` has expired; checked on every call. */
export function assertTokenLive(ctx: TenantContext, nowSeconds = Date.now() / 1000): void {
  if (nowSeconds > ctx.expiresAt) {
    throw new TenantMcpError('TOKEN_EXPIRED', 'token has expired; reconnect with a new token');
  }
}
