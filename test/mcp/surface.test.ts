import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureToolSurface } from '../../src/bench/surface.js';
import { WORKER, buildTestRoot, testConfig, type TestRoot } from '../support/demo-root.js';
import { connectTenant, tokenFor, type Connected } from '../support/mcp-client.js';

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
