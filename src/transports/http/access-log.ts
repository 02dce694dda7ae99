import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ErrorCode } from '../../errors.js';
import type { Logger } from '../../log/logger.js';

// Names come from the client; a bound keeps a hostile one from bloating every log line.
const MAX_NAME_CHARS = 100;

/** What one request's access-log line says; filled in as the request goes along. */
export interface AccessRecord {
  readonly requestId: string;
  readonly httpMethod: string;
  readonly route: string;
  readonly startedAt: number;
  tenant?: string;
  /** The JSON-RPC method. */
  rpcMethod?: string;
  /** The tool of a tools/call. */
  tool?: string;
  /** Our code when the request was refused or failed before the MCP server answered. */
  code?: ErrorCode;
  /** The id of a lone JSON-RPC request, echoed in an error answer; never logged. */
  rpcId?: string | number;
}

/** Starts the record of a request; `now` is a monotonic millisecond clock. */
export function startRecord(
  requestId: string,
  httpMethod: string,
  route: string,
  now: number,
): AccessRecord {
  return { requestId, httpMethod, route, startedAt: now };
}

/** Notes what the body asked for: the JSON-RPC method and id and, for tools/call, the tool. */
export function noteMessage(record: AccessRecord, message: JSONRPCMessage): void {
  if (!('method' in message)) return;
  if ('id' in message) record.rpcId = message.id;
  record.rpcMethod = bounded(message.method);
  const name = message.params?.name;
  if (message.method === 'tools/call' && typeof name === 'string') record.tool = bounded(name);
}

/**
 * Writes the request's one line once its response is finished or its connection closed:
 * ids, tenant, method, tool, status and duration. Never a token, a body or a header value.
 */
export function logAccess(
  logger: Logger,
  level: 'info' | 'debug',
  record: AccessRecord,
  res: ServerResponse,
  now: number,
): void {
  logger[level](
    {
      event: 'http_request',
      reqId: record.requestId,
      method: record.httpMethod,
      route: record.route,
      tenant: record.tenant,
      rpcMethod: record.rpcMethod,
      tool: record.tool,
      // Node reports 200 until a status is sent; a response cut off before that had none.
      status: res.headersSent ? res.statusCode : undefined,
      code: record.code,
      // A response that never finished means the client went away first.
      aborted: res.writableFinished ? undefined : true,
      durationMs: Math.round((now - record.startedAt) * 100) / 100,
    },
    'request',
  );
}

function bounded(name: string): string {
  return name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS)}…` : name;
}
