import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import {
  ErrorCode,
  ListToolsRequestSchema,
  type CallToolRequest,
  type CallToolResult,
  type ListToolsResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { literal, looseObject, object, unknown, type ZodMiniObject } from 'zod/mini';
import { TenantMcpError } from '../errors.js';
import { assertTokenLive, type TenantContext } from './context.js';
import { describeFailure, ProtocolFailure, toolFailure } from './wire.js';

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

type AnyTool = TenantTool<Shape, Shape>;

/** The tools one server offers: the same for every tenant, so built once per process. */
export interface ToolSet {
  readonly list: ListToolsResult;
  readonly byName: ReadonlyMap<string, AnyTool>;
}

/** The listing and the lookup of `tools`; names must be unique. */
export function toolSetOf(tools: AnyTool[]): ToolSet {
  return {
    list: { tools: tools.map(toolDefinition) },
    byName: new Map(tools.map((tool) => [tool.name, tool])),
  };
}

/**
 * Answers tools/list and tools/call for `tools` on `server`, in place of the SDK's McpServer
 * handlers: those answer an unknown tool with a tool result where the spec asks for a JSON-RPC
 * error, and rebuild each listing. Arguments are checked against the tool's input schema and
 * results against its output schema, as the SDK would.
 */
export function serveTools(server: McpServer, ctx: TenantContext, tools: ToolSet): void {
  // No listChanged: the tools never change while a server runs.
  server.server.registerCapabilities({ tools: {} });
  server.server.setRequestHandler(ListToolsRequestSchema, () => tools.list);
  server.server.setRequestHandler(AnyToolCall, (request, extra) => {
    // The SDK has checked the params against CallToolRequestSchema by now (see AnyToolCall).
    const { name, arguments: args } = request.params as CallToolRequest['params'];
    const tool = tools.byName.get(name);
    if (tool === undefined) throw unknownTool(name);
    return callTool(ctx, tool, args ?? {}, extra);
  });
}

// The SDK first parses a request with the schema its handler was set with, and answers a
// failure there -32603 (internal error) with zod's whole report. With params left loose here,
// its own tools/call check answers malformed params as it should: -32602, invalid params.
const AnyToolCall = looseObject({ method: literal('tools/call'), params: unknown() });

// Names echoed back are cut short: the name is the client's, of any length.
const ECHOED_NAME_CHARS = 64;

function unknownTool(name: string): ProtocolFailure {
  const shown = JSON.stringify(name.slice(0, ECHOED_NAME_CHARS));
  const error = new TenantMcpError('TOOL_NOT_FOUND', `no tool named ${shown}`, {
    hint: 'call tools/list for the tools of this server',
  });
  return new ProtocolFailure(ErrorCode.InvalidParams, describeFailure(error));
}

/**
 * The tools/list entry of `tool`, as the SDK would build it minus the `$schema` key it adds to
 * every schema: about 220 tokens of a model's context across our tools, saying nothing.
 */
function toolDefinition(tool: TenantTool<Shape, Shape>): Tool {
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

// Built once per tool rather than per call or per server: every call parses its arguments and
// result with them. Mini objects are what the SDK builds from a raw shape, so the advertised
// JSON Schema is the one the SDK would give.
const toolSchemas = new WeakMap<object, ToolSchemas>();

function schemasOf(tool: TenantTool<Shape, Shape>): ToolSchemas {
  let schemas = toolSchemas.get(tool);
  if (schemas === undefined) {
    schemas = { input: object(tool.input), output: object(tool.output) };
    toolSchemas.set(tool, schemas);
  }
  return schemas;
}

async function callTool(
  ctx: TenantContext,
  tool: AnyTool,
  input: Record<string, unknown>,
  extra: ToolExtra,
): Promise<CallToolResult> {
  const started = performance.now();
  const log = ctx.logger.child({ rpcId: extra.requestId, tool: tool.name });
  try {
    assertTokenLive(ctx);
    const schemas = schemasOf(tool);
    const result = await tool.run(ctx, argumentsOf(tool, schemas, input), extra.signal);
    checkOutput(tool, schemas, result);
    log.info({ status: 'ok', ms: elapsed(started) }, 'tool call');
    return {
      content: [{ type: 'text', text: tool.text(result) }],
      structuredContent: result,
    };
  } catch (error) {
    const failure = toolFailure(error, log);
    log.info({ status: 'error', code: codeOf(error), ms: elapsed(started) }, 'tool call');
    return failure;
  }
}

// A tool result, not a protocol error: the model reads it and can call again with better
// arguments, as the spec asks of input validation errors since revision 2025-11-25.
function argumentsOf(
  tool: AnyTool,
  schemas: ToolSchemas,
  input: Record<string, unknown>,
): Record<string, unknown> {
  const parsed = schemas.input.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new TenantMcpError(
    'ARGUMENT_INVALID',
    `invalid arguments for ${tool.name}: ${issuesOf(parsed.error.issues)}`,
    { hint: 'tools/list gives the input schema of every tool' },
  );
}

// Our own result breaking our own schema is a bug here: logged, and "internal error" outside.
function checkOutput(tool: AnyTool, schemas: ToolSchemas, result: Record<string, unknown>): void {
  const parsed = schemas.output.safeParse(result);
  if (parsed.success) return;
  throw new Error(`${tool.name} result breaks its output schema: ${issuesOf(parsed.error.issues)}`);
}

const MAX_ISSUES = 5;

function issuesOf(issues: readonly { message: string; path: readonly PropertyKey[] }[]): string {
  return issues
    .slice(0, MAX_ISSUES)
    .map((issue) => {
      const at = issue.path.map(String).join('.');
      return at === '' ? issue.message : `${issue.message} at ${at}`;
    })
    .join('; ');
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : 'INTERNAL';
}
