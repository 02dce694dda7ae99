import type { IncomingMessage } from 'node:http';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import {
  isInitializeRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { TenantMcpError } from '../../errors.js';

/** A request body that parsed as one JSON-RPC message: the JSON as sent and the message. */
export interface RpcBody {
  /** Handed to the SDK transport, which reads no body of its own. */
  readonly json: unknown;
  readonly message: JSONRPCMessage;
}

/**
 * Refuses, before the body is read, a POST the Streamable HTTP transport could not answer:
 * the client must accept both JSON and an event stream, and send uncompressed JSON.
 */
export function checkPostHeaders(req: IncomingMessage): void {
  const accept = req.headers.accept ?? '';
  // The same test the SDK transport applies, so that nothing passes here only to fail there.
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    throw new TenantMcpError(
      'NOT_ACCEPTABLE',
      'the client must accept both application/json and text/event-stream',
    );
  }
  if (!isJsonContentType(req.headers['content-type'])) {
    throw new TenantMcpError('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json');
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    throw new TenantMcpError('UNSUPPORTED_MEDIA_TYPE', 'compressed bodies are not accepted');
  }
}

/**
 * Refuses an `Mcp-Protocol-Version` header naming a version the SDK does not speak, before the
 * transport would refuse it without our code. No header is fine (the client predates it), and
 * so is any header on `initialize`, where the version is negotiated in the body instead.
 * The value sent is never echoed.
 */
export function checkProtocolVersion(
  header: string | string[] | undefined,
  message: JSONRPCMessage,
): void {
  if (header === undefined || isInitializeRequest(message)) return;
  if (typeof header === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(header)) return;
  const supported = SUPPORTED_PROTOCOL_VERSIONS.join(', ');
  throw new TenantMcpError(
    'PROTOCOL_VERSION_UNSUPPORTED',
    `the Mcp-Protocol-Version header names an unsupported version; supported: ${supported}`,
  );
}

/**
 * Reads the whole body, refusing it with REQUEST_TOO_LARGE as soon as it passes `maxBytes`
 * (at once when Content-Length says so). The rest of a refused body is left unread.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (Number(req.headers['content-length']) > maxBytes) return Promise.reject(tooLarge(maxBytes));
  // Its 'close' has been and gone: waiting for 'end' would wait for ever.
  if (req.destroyed) return Promise.reject(cutShort());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: TenantMcpError): void => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) stop(tooLarge(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      req.off('close', onClose);
      resolve(Buffer.concat(chunks, size));
    };
    const onClose = (): void => stop(cutShort());
    req.on('data', onData).once('end', onEnd).once('close', onClose);
  });
}

/**
 * Parses a body as one JSON-RPC message: REQUEST_PARSE_ERROR or REQUEST_INVALID. Batches are
 * refused: MCP dropped them in protocol 2025-06-18, and the transport answers a batch of
 * requests with only one of its answers.
 */
export function parseRpcBody(bytes: Buffer): RpcBody {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new TenantMcpError('REQUEST_PARSE_ERROR', 'the request body is not valid JSON', {
      cause: error,
    });
  }
  return { json, message: rpcMessage(json) };
}

function rpcMessage(json: unknown): JSONRPCMessage {
  if (Array.isArray(json)) throw invalid('JSON-RPC batches are not supported; send one message');
  const parsed = JSONRPCMessageSchema.safeParse(json);
  if (!parsed.success) throw invalid('the body is not a JSON-RPC 2.0 message');
  return parsed.data;
}

function invalid(message: string): TenantMcpError {
  return new TenantMcpError('REQUEST_INVALID', message);
}

function tooLarge(maxBytes: number): TenantMcpError {
  return new TenantMcpError('REQUEST_TOO_LARGE', `request bodies are limited to ${maxBytes} bytes`);
}

function cutShort(): TenantMcpError {
  return new TenantMcpError('REQUEST_INVALID', 'the connection closed before the body ended');
}

// Connections whose last answer went out before its request's body had all arrived.
const answeredEarly = new WeakSet<object>();

/**
 * Bounds what is still read of `req`'s body once its answer is out: an answer often leaves
 * before the body has arrived (a refusal for a missing token, a health check sent with a
 * body). Node then reads the rest and drops it, so that the connection can carry the client's
 * next request: whatever the client goes on sending, gigabytes from a client that never had a
 * token. Past `maxBodyBytes` more on the connection, it is closed. Counted on the socket, as
 * Node no longer hands a dropped body to the request.
 */
export function boundUnreadBody(req: IncomingMessage, maxBodyBytes: number): void {
  if (req.complete) return;
  const socket = req.socket;
  answeredEarly.add(socket);
  let left = maxBodyBytes;
  const count = (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) socket.destroy();
  };
  socket.on('data', count);
  req.once('end', () => {
    socket.off('data', count);
    answeredEarly.delete(socket);
  });
}

/**
 * True while `socket`'s last request was answered and its body is still arriving: a timeout
 * or parse error then must not be answered a second time.
 */
export function isAnsweredEarly(socket: object): boolean {
  return answeredEarly.has(socket);
}
