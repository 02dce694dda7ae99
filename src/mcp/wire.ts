import { ErrorCode, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sqliteCodeOf, tenantBusy } from '../db/open.js';
import { TenantMcpError, asTenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { assertTokenLive, type TenantContext } from './context.js';

/**
 * The one place where errors become MCP tool results. Known errors keep their code, message
 * and hint; anything unexpected is logged with its cause and reaches the model only as
 * "internal error", so no path or stack ever leaves the process.
 */
export function toolFailure(error: unknown, logger: Logger): CallToolResult {
  const known = normalize(error);
  if (known.code === 'INTERNAL') logger.error({ err: known.cause }, 'tool failed unexpectedly');
  return { isError: true, content: [{ type: 'text', text: describeFailure(known) }] };
}

/** `CODE: message` plus the SQLite code and hint where they exist. */
export function describeFailure(error: TenantMcpError): string {
  const sqlite = error.sqliteCode ? ` [${error.sqliteCode}]` : '';
  const hint = error.hint ? `\nHint: ${error.hint}` : '';
  return `${error.code}: ${error.message}${sqlite}${hint}`;
}

function normalize(error: unknown): TenantMcpError {
  const sqliteCode = sqliteCodeOf(error);
  if (sqliteCode === 'SQLITE_BUSY') return tenantBusy(error);
  // Our own introspection SQL can still fail on a host object (a view that no longer compiles).
  if (sqliteCode && error instanceof Error) {
    return new TenantMcpError('QUERY_FAILED', error.message, { sqliteCode, cause: error });
  }
  return asTenantMcpError(error);
}

/**
 * Runs a resource, prompt or completion handler for a live token only, and turns failures
 * into protocol errors: known ones keep their code and hint, anything else is logged here
 * and reaches the client only as "internal error".
 */
export async function guarded<T>(
  ctx: TenantContext,
  what: string,
  handler: () => T | Promise<T>,
): Promise<T> {
  try {
    assertTokenLive(ctx);
    return await handler();
  } catch (error) {
    const known = normalize(error);
    if (known.code === 'INTERNAL') {
      ctx.logger.error({ err: known.cause, handler: what }, 'handler failed unexpectedly');
      throw new ProtocolFailure(ErrorCode.InternalError, describeFailure(known));
    }
    throw new ProtocolFailure(ErrorCode.InvalidParams, describeFailure(known));
  }
}

/**
 * A JSON-RPC error as the SDK sends it: its numeric code and its message as they are. The
 * SDK's McpError would prefix the message, and clients prefix it once more.
 */
export class ProtocolFailure extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'ProtocolFailure';
    this.code = code;
  }
}

// Longer than any name a completion could offer; also keeps LIKE patterns small.
const MAX_COMPLETION_CHARS = 200;

/**
 * Runs a completion handler through `guarded`, answering nothing for a value no name could
 * start with: one too long, or holding a NUL.
 */
export async function guardedCompletion(
  ctx: TenantContext,
  what: string,
  value: string | undefined,
  handler: (value: string) => string[] | Promise<string[]>,
): Promise<string[]> {
  const text = value ?? '';
  if (text.length > MAX_COMPLETION_CHARS || text.includes('\0')) return [];
  return guarded(ctx, what, () => handler(text));
}
