import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TenantMcpError } from '../../errors.js';

// A whole request (headers and body) must arrive within these bounds, so that slow senders
// cannot hold connections and request slots without end.
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** An HTTP server with bounded request times and no handler yet. */
export function createBoundedServer(): Server {
  return createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS });
}

/** Binds `server` and resolves with the bound port; CONFIG_INVALID when it cannot bind. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new TenantMcpError(
          'CONFIG_INVALID',
          `cannot listen on http.host ${host} and http.port ${port} (${error.code ?? 'error'})`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections; resolves once every connection has ended. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
