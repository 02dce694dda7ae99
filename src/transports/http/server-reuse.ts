import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { QueryConfig } from '../../config/schema.js';
import type { Logger } from '../../log/logger.js';
import type { TenantContext } from '../../mcp/context.js';
import { createTenantServer } from '../../mcp/server.js';
import type { TenantHandle } from '../../tenancy/tenant-pool.js';

/**
 * The part of a tenant's context that belongs to one request: the token's expiry and the
 * logger carrying the request id. The rest is the tenant's handle and never changes. A
 * handler of an earlier, aborted request of the same tenant that is still finishing reads the
 * new values: it can no longer answer anyone, so at worst it logs under the newer request id.
 */
class RequestScope implements TenantContext {
  expiresAt = 0;

  constructor(
    readonly tenantId: string,
    readonly db: TenantHandle['db'],
    readonly queries: TenantHandle['queries'],
    readonly limits: QueryConfig,
    public logger: Logger,
  ) {}
}

/** An MCP server built for one tenant handle, lent to one request at a time. */
export interface TenantServer {
  readonly server: McpServer;
  readonly scope: RequestScope;
}

// A few per tenant cover its usual concurrency; more are built on demand and dropped after.
const MAX_IDLE_PER_TENANT = 4;

/**
 * Idle servers by tenant handle. Building a server registers every tool, resource and prompt
 * (about a sixth of a small call's time), so a closed server is kept for the next request of
 * the same handle. The SDK supports close() then connect(): a handler aborted by the close
 * never answers on the next connection. Keyed weakly, so a retired handle's servers go with it.
 */
const idle = new WeakMap<TenantHandle, TenantServer[]>();

/** An idle server of `handle`, or a new one, ready for this request's expiry and logger. */
export function lendServer(
  handle: TenantHandle,
  limits: QueryConfig,
  request: { expiresAt: number; logger: Logger },
): TenantServer {
  const lent = idle.get(handle)?.pop() ?? buildServer(handle, limits, request.logger);
  lent.scope.expiresAt = request.expiresAt;
  lent.scope.logger = request.logger;
  return lent;
}

/** Closes `lent` (aborting anything still running) and keeps it for the handle's next request. */
export async function returnServer(handle: TenantHandle, lent: TenantServer): Promise<void> {
  await lent.server.close();
  const servers = idle.get(handle) ?? [];
  if (servers.length >= MAX_IDLE_PER_TENANT) return;
  servers.push(lent);
  idle.set(handle, servers);
}

function buildServer(handle: TenantHandle, limits: QueryConfig, logger: Logger): TenantServer {
  const scope = new RequestScope(handle.tenantId, handle.db, handle.queries, limits, logger);
  return { server: createTenantServer(scope), scope };
}
