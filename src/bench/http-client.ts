import { Agent, request } from 'node:http';

/** One finished HTTP exchange. */
export interface Exchange {
  status: number;
  contentType: string;
  body: string;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** A keep-alive agent that opens at most `sockets` connections. */
export function loadAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

/** POSTs a JSON-RPC message to the MCP endpoint with a bearer token, as a client would. */
export function postMcp(agent: Agent, url: URL, token: string, body: string): Promise<Exchange> {
  return exchange(agent, url, 'POST', body, {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'content-length': String(Buffer.byteLength(body)),
  });
}

/** GETs a path without credentials. */
export function getPlain(agent: Agent, url: URL): Promise<Exchange> {
  return exchange(agent, url, 'GET', undefined, {});
}

function exchange(
  agent: Agent,
  url: URL,
  method: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<Exchange> {
  return new Promise((done, fail) => {
    const req = request(url, { agent, method, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () =>
        done({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * Why an answer to a JSON-RPC request is not a success, or undefined when it is. A non-200 status,
 * a JSON-RPC error and a tool result marked isError all count.
 */
export function failureOf(answer: Exchange): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.body}`;
  let message: { error?: unknown; result?: { isError?: unknown } };
  try {
    message = JSON.parse(jsonPart(answer)) as typeof message;
  } catch {
    return `unparsable answer (${answer.contentType}): ${answer.body}`;
  }
  if (message.error !== undefined) return `JSON-RPC error: ${answer.body}`;
  if (message.result === undefined) return `no result: ${answer.body}`;
  if (message.result.isError === true) return `tool error: ${answer.body}`;
  return undefined;
}

// With JSON answers the body is the message; with an event stream, the last data line is.
function jsonPart(answer: Exchange): string {
  if (!answer.contentType.startsWith('text/event-stream')) return answer.body;
  const data = answer.body.split('\n').filter((line) => line.startsWith('data:'));
  return data.at(-1)?.slice('data:'.length) ?? '';
}
