import type { IncomingMessage } from 'node:http';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { TenantMcpError } from '../../errors.js';

/** The SDK's own bound on a batch; a longer one would be refused by the transport anyway. */
const MAX_BATCH = 100;

/** A request body that parsed as JSON-RPC: the JSON as sent and its messages. */
export interface RpcBody {
  /** Handed to the SDK transport, which reads no body of its own. */
  readonly json: unknown;
  readonly messages: readonly JSONRPCMessage[];
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

/** Parses a body as one JSON-RPC message or a batch: REQUEST_PARSE_ERROR or REQUEST_INVALID. */
export function parseRpcBody(bytes: Buffer): RpcBody {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new TenantMcpError('REQUEST_PARSE_ERROR', 'the request body is not valid JSON', {
      cause: error,
    });
  }
  return { json, messages: rpcMessages(json) };
}

function rpcMessages(json: unknown): JSONRPCMessage[] {
  const list = Array.isArray(json) ? json : [json];
  if (list.length === 0 || list.length > MAX_BATCH) {
    throw invalid(`a batch must hold 1 to ${MAX_BATCH} messages`);
  }
  return list.map((item) => {
    const parsed = JSONRPCMessageSchema.safeParse(item);
    if (!parsed.success) throw invalid('the body is not a JSON-RPC 2.0 message');
    return parsed.data;
  });
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
