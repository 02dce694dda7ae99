import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureToolSurface } from '../../src/bench/surface.js';
import { WORKER, buildTestRoot, testConfig, type TestRoot } from '../support/demo-root.js';
import { connectTenant, textOf, tokenFor, type Connected } from '../support/mcp-client.js';

let root: TestRoot;
let conn: Connected;

beforeAll(async () => {
  root = buildTestRoot();
  conn = await connectTenant(testConfig(root.root), tokenFor(root.tenants[0]!.id));
});

afterAll(async () => {
  await conn.close();
  root.remove();
});

describe('every tool', () => {
  it('has a title, a short description, an output schema and read-only annotations', async () => {
    const { tools } = await conn.client.listTools();
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description!.length, tool.name).toBeLessThanOrEqual(220);
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
  });

  it('advertises its schemas without the $schema key, which only costs a model tokens', async () => {
    const { tools } = await conn.client.listTools();
    const query = tools.find((t) => t.name === 'query');
    expect(query?.inputSchema.required).toEqual(['sql']);
    for (const tool of tools) {
      expect(Object.keys(tool.inputSchema), tool.name).not.toContain('$schema');
      expect(Object.keys(tool.outputSchema ?? {}), tool.name).not.toContain('$schema');
      expect(tool.inputSchema.type, tool.name).toBe('object');
    }
  });

  it('answers with structured content and a text copy', async () => {
    const calls: [string, Record<string, unknown>][] = [
      ['work_item', { key: 'SPRING-1' }],
      ['project_status', { key: 'SPRING' }],
      ['blocked_items', {}],
      ['workload', {}],
      ['search', { text: 'venue' }],
    ];
    for (const [name, args] of calls) {
      const result = await conn.call(name, args);
      expect(result.isError, name).toBeFalsy();
      expect(result.structuredContent, name).toBeTypeOf('object');
      expect(result.content[0]?.type, name).toBe('text');
    }
  });
});

describe('a call the tools cannot serve', () => {
  it('names an unknown tool in a JSON-RPC -32602 error, cut to 64 characters', async () => {
    const name = `drop_${'x'.repeat(500)}`;
    const error = await conn.call(name).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32602);
    expect((error as McpError).message).toContain(
      `TOOL_NOT_FOUND: no tool named "${name.slice(0, 64)}"`,
    );
    expect((error as McpError).message).not.toContain(name.slice(0, 65));
  });

  it('answers arguments that break the input schema with an ARGUMENT_INVALID tool result', async () => {
    const result = await conn.call('describe_table', { table: 42 });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^ARGUMENT_INVALID: invalid arguments for describe_table: .* at table/,
    );
  });

  it('answers missing required arguments the same way', async () => {
    const result = await conn.call('query', {});

    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^ARGUMENT_INVALID: invalid arguments for query: .* at sql/);
  });
});

describe('the capabilities', () => {
  it('announce tools, resources and prompts without listChanged, which never comes', () => {
    const capabilities = conn.client.getServerCapabilities();

    expect(capabilities?.tools).toEqual({});
    expect(capabilities?.resources).toEqual({ listChanged: false });
    expect(capabilities?.prompts).toEqual({ listChanged: false });
  });
});

describe('measureToolSurface', () => {
  it('sizes tools/list as a client receives it', async () => {
    const tenant = root.tenants[0]!;
    const size = await measureToolSurface(testConfig(root.root), tokenFor(tenant.id), {
      workerPath: WORKER,
    });
    const { tools } = await conn.client.listTools();
    expect(size.tools).toBe(tools.length);
    expect(size.chars).toBe(JSON.stringify(tools).length);
    expect(size.approxTokens).toBe(Math.round(size.chars / 4));
    expect(Object.keys(size.byTool).sort()).toEqual(tools.map((t) => t.name).sort());
  });
});
