import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  ErrorCode as RpcCode,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { LineGuard, type LineId, type RefusedLine } from './line-guard.js';

/**
 * Largest request line accepted, in bytes. The SDK drops the whole session past 10 MiB;
 * below that, a request this size is already far beyond any legitimate tool call.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

// How long answers already written may take to leave the process before it stops anyway.
const FLUSH_LIMIT_MS = 2_000;

/** How a stdio connection ends. */
export interface StdioOptions {
  /**
   * How long requests received before stdin ended may still run once it has. They are
   * answered as usual; any still running when this runs out is cancelled unanswered.
   */
  graceMs: number;
}

/** A running stdio connection; `closed` settles once it has ended and its answers are out. */
export interface StdioConnection {
  readonly closed: Promise<void>;
  /** Ends the connection now: requests still running are cancelled and not answered. */
  stop(): Promise<void>;
}

/**
 * Connects `server` to a pair of streams. The SDK's transport does not notice that stdin has
 * ended, so the end of input is watched here: a client that writes its requests and closes
 * the pipe gets every answer (within `graceMs`), then the connection ends.
 */
export async function connectStdio(
  server: McpServer,
  input: Readable,
  output: Writable,
  logger: Logger,
  options: StdioOptions,
): Promise<StdioConnection> {
  const guard = new LineGuard(MAX_REQUEST_BYTES, (line) => refuseLine(line, output, logger));
  const transport = new AnswerCountingTransport(input.pipe(guard), output);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let graceTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    clearTimeout(graceTimer);
    // A stdin still open and flowing would keep the process alive after the server closed.
    input.unpipe(guard);
    input.pause();
    // Started a tick later: closing the server calls the transport's onclose, which stops.
    stopping ??= Promise.resolve()
      .then(() => server.close())
      .then(() => flushed(output))
      .finally(resolveClosed);
    return stopping;
  };

  // The guard ends once every line read before the end of input has reached the transport.
  const drain = (): void => {
    if (stopping) return;
    graceTimer = setTimeout(() => {
      const unanswered = transport.unanswered.size;
      logger.warn({ event: 'stdio_grace_expired', unanswered }, 'unanswered requests cancelled');
      void stop();
    }, options.graceMs);
    void transport.unanswered.settled().then(stop);
  };

  transport.onclose = () => void stop();
  // Malformed lines never reach the SDK (the guard answers them); this is anything else.
  transport.onerror = (error) =>
    logger.warn({ event: 'stdio_error', err: error.message }, 'stdio transport error');
  guard.once('end', drain);
  // An input destroyed without an end (a read error) ends the guard, so the same drain runs.
  input.once('close', () => {
    if (!input.readableEnded) guard.end();
  });
  await server.connect(transport);
  return { closed, stop };
}

/** The SDK's stdio transport, keeping count of the requests it has received and not answered. */
class AnswerCountingTransport extends StdioServerTransport {
  readonly unanswered = new UnansweredRequests();

  constructor(input: Readable, output: Writable) {
    super(input, output);
    // The SDK's Protocol calls a handler set before connect() ahead of its own, for every message.
    this.onmessage = (message) => this.unanswered.received(message);
  }

  override async send(message: JSONRPCMessage): Promise<void> {
    await super.send(message);
    if (!('method' in message) && message.id !== undefined) this.unanswered.settle(message.id);
  }
}

/** Requests received and not yet answered, by id (a client may reuse one). */
class UnansweredRequests {
  private readonly counts = new Map<RequestId, number>();
  private onSettled: (() => void) | undefined;

  get size(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  received(message: JSONRPCMessage): void {
    if (!('method' in message)) return;
    if ('id' in message) this.counts.set(message.id, (this.counts.get(message.id) ?? 0) + 1);
    // The SDK answers nothing for a request its client cancelled.
    else if (message.method === 'notifications/cancelled') this.settleCancelled(message.params);
  }

  settle(id: RequestId): void {
    const count = this.counts.get(id);
    if (count === undefined) return;
    if (count > 1) this.counts.set(id, count - 1);
    else this.counts.delete(id);
    if (this.counts.size === 0) this.onSettled?.();
  }

  /** Resolves once every request received so far has been answered or cancelled. */
  settled(): Promise<void> {
    if (this.counts.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onSettled = resolve));
  }

  private settleCancelled(params: { [key: string]: unknown } | undefined): void {
    const id = params?.requestId;
    if (typeof id === 'string' || typeof id === 'number') this.settle(id);
  }
}

interface Refusal {
  code: ErrorCode;
  rpcCode: number;
  id: LineId;
  message: string;
}

function describeRefusal(line: RefusedLine): Refusal {
  switch (line.reason) {
    case 'too_large': {
      const message = `requests are limited to ${MAX_REQUEST_BYTES} bytes`;
      return { code: 'REQUEST_TOO_LARGE', rpcCode: RpcCode.InvalidRequest, id: line.id, message };
    }
    case 'not_json':
      return {
        code: 'REQUEST_PARSE_ERROR',
        rpcCode: RpcCode.ParseError,
        id: null,
        message: 'the line is not valid JSON; send one JSON-RPC message per line',
      };
    case 'batch':
      return {
        code: 'REQUEST_INVALID',
        rpcCode: RpcCode.InvalidRequest,
        id: null,
        message: 'JSON-RPC batches are not supported; send one message per line',
      };
    case 'not_jsonrpc':
      return {
        code: 'REQUEST_INVALID',
        rpcCode: RpcCode.InvalidRequest,
        id: line.id,
        message:
          'the line is not a JSON-RPC 2.0 message ("jsonrpc": "2.0", a string or integer id, ' +
          'no other top-level keys)',
      };
  }
}

/**
 * Answers a refused line with a JSON-RPC error, our code as the message's prefix and in
 * `data.code`. Written straight to stdout as one whole line, like the SDK's own answers.
 */
function refuseLine(line: RefusedLine, output: Writable, logger: Logger): void {
  const { code, rpcCode, id, message } = describeRefusal(line);
  const bytes = line.reason === 'too_large' ? line.bytes : undefined;
  logger.warn({ event: 'stdio_refused', code, rpcId: id, bytes }, 'request line refused');
  const error = { code: rpcCode, message: `${code}: ${message}`, data: { code } };
  output.write(`${JSON.stringify({ jsonrpc: '2.0', id, error })}\n`);
}

/** Resolves once everything written to `output` so far has been handed on, or after a limit. */
function flushed(output: Writable): Promise<void> {
  if (output.destroyed || output.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const limit = setTimeout(resolve, FLUSH_LIMIT_MS);
    output.write('', () => {
      clearTimeout(limit);
      resolve();
    });
  });
}
