import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { VerifiedToken } from '../auth/verify-token.js';
import { loadConfig, type Config } from '../config/load.js';
import { silentLogger } from '../log/logger.js';
import { createTenantServer } from '../mcp/server.js';
import { openTenantSession, type SessionOptions } from '../tenancy/session.js';
import { writeBenchConfig, type BenchTarget } from './target.js';

/** The size of what `tools/list` costs a model before it makes any call. */
export interface SurfaceSize {
  tools: number;
  chars: number;
  /** JSON characters / 4, the usual rough count. */
  approxTokens: number;
  /** Approximate tokens of each tool's entry. */
  byTool: Record<string, number>;
}

/** Opens `token`'s tenant in process, lists the tools through a real client and sizes them. */
export async function measureToolSurface(
  config: Config,
  token: VerifiedToken,
  options: SessionOptions = {},
): Promise<SurfaceSize> {
  const session = await openTenantSession(config, token, silentLogger(), options);
  const server = createTenantServer(session.context);
  const client = new Client({ name: 'tenant-mcp-surface', version: '1.0.0' });
  try {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    const { tools } = await client.listTools();
    const chars = JSON.stringify(tools).length;
    const byTool = Object.fromEntries(
      tools.map((t) => [t.name, Math.round(JSON.stringify(t).length / 4)]),
    );
    return { tools: tools.length, chars, approxTokens: Math.round(chars / 4), byTool };
  } finally {
    await client.close();
    await server.close();
    await session.close();
  }
}

/** Prints what `tools/list` costs a model, in total and per tool. */
export async function benchSurface(
  target: BenchTarget,
  print: (l?: string) => void,
): Promise<void> {
  const config = loadConfig(writeBenchConfig(target));
  const token = {
    tenantId: target.tenantId,
    expiresAt: Date.now() / 1000 + 600,
    subject: undefined,
    scopes: [],
  };
  const size = await measureToolSurface(config, token);
  print();
  print(
    `tools/list: ${size.tools} tools, ${size.chars} JSON characters, ` +
      `~${size.approxTokens} tokens (chars / 4)`,
  );
  const byTool = Object.entries(size.byTool).map(([name, tokens]) => `${name} ${tokens}`);
  print(`  per tool: ${byTool.join(', ')}`);
}
