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

// The request handler on its own, with no tenant behind it: what it answers once a stop has
// begun to requests that still arrive on connections already open.

let server: Server | undefined;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

afterEach(async () => {
  agent.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

async function startApp(): Promise<{ app: HttpApp; port: number }> {
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
