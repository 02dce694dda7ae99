import { STATUS_CODES, type ServerResponse } from 'node:http';
import { asTenantMcpError, TenantMcpError, type ErrorCode } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { FIRST_USE_BUSY_COOLDOWN_MS } from '../../tenancy/migrate-on-open.js';

/** JSON-RPC 2.0 error codes used on the HTTP wire. */
export const RpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  internalError: -32603,
  /** The start of JSON-RPC's range for server-defined errors; our code travels in `data`. */
  serverError: -32000,
} as const;

/** Seconds a client is asked to wait after an overload, startup or shutdown answer. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Seconds a client is asked to wait after TENANT_BUSY: a tenant found busy on first use is
 * refused without trying for this long, so an earlier retry would only be refused again.
 */
export const BUSY_RETRY_AFTER_SECONDS = Math.ceil(FIRST_USE_BUSY_COOLDOWN_MS / 1000);

/** What a 401 or 403 from the token check needs to tell the client where to get a token. */
export interface Challenge {
  readonly resourceMetadataUrl: string;
  readonly requiredScopes: readonly string[];
}

/** What writing a failure needs besides the error. */
export interface FailureWire {
  readonly challenge: Challenge;
  readonly logger: Logger;
}

/** One failure as it goes on the wire. */
export interface HttpFailure {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: RpcErrorBody;
}

/** A JSON-RPC error response; `data.code` is our stable error code. */
export interface RpcErrorBody {
  readonly jsonrpc: '2.0';
  readonly id: string | number | null;
  readonly error: {
    readonly code: number;
    readonly message: string;
    readonly data: { readonly code: ErrorCode; readonly hint?: string };
  };
}

interface Mapping {
  readonly status: number;
  readonly rpc?: number;
  /** Seconds for the Retry-After header. */
  readonly retryAfter?: number;
  /**
   * The Bearer challenge: with an RFC 6750 error code, or `bare` (no error) for a request
   * that carried no Bearer credentials at all (RFC 6750 section 3.1).
   */
  readonly challenge?: 'bare' | 'invalid_token' | 'insufficient_scope';
}

const INVALID_TOKEN: Mapping = { status: 401, challenge: 'invalid_token' };
const NOT_SERVED: Mapping = { status: 403 };
const BROKEN_TENANT: Mapping = { status: 500 };

/**
 * The one place where error codes become HTTP answers. A code absent here is a server fault:
 * 500, logged, and "internal error" on the wire.
 */
const MAPPINGS: Partial<Record<ErrorCode, Mapping>> = {
  TOKEN_MISSING: { status: 401, challenge: 'bare' },
  TOKEN_MALFORMED: INVALID_TOKEN,
  TOKEN_EXPIRED: INVALID_TOKEN,
  TOKEN_NOT_YET_VALID: INVALID_TOKEN,
  TOKEN_BAD_SIGNATURE: INVALID_TOKEN,
  TOKEN_WRONG_ISSUER: INVALID_TOKEN,
  TOKEN_WRONG_AUDIENCE: INVALID_TOKEN,
  TOKEN_ALGORITHM_REFUSED: INVALID_TOKEN,
  TOKEN_CLAIM_MISSING: INVALID_TOKEN,
  TOKEN_CLAIM_INVALID: INVALID_TOKEN,
  TOKEN_INSUFFICIENT_SCOPE: { status: 403, challenge: 'insufficient_scope' },
  HOST_REFUSED: { status: 403 },
  ORIGIN_REFUSED: { status: 403 },
  // A valid token naming a tenant this server does not serve: 403 with the code saying why, which
  // only the holder of a token signed for that tenant id ever reads.
  TENANT_ID_INVALID: NOT_SERVED,
  TENANT_NOT_FOUND: NOT_SERVED,
  TENANT_FILE_REFUSED: NOT_SERVED,
  TENANT_FILE_UNREADABLE: BROKEN_TENANT,
  MIGRATION_FAILED: BROKEN_TENANT,
  MIGRATION_DRIFT: BROKEN_TENANT,
  MIGRATION_NEWER_LEDGER: BROKEN_TENANT,
  MIGRATION_TOUCHED_PLATFORM: BROKEN_TENANT,
  MIGRATION_ADOPTION_REFUSED: BROKEN_TENANT,
  TENANT_BUSY: { status: 503, retryAfter: BUSY_RETRY_AFTER_SECONDS },
  NOT_FOUND: { status: 404 },
  // The route sets Allow: it alone knows its methods.
  METHOD_NOT_ALLOWED: { status: 405 },
  NOT_ACCEPTABLE: { status: 406 },
  REQUEST_TOO_LARGE: { status: 413, rpc: RpcCode.invalidRequest },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  REQUEST_PARSE_ERROR: { status: 400, rpc: RpcCode.parseError },
  REQUEST_INVALID: { status: 400, rpc: RpcCode.invalidRequest },
  REQUEST_TIMEOUT: { status: 408, rpc: RpcCode.invalidRequest },
  REQUEST_HEADERS_TOO_LARGE: { status: 431, rpc: RpcCode.invalidRequest },
  PROTOCOL_VERSION_UNSUPPORTED: { status: 400 },
  TENANT_OVERLOADED: { status: 429, retryAfter: RETRY_AFTER_SECONDS },
  SERVER_OVERLOADED: { status: 503, retryAfter: RETRY_AFTER_SECONDS },
  SERVER_STARTING: { status: 503, retryAfter: RETRY_AFTER_SECONDS },
  SERVER_CLOSING: { status: 503, retryAfter: RETRY_AFTER_SECONDS },
};

/** Builds the answer for `error`; `id` is the JSON-RPC request id when the body was read. */
export function httpFailure(
  error: unknown,
  challenge: Challenge,
  id: string | number | null = null,
): HttpFailure {
  const known = asTenantMcpError(error);
  const mapping = MAPPINGS[known.code];
  if (mapping === undefined) return internalFailure(id);
  return {
    status: mapping.status,
    headers: headersFor(mapping, known, challenge),
    body: rpcError(id, mapping.rpc ?? RpcCode.serverError, known),
  };
}

/**
 * Writes the answer for `error` and returns it. Unexpected errors are logged here with their
 * cause; the client only ever sees the code and the message, never a stack or a path.
 */
export function sendFailure(
  res: ServerResponse,
  error: unknown,
  wire: FailureWire,
  id: string | number | null = null,
): HttpFailure {
  const { challenge, logger } = wire;
  const known = asTenantMcpError(error);
  if (MAPPINGS[known.code] === undefined) {
    logger.error({ err: known.cause ?? known }, 'request failed unexpectedly');
  }
  const failure = httpFailure(known, challenge, id);
  if (res.headersSent) {
    res.destroy();
  } else {
    sendJson(res, failure.status, failure.body, failure.headers);
  }
  return failure;
}

/** Writes a JSON body with a length, so that keep-alive connections stay usable. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function headersFor(
  mapping: Mapping,
  error: TenantMcpError,
  challenge: Challenge,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (mapping.challenge) {
    headers['www-authenticate'] = bearerChallenge(mapping.challenge, error, challenge);
  }
  if (mapping.retryAfter !== undefined) headers['retry-after'] = String(mapping.retryAfter);
  // The body of a refused upload is left unread: the connection cannot carry another request.
  if (mapping.status === 413 || error.code === 'SERVER_CLOSING') headers.connection = 'close';
  return headers;
}

/** RFC 6750 section 3 challenge, with the RFC 9728 pointer to the metadata. */
function bearerChallenge(
  kind: NonNullable<Mapping['challenge']>,
  error: TenantMcpError,
  challenge: Challenge,
): string {
  const parts =
    kind === 'bare'
      ? []
      : [`error="${kind}"`, `error_description="${quotable(`${error.code}: ${error.message}`)}"`];
  if (challenge.requiredScopes.length > 0) {
    parts.push(`scope="${quotable(challenge.requiredScopes.join(' '))}"`);
  }
  parts.push(`resource_metadata="${quotable(challenge.resourceMetadataUrl)}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** RFC 6750 limits error_description to printable ASCII without `"` and `\`. */
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '');
}

function rpcError(id: string | number | null, code: number, error: TenantMcpError): RpcErrorBody {
  const data = error.hint ? { code: error.code, hint: error.hint } : { code: error.code };
  return { jsonrpc: '2.0', id, error: { code, message: `${error.code}: ${error.message}`, data } };
}

function internalFailure(id: string | number | null): HttpFailure {
  const body: RpcErrorBody = {
    jsonrpc: '2.0',
    id,
    error: {
      code: RpcCode.internalError,
      message: 'INTERNAL: internal error',
      data: { code: 'INTERNAL' },
    },
  };
  return { status: 500, headers: {}, body };
}

/** A raw answer written straight to a socket, and what the log says of it. */
export interface RawAnswer {
  readonly status: number;
  readonly code: ErrorCode;
  readonly text: string;
}

/**
 * The raw answer to a request Node's parser refused before any handler saw it (malformed
 * HTTP, headers over Node's limit, a request not whole within the timeouts), in the same
 * shape as every other refusal; undefined when the client is gone (a reset connection).
 */
export function clientErrorAnswer(
  error: NodeJS.ErrnoException,
  requestId: string,
): RawAnswer | undefined {
  if (error.code === 'ECONNRESET') return undefined;
  const refusal = clientErrorOf(error.code);
  const failure = httpFailure(refusal, NO_CHALLENGE);
  const body = JSON.stringify(failure.body);
  const head = [
    `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? ''}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    `x-request-id: ${requestId}`,
    'connection: close',
  ];
  const text = `${head.join('\r\n')}\r\n\r\n${body}`;
  return { status: failure.status, code: refusal.code, text };
}

// None of these answers is a 401, so no challenge is ever built from this.
const NO_CHALLENGE: Challenge = { resourceMetadataUrl: '', requiredScopes: [] };

function clientErrorOf(code: string | undefined): TenantMcpError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new TenantMcpError('REQUEST_HEADERS_TOO_LARGE', 'request headers are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new TenantMcpError('REQUEST_TIMEOUT', 'the request did not arrive in time');
    default:
      return new TenantMcpError('REQUEST_INVALID', 'malformed HTTP request');
  }
}
