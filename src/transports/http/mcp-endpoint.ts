import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { QueryConfig } from '../../config/schema.js';
import type { Logger } from '../../log/logger.js';
import type { TenantLease } from '../../tenancy/tenant-pool.js';
import { noteMessage, type AccessRecord } from './access-log.js';
import {
  authInfoFor,
  authorizationHeader,
  bearerToken,
  requireScopes,
  type TokenVerifier,
} from './auth.js';
import {
  checkPostHeaders,
  checkProtocolVersion,
  parseRpcBody,
  readBody,
  type RpcBody,
} from './body.js';
import type { ConcurrencyLimits } from './limits.js';
import { lendServer, returnServer, type TenantServer } from './server-reuse.js';
import type { HttpSettings } from './settings.js';

/** Where tenants come from: the tenant pool, or anything that lends handles the same way. */
export interface TenantSource {
  lease(tenantId: string): TenantLease;
}

/** What the MCP endpoint needs; built once per server. */
export interface McpEndpointDeps {
  readonly settings: HttpSettings;
  readonly verifier: TokenVerifier;
  readonly limits: ConcurrencyLimits;
  readonly tenants: TenantSource;
  readonly queryLimits: QueryConfig;
  readonly logger: Logger;
}

/**
 * Serves one POST to the MCP endpoint. The tenant comes from this request's token alone;
 * the slot, the tenant lease and the MCP server built for the request are all given back
 * when the response finishes or the connection closes. Throws TenantMcpError for refusals
 * made before the MCP server takes over; `record` says how far the request got.
 */
export async function serveMcpPost(
  req: IncomingMessage,
  res: ServerResponse,
  record: AccessRecord,
  deps: McpEndpointDeps,
): Promise<void> {
  const token = bearerToken(authorizationHeader(req));
  const verified = await deps.verifier.verify(token);
  record.tenant = verified.tenantId;
  requireScopes(verified, deps.settings.requiredScopes);
  checkPostHeaders(req);

  afterResponse(res, deps.limits.acquire(verified.tenantId));
  const body = parseRpcBody(await readBody(req, deps.settings.maxBodyBytes));
  noteMessage(record, body.message);
  checkProtocolVersion(req.headers['mcp-protocol-version'], body.message);

  const lease = deps.tenants.lease(verified.tenantId);
  // Until a server has the request; from then on the lease goes back after the server closed.
  let handedOver = false;
  afterResponse(res, () => {
    if (!handedOver) lease.release();
  });
  const servedUntil = deps.verifier.servedUntil(verified);
  const lent = lendServer(lease.handle, deps.queryLimits, {
    expiresAt: servedUntil,
    // `reqId` is this HTTP request; the tool layer logs the JSON-RPC id as `rpcId`.
    logger: deps.logger.child({ tenant: verified.tenantId, reqId: record.requestId }),
  });
  await answer(req, res, body, lent, authInfoFor(token, verified, servedUntil), () => {
    handedOver = true;
    return lease;
  });
}

/**
 * Runs `release` once the response is finished or its connection closed, and at once if that
 * has already happened: a client may hang up while its token is checked or its body read.
 */
export function afterResponse(res: ServerResponse, release: () => void): void {
  if (res.closed) release();
  else res.once('close', release);
}

/**
 * A stateless exchange: a new transport for this request only (the SDK refuses a reused
 * stateless transport) on a server lent for this request. Closing the server when the
 * response closes aborts any handler still running, so a client that hangs up also stops its
 * query; only then does the server go back to the tenant's idle ones.
 */
async function answer(
  req: IncomingMessage & { auth?: AuthInfo },
  res: ServerResponse,
  body: RpcBody,
  lent: TenantServer,
  authInfo: AuthInfo,
  takeLease: () => TenantLease,
): Promise<void> {
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await lent.server.connect(transport);
  // Only once connected: a server given back while connect() was still running could be lent
  // again with this request's transport attached. The lease goes back after the close, so
  // that a handler the close aborted never finds its tenant's connection closed under it.
  const lease = takeLease();
  afterResponse(res, () => {
    void returnServer(lease.handle, lent)
      .catch(() => undefined)
      .finally(lease.release);
  });
  req.auth = authInfo;
  await transport.handleRequest(req, res, body.json);
}
