import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpSettings } from './settings.js';

// What a browser client must send and read for MCP over HTTP with a Bearer token.
const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, Mcp-Protocol-Version';
const EXPOSED_HEADERS = 'WWW-Authenticate, Retry-After, X-Request-Id';

/**
 * Lets pages from an allowed origin read the answer. Origins not on the list never get here
 * (the guard refuses them), and requests without an Origin need no CORS headers.
 */
export function allowCors(req: IncomingMessage, res: ServerResponse, settings: HttpSettings): void {
  const origin = req.headers.origin;
  if (origin === undefined || !settings.allowedOrigins.has(origin)) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  res.setHeader('vary', 'Origin');
}

/** Answers an OPTIONS request (a browser's preflight) for an endpoint taking `methods`. */
export function answerPreflight(res: ServerResponse, methods: string): void {
  res.writeHead(204, {
    allow: `${methods}, OPTIONS`,
    'access-control-allow-methods': methods,
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
  });
  res.end();
}
