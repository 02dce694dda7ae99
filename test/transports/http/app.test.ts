import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TenantMcpError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log/logger.js';
import { HttpApp } from '../../../src/transports/http/app.js';
import { TokenVerifier } from '../../../src/transports/http/auth.js';
import { ConcurrencyLimits } from '../../../src/transports/http/limits.js';
import { resolveHttpSettings } from '../../../src/transports/http/settings.js';
import { testConfig } from '../../support/demo-root.js';

// The request handler on its own, with no tenant behind it: what it answers while startup
// migrations run, and once a stop has begun to requests that still arrive on connections
// already open.

let server: Server | undefined;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

afterEach(async () => {
  agent.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

/** Serves the handler on an ephemeral port; ready unless told to stay starting. */
async function startApp({ ready = true } = {}): Promise<{ app: HttpApp; port: number }> {
  const config = testConfig('/nowhere', { http: { port: 0 } });
  server = createServer();
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const app = new HttpApp({
    http: config.http,
    settings: resolveHttpSettings(config.http, port),
    verifier: new TokenVerifier(new TextEncoder().encode('k'.repeat(32)), config.auth),
    limits: new ConcurrencyLimits(4, 2),
    tenants: {
      lease: () => {
        throw new TenantMcpError('TENANT_NOT_FOUND', 'no tenants here');
      },
    },
    queryLimits: config.query,
    logger: silentLogger(),
    counters: () => ({ probe: 1 }),
  });
  server.on('request', app.handle);
  if (ready) app.ready();
  return { app, port };
}

function get(port: number, path: string, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: unknown }>(
    (resolve, reject) => {
      const headers = { host: `127.0.0.1:${port}`, 'content-length': '0' };
      const req = request({ port, path, method, agent, headers }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('HttpApp while starting', () => {
  it('answers an MCP request with 503 SERVER_STARTING and Retry-After', async () => {
    const { port } = await startApp({ ready: false });

    const answer = await get(port, '/mcp', 'POST');

    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers.connection).not.toBe('close');
    expect(answer.body).toMatchObject({ error: { data: { code: 'SERVER_STARTING' } } });
  });

  it('reports starting on the health check with 503, and ok with 200 once ready', async () => {
    const { app, port } = await startApp({ ready: false });

    const starting = await get(port, '/healthz');
    app.ready();
    const ready = await get(port, '/healthz');

    expect(starting.status).toBe(503);
    expect(starting.body).toMatchObject({ status: 'starting', probe: 1 });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok' });
  });

  it('serves the protected-resource metadata already', async () => {
    const { port } = await startApp({ ready: false });

    const answer = await get(port, '/.well-known/oauth-protected-resource/mcp');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ resource: `http://127.0.0.1:${port}/mcp` });
  });

  it('answers SERVER_CLOSING, not SERVER_STARTING, once a stop begins during startup', async () => {
    const { app, port } = await startApp({ ready: false });
    await app.stopAccepting();

    const answer = await get(port, '/mcp', 'POST');

    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { data: { code: 'SERVER_CLOSING' } } });
    expect((await get(port, '/healthz')).body).toMatchObject({ status: 'stopping' });
  });
});

describe('HttpApp once a stop has begun', () => {
  it('answers a request arriving after the stop began with 503 SERVER_CLOSING, closing the connection', async () => {
    const { app, port } = await startApp();
    expect((await get(port, '/healthz')).status).toBe(200);

    await app.stopAccepting();
    const answer = await get(port, '/mcp', 'POST');

    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toMatchObject({ error: { data: { code: 'SERVER_CLOSING' } } });
  });

  it('reports stopping on the health check with 503', async () => {
    const { app, port } = await startApp();
    await app.stopAccepting();

    const answer = await get(port, '/healthz');

    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'stopping', probe: 1, requests: { active: 0 } });
  });
});
