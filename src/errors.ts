/**
 * The one error hierarchy of tenant-mcp. Every failure that can reach a user carries a
 * stable `code`; messages name the problem and never contain file paths, secrets or
 * token contents. `cli/exit.ts`, `mcp/wire.ts` and `transports/http/wire.ts` map codes to
 * the wire.
 */

export const ErrorCodes = [
  // configuration and startup
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'USAGE',
  'LISTEN_FAILED',
  // tokens
  'TOKEN_MISSING',
  'TOKEN_MALFORMED',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_BAD_SIGNATURE',
  'TOKEN_WRONG_ISSUER',
  'TOKEN_WRONG_AUDIENCE',
  'TOKEN_ALGORITHM_REFUSED',
  'TOKEN_CLAIM_MISSING',
  'TOKEN_CLAIM_INVALID',
  'TOKEN_INSUFFICIENT_SCOPE',
  'KEY_INVALID',
  // tenants and their files
  'TENANT_ID_INVALID',
  'TENANT_NOT_FOUND',
  'TENANT_FILE_REFUSED',
  'TENANT_FILE_UNREADABLE',
  'TENANT_BUSY',
  // migrations
  'MIGRATION_FAILED',
  'MIGRATION_DRIFT',
  'MIGRATION_NEWER_LEDGER',
  'MIGRATION_TOUCHED_PLATFORM',
  'MIGRATION_ADOPTION_REFUSED',
  'MIGRATIONS_INVALID',
  // queries
  'QUERY_INVALID',
  'QUERY_NOT_READ_ONLY',
  'QUERY_MULTIPLE_STATEMENTS',
  'QUERY_TIMEOUT',
  'QUERY_FAILED',
  'QUERY_PARAMS_INVALID',
  'QUERY_OVERLOADED',
  'QUERY_CANCELLED',
  'QUERY_WORKER_FAILED',
  // introspection
  'TABLE_NOT_FOUND',
  'NOT_FOUND',
  // domain tools, resources and prompts
  'ARGUMENT_INVALID',
  'TOOL_NOT_FOUND',
  'PROJECT_NOT_FOUND',
  'WORK_ITEM_NOT_FOUND',
  'REQUEST_TOO_LARGE',
  // the HTTP transport
  'HOST_REFUSED',
  'ORIGIN_REFUSED',
  'METHOD_NOT_ALLOWED',
  'NOT_ACCEPTABLE',
  'UNSUPPORTED_MEDIA_TYPE',
  'REQUEST_PARSE_ERROR',
  'REQUEST_INVALID',
  'REQUEST_TIMEOUT',
  'REQUEST_HEADERS_TOO_LARGE',
  'PROTOCOL_VERSION_UNSUPPORTED',
  'SERVER_OVERLOADED',
  'TENANT_OVERLOADED',
  // the server itself
  'SERVER_STARTING',
  'SERVER_CLOSING',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export interface ErrorDetails {
  /** A hint a model or user can act on, for example which tool to call instead. */
  hint?: string;
  /** The SQLite result code (such as SQLITE_ERROR) where one applies. */
  sqliteCode?: string;
  cause?: unknown;
}

/** Base of every error tenant-mcp raises on purpose. */
export class TenantMcpError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly sqliteCode: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TenantMcpError';
    this.code = code;
    this.hint = details.hint;
    this.sqliteCode = details.sqliteCode;
  }
}

/** True when `error` is a TenantMcpError with the given code. */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return error instanceof TenantMcpError && error.code === code;
}

/** Wraps anything thrown into a TenantMcpError, keeping the original as the cause. */
export function asTenantMcpError(error: unknown): TenantMcpError {
  if (error instanceof TenantMcpError) return error;
  return new TenantMcpError('INTERNAL', 'internal error', { cause: error });
}

/** The refusal of new work once a stop has begun (HTTP requests, tenant leases). */
export function serverClosing(): TenantMcpError {
  return new TenantMcpError('SERVER_CLOSING', 'the server is shutting down', {
    hint: 'try again once the server is back',
  });
}
