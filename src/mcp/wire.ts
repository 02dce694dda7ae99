import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sqliteCodeOf } from '../db/open.js';
import { TenantMcpError, asTenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';

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
  // Our own introspection SQL can still fail on a host object (a view that no longer compiles).
  if (sqliteCode && error instanceof Error) {
    return new TenantMcpError('QUERY_FAILED', error.message, { sqliteCode, cause: error });
  }
  return asTenantMcpError(error);
}
