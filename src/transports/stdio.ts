import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { LineGuard, type OversizedLine } from './line-guard.js';

/**
 * Largest request line accepted, in bytes. The SDK drops the whole session past 10 MiB;
 * below that, a request this size is already far beyond any legitimate tool call.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

// JSON-RPC's code for a request the server cannot accept as sent.
const INVALID_REQUEST = -32600;

/** A running stdio connection; `closed` settles once the peer hangs up or `stop` is called. */
export interface StdioConnection {
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Connects `server` to a pair of streams. The SDK's transport does not notice that stdin has
 * ended, so the end of input is watched here: a client that closes the pipe ends the session.
 */
export async function connectStdio(
  server: McpServer,
  input: Readable,
  output: Writable,
  logger: Logger,
): Promise<StdioConnection> {
  const guarded = input.pipe(
    new LineGuard(MAX_REQUEST_BYTES, (line) => refuseOversized(line, output, logger)),
  );
  const transport = new StdioServerTransport(guarded, output);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  transport.onclose = () => resolveClosed();
  // Malformed lines are answered by nothing in the SDK; at least the operator sees them.
  transport.onerror = (error) =>
    logger.warn({ event: 'stdio_error', err: error.message }, 'bad message');
  const hangUp = () => void server.close().finally(resolveClosed);
  input.once('end', hangUp);
  input.once('close', hangUp);
  await server.connect(transport);
  return {
    closed,
    stop: async () => {
      await server.close();
      resolveClosed();
    },
  };
}

function refuseOversized(line: OversizedLine, output: Writable, logger: Logger): void {
  logger.warn({ event: 'request_too_large', bytes: line.bytes }, 'request line dropped');
  const code: ErrorCode = 'REQUEST_TOO_LARGE';
  const message = `${code}: requests are limited to ${MAX_REQUEST_BYTES} bytes`;
  const reply = { jsonrpc: '2.0', id: line.id, error: { code: INVALID_REQUEST, message } };
  output.write(`${JSON.stringify(reply)}\n`);
}
