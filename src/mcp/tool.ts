import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { object, type ZodMiniObject } from 'zod/mini';
import { assertTokenLive, type TenantContext } from './context.js';
import { toolFailure } from './wire.js';

type Shape = z.ZodRawShape;

/** What the SDK hands every tool handler besides its arguments. */
interface ToolExtra {
  requestId: string | number;
  signal: AbortSignal;
}

/** A read-only tool: typed input, typed structured output, and a compact text copy. */
export interface TenantTool<I extends Shape, O extends Shape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  /** `signal` aborts when the client cancels the call. */
  run(
    ctx: TenantContext,
    args: z.infer<z.ZodObject<I>>,
    signal: AbortSignal,
  ): Promise<z.infer<z.ZodObject<O>>>;
  /** The text a model reads; cheaper than the JSON copy. */
  text(result: z.infer<z.ZodObject<O>>): string;
}

const ANNOTATIONS = { readOnlyHint: true, destructiveHint: false, openWorldHint: false };

/** Registers `tool` on `server`, adding timing, a structured log line and error mapping. */
export function registerTool<I extends Shape, O extends Shape>(
  server: McpServer,
  ctx: TenantContext,
  tool: TenantTool<I, O>,
): void {
  const schemas = schemasOf(tool);
  const config = {
    title: tool.title,
    description: tool.description,
    inputSchema: schemas.input,
    outputSchema: schemas.output,
    annotations: ANNOTATIONS,
  };
  const handler = async (args: z.infer<z.ZodObject<I>>, extra: ToolExtra) =>
    callTool(ctx, tool, args, extra);
  // The SDK's generic overloads cannot follow our generic shapes; the config is checked above.
  (server.registerTool as (...a: unknown[]) => void)(tool.name, config, handler);
}

/**
 * The tools/list entry of `tool`, as the SDK would build it minus the `$schema` key it adds to
 * every schema: about 220 tokens of a model's context across our tools, saying nothing.
 */
export function toolDefinition(tool: TenantTool<Shape, Shape>): Tool {
  const schemas = schemasOf(tool);
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchemaOf(schemas.input, 'input') as Tool['inputSchema'],
    outputSchema: jsonSchemaOf(schemas.output, 'output') as Tool['outputSchema'],
    annotations: ANNOTATIONS,
  };
}

function jsonSchemaOf(schema: ZodMiniObject, pipeStrategy: 'input' | 'output') {
  const json: Record<string, unknown> = toJsonSchemaCompat(schema, {
    strictUnions: true,
    pipeStrategy,
  });
  delete json.$schema;
  return json;
}

interface ToolSchemas {
  input: ZodMiniObject;
  output: ZodMiniObject;
}

// Built once per tool rather than per server: over HTTP a server is built for every request,
// and the SDK would otherwise wrap both shapes in new objects each time. Mini objects are what
// the SDK builds from a raw shape, so the advertised JSON Schema is unchanged.
const toolSchemas = new WeakMap<object, ToolSchemas>();

function schemasOf(tool: TenantTool<Shape, Shape>): ToolSchemas {
  let schemas = toolSchemas.get(tool);
  if (schemas === undefined) {
    schemas = { input: object(tool.input), output: object(tool.output) };
    toolSchemas.set(tool, schemas);
  }
  return schemas;
}

async function callTool<I extends Shape, O extends Shape>(
  ctx: TenantContext,
  tool: TenantTool<I, O>,
  args: z.infer<z.ZodObject<I>>,
  extra: ToolExtra,
): Promise<CallToolResult> {
  const started = performance.now();
  const log = ctx.logger.child({ rpcId: extra.requestId, tool: tool.name });
  try {
    assertTokenLive(ctx);
    const result = await tool.run(ctx, args, extra.signal);
    log.info({ status: 'ok', ms: elapsed(started) }, 'tool call');
    return {
      content: [{ type: 'text', text: tool.text(result) }],
      structuredContent: result as Record<string, unknown>,
    };
  } catch (error) {
    const failure = toolFailure(error, log);
    log.info({ status: 'error', code: codeOf(error), ms: elapsed(started) }, 'tool call');
    return failure;
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : 'INTERNAL';
}
