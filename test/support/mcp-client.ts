import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { VerifiedToken } from '../../src/auth/verify-token.js';
import type { Config } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { createTenantServer } from '../../src/mcp/server.js';
import { openTenantSession } from '../../src/tenancy/session.js';
import { WORKER } from './demo-root.js';

/** A real SDK client talking to a real tenant server in this process. */
export interface Connected {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** A verified token as the auth layer would hand it over, valid for an hour unless told. */
export function tokenFor(tenantId: string, expiresAt = Date.now() / 1000 + 3600): VerifiedToken {
  return { tenantId, expiresAt: Math.floor(expiresAt), subject: 'test', scopes: [] };
}

/** Opens the tenant like the stdio server does and connects a client over an in-memory pair. */
export async function connectTenant(config: Config, token: VerifiedToken): Promise<Connected> {
  const session = await openTenantSession(config, token, silentLogger(), { workerPath: WORKER });
  const server = createTenantServer(session.context);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  // Listing tools makes the client validate structuredContent against each outputSchema.
  await client.listTools();
  return {
    client,
    call: async (name, args = {}) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
      await session.close();
    },
  };
}

/** The text of a tool result. */
export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}
