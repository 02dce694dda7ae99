import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TenantContext } from '../../src/mcp/context.js';
import { serveTools, toolSetOf, type TenantTool } from '../../src/mcp/tool.js';
import { textOf } from '../support/mcp-client.js';

const output = { total: z.number().int() };

/** A tool whose result is whatever the test says, right or wrong. */
function echoTool(result: unknown): TenantTool<{ n: z.ZodNumber }, typeof output> {
  return {
    name: 'echo',
    title: 'Echo',
    description: 'Answers what the test set.',
    input: { n: z.number() },
    output,
    run: () => Promise.resolve(result as { total: number }),
    text: (r) => `total ${r.total}`,
  };
}

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

async function callEcho(result: unknown, logLines: string[]): Promise<CallToolResult> {
  const stream = { write: (line: string) => void logLines.push(line) };
  // Only what the tool layer reads: it never touches the file or the query pool.
  const ctx = {
    tenantId: 'acme',
    expiresAt: Date.now() / 1000 + 600,
    logger: pino({ level: 'info' }, stream),
  } as unknown as TenantContext;
  const server = new McpServer({ name: 'tool-test', version: '1.0.0' });
  serveTools(
    server,
    ctx,
    toolSetOf([echoTool(result) as unknown as TenantTool<z.ZodRawShape, z.ZodRawShape>]),
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'tool-test-client', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  closers.push(async () => {
    await client.close();
    await server.close();
  });
  return (await client.callTool({ name: 'echo', arguments: { n: 1 } })) as CallToolResult;
}

describe('serveTools', () => {
  it('answers a result that fits the output schema with structured content and its text', async () => {
    const result = await callEcho({ total: 3 }, []);

    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ total: 3 });
    expect(textOf(result)).toBe('total 3');
  });

  it('logs a result that breaks the output schema and answers only "internal error"', async () => {
    const lines: string[] = [];
    const result = await callEcho({ total: 'three' }, lines);

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('INTERNAL: internal error');
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((l) => l.msg === 'tool failed unexpectedly')?.err).toMatchObject({
      message: expect.stringContaining('echo result breaks its output schema') as unknown,
    });
    expect(logged.find((l) => l.msg === 'tool call')).toMatchObject({
      status: 'error',
      code: 'INTERNAL',
      tool: 'echo',
    });
  });
});
