import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TenantMcpError } from '../../errors.js';

// A whole request (headers and body) must arrive within these bounds, so that slow senders
// cannot hold connections and request slots without end.
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
// Node checks those bounds only this often (30 s by default, which nearly tripled them).
const TIMEOUT_CHECK_MS = 1_000;

/** An HTTP server with bounded request times and no handler yet. */
export function createBoundedServer(): Server {
  return createServer({
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  });
}

// What a user can do about the usual reasons a bind fails.
const LISTEN_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'another process listens on this port; stop it or choose another http.port',
  EACCES: 'this user may not listen on this port; choose an http.port of 1024 or more',
  EADDRNOTAVAIL: 'http.host is not an address of this machine',
};

/** Binds `server` and resolves with the bound port; LISTEN_FAILED when it cannot bind. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(listenFailed(error, host, port));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** LISTEN_FAILED naming host:port and the errno code, such as EADDRINUSE. */
function listenFailed(error: NodeJS.ErrnoException, host: string, port: number): TenantMcpError {
  const code = error.code ?? 'unknown error';
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const hint = error.code === undefined ? undefined : LISTEN_HINTS[error.code];
  return new TenantMcpError('LISTEN_FAILED', `cannot listen on ${address}: ${code}`, {
    cause: error,
    hint,
  });
}

/** Stops accepting connections; resolves once every connection has ended. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
