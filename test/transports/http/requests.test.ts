import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { capturingLogger } from '../../migrations/fixtures.js';
import {
  MCP_HEADERS,
  NORTHWIND,
  SAKURA,
  queryCall,
  startFixture,
  type Answer,
  type HttpFixture,
} from './fixture.js';

// What reaches the server before any tenant does: Host and Origin checks, body limits and
// shapes, methods, the health check and unknown paths.

const APP_ORIGIN = 'https://app.example.com';
const MAX_BODY = 2048;

let fixture: HttpFixture;
let token: string;

beforeAll(async () => {
  fixture = await startFixture({ allowedOrigins: [APP_ORIGIN], maxBodyBytes: MAX_BODY });
  token = await fixture.token();
});

afterAll(() => fixture.close());

const LIST = { jsonrpc: '2.0', id: 3, method: 'tools/list' };

function post(body: string, headers: Record<string, string | string[]> = {}, chunked = false) {
  return fixture.send({
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, ...headers },
    body,
    chunked,
  });
}

function errorOf(answer: Answer): { code: number; message: string; data: { code: string } } {
  return (answer.json as { error: { code: number; message: string; data: { code: string } } })
    .error;
}

describe('the Host check', () => {
  it('refuses a Host that is not on the list with 403 HOST_REFUSED', async () => {
    const answer = await post(JSON.stringify(LIST), { host: 'evil.example:80' });
    expect(answer.status).toBe(403);
    expect(errorOf(answer).data.code).toBe('HOST_REFUSED');
    expect(answer.text).not.toContain('evil.example');
  });

  it('refuses a bad Host even on the health check', async () => {
    const answer = await fixture.send({ path: '/healthz', headers: { host: 'rebound.example' } });
    expect(answer.status).toBe(403);
  });

  it.each(['localhost', 'LOCALHOST', '[::1]', '127.0.0.1'])(
    'accepts the loopback name %s',
    async (host) => {
      const port = fixture.service.port;
      for (const value of [host, `${host}:${port}`]) {
        const answer = await post(JSON.stringify(LIST), { host: value });
        expect(answer.status).toBe(200);
      }
    },
  );
});

describe('the Host header', () => {
  it('refuses it sent twice with 400 REQUEST_INVALID, even when the first is allowed', async () => {
    const host = `127.0.0.1:${fixture.service.port}`;
    const answer = rawAnswer(
      await sendBytes(
        `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nHost: evil.com\r\nConnection: close\r\n\r\n`,
      ),
    );

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      error: { message: 'REQUEST_INVALID: more than one Host header' },
    });
  });
});

describe('a request naming the whole URL (absolute form)', () => {
  it('is served when the URL names the Host header', async () => {
    const port = fixture.service.port;
    const answer = rawAnswer(
      await sendBytes(
        `GET http://127.0.0.1:${port}/healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          'Connection: close\r\n\r\n',
      ),
    );

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'ok' });
  });

  it('is served with an upper-case scheme, and a fragment is ignored in either form', async () => {
    const port = fixture.service.port;
    for (const target of [`HTTP://127.0.0.1:${port}/healthz#x`, '/healthz#x']) {
      const answer = rawAnswer(
        await sendBytes(
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
        ),
      );
      expect(answer.status, target).toBe(200);
    }
  });

  it('is not found when the URL names another host than the Host header', async () => {
    const port = fixture.service.port;
    const answer = rawAnswer(
      await sendBytes(
        `GET http://evil.example/healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          'Connection: close\r\n\r\n',
      ),
    );

    expect(answer.status).toBe(404);
  });
});

describe('the Origin check', () => {
  it('refuses an Origin that is not allowed with 403 ORIGIN_REFUSED', async () => {
    const answer = await post(JSON.stringify(LIST), { origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(errorOf(answer).data.code).toBe('ORIGIN_REFUSED');
  });

  it('refuses the opaque origin null', async () => {
    const answer = await post(JSON.stringify(LIST), { origin: 'null' });
    expect(answer.status).toBe(403);
  });

  it('serves an allowed Origin and lets it read the answer', async () => {
    const answer = await post(JSON.stringify(LIST), { origin: APP_ORIGIN });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(answer.headers['access-control-expose-headers']).toContain('WWW-Authenticate');
  });

  it("answers an allowed Origin's preflight with the methods and headers MCP needs", async () => {
    const answer = await fixture.send({
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-methods']).toBe('POST');
    expect(answer.headers['access-control-allow-headers']).toContain('Authorization');
  });

  it("serves a page of the server's own origin (the Host's), which needs no CORS header", async () => {
    const port = fixture.service.port;
    for (const [host, origin] of [
      [`127.0.0.1:${port}`, `http://127.0.0.1:${port}`],
      [`LOCALHOST:${port}`, `http://localhost:${port}`],
    ]) {
      const answer = await post(JSON.stringify(LIST), { host: host!, origin: origin! });
      expect(answer.status, origin).toBe(200);
      expect(answer.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });

  it('refuses an Origin of the same host on another port, or with a path', async () => {
    const port = fixture.service.port;
    for (const origin of [
      `http://127.0.0.1:${port + 1}`,
      'http://127.0.0.1',
      `http://127.0.0.1:${port}/`,
      `http://127.0.0.1:${port}.evil.example`,
    ]) {
      const answer = await post(JSON.stringify(LIST), { host: `127.0.0.1:${port}`, origin });
      expect(answer.status, origin).toBe(403);
      expect(errorOf(answer).data.code, origin).toBe('ORIGIN_REFUSED');
    }
  });

  it('serves a request without an Origin and adds no CORS header', async () => {
    const answer = await post(JSON.stringify(LIST));
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the request body', () => {
  it('answers JSON that does not parse with 400 and JSON-RPC -32700', async () => {
    const answer = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(answer.status).toBe(400);
    expect(errorOf(answer).code).toBe(-32700);
    expect(errorOf(answer).data.code).toBe('REQUEST_PARSE_ERROR');
    expect((answer.json as { id: unknown }).id).toBeNull();
  });

  it.each([
    ['an object that is not JSON-RPC', '{"hello": "world"}'],
    ['a number', '42'],
  ])('answers %s with 400 and JSON-RPC -32600', async (_, body) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(errorOf(answer).code).toBe(-32600);
    expect(errorOf(answer).data.code).toBe('REQUEST_INVALID');
  });

  it.each([
    ['two requests sharing an id', [LIST, { jsonrpc: '2.0', id: 3, method: 'ping' }]],
    ['a lone request', [{ jsonrpc: '2.0', id: 1, method: 'ping' }]],
    ['no message', []],
    ['a notification', [{ jsonrpc: '2.0', method: 'notifications/initialized' }]],
  ])('refuses a batch of %s with 400, JSON-RPC -32600 and REQUEST_INVALID', async (_, batch) => {
    const answer = await post(JSON.stringify(batch));

    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: 'REQUEST_INVALID: JSON-RPC batches are not supported; send one message',
        data: { code: 'REQUEST_INVALID' },
      },
    });
  });

  it('refuses a body whose Content-Length is over the limit with 413', async () => {
    const answer = await post(JSON.stringify(queryCall(`SELECT '${'x'.repeat(MAX_BODY)}'`)));
    expect(answer.status).toBe(413);
    expect(errorOf(answer).data.code).toBe('REQUEST_TOO_LARGE');
    expect(answer.headers.connection).toBe('close');
  });

  it.each([
    ['a refused MCP request', 'POST /mcp', 401],
    ['a health check', 'GET /healthz', 200],
    ['a preflight', 'OPTIONS /mcp', 204],
  ])('closes the connection of %s whose body goes on past the limit', async (_, line, status) => {
    const socket = connect({ host: '127.0.0.1', port: fixture.service.port });
    let received = '';
    const answered = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString();
        if (received.includes('\r\n\r\n')) resolve();
      }),
    );
    let open = true;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    void closed.then(() => (open = false));
    socket.on('error', () => undefined);
    socket.write(
      `${line} HTTP/1.1\r\nHost: 127.0.0.1:${fixture.service.port}\r\n` +
        'Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n',
    );
    // The answer comes before the body is whole.
    await answered;
    expect(received).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));

    // A body that never ends, sent as fast as the server takes it: only it can stop this.
    const chunk = `400\r\n${' '.repeat(0x400)}\r\n`;
    let sent = 0;
    while (open && sent < 64 * 1024 * 1024) {
      if (!socket.write(chunk)) await new Promise((resolve) => setTimeout(resolve, 1));
      sent += 0x400;
      if (sent % (256 * 1024) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await closed;

    expect(sent).toBeGreaterThan(MAX_BODY);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    // One answer only: no second one (a 408) once the body was cut off.
    expect(received.split('HTTP/1.1 ').length - 1).toBe(1);
  });

  it('keeps the connection of a refused request whose body was whole', async () => {
    const port = fixture.service.port;
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const answered = (count: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received.split('HTTP/1.1 ').length - 1 < count) return;
          socket.off('data', check);
          resolve();
        };
        socket.on('data', check);
      });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const body = JSON.stringify(LIST);
    const first = answered(1);
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\n\r\n` +
        body,
    );
    await first;
    const second = answered(2);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await second;
    socket.destroy();

    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(received.toLowerCase()).not.toContain('connection: close');
    expect(received).toContain('HTTP/1.1 200 OK');
  });

  it('refuses a chunked body once it grows over the limit with 413', async () => {
    const body = JSON.stringify(queryCall(`SELECT '${'y'.repeat(MAX_BODY)}'`));
    const answer = await post(body, {}, true);
    expect(answer.status).toBe(413);
    expect(errorOf(answer).data.code).toBe('REQUEST_TOO_LARGE');
  });

  it('serves a body just under the limit', async () => {
    const padding = 'z'.repeat(MAX_BODY - 200);
    const answer = await post(JSON.stringify(queryCall(`SELECT length('${padding}') AS n`)));
    expect(answer.status).toBe(200);
  });

  it('refuses a body that is not application/json with 415', async () => {
    const answer = await post(JSON.stringify(LIST), { 'content-type': 'text/plain' });
    expect(answer.status).toBe(415);
    expect(errorOf(answer).data.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a client that does not accept an event stream with 406', async () => {
    const answer = await post(JSON.stringify(LIST), { accept: 'application/json' });
    expect(answer.status).toBe(406);
    expect(errorOf(answer).data.code).toBe('NOT_ACCEPTABLE');
  });

  it('echoes the id of a lone request in an error answer', async () => {
    const answer = await post(JSON.stringify(LIST), { 'content-type': 'text/plain' });
    expect((answer.json as { id: unknown }).id).toBeNull();
    const refused = await fixture.rpc(
      { ...LIST, id: 'abc' },
      await fixture.token({ tenant: 'no-such-tenant' }),
    );
    expect(refused.status).toBe(403);
    expect(errorOf(refused).data.code).toBe('TENANT_NOT_FOUND');
    expect((refused.json as { id: unknown }).id).toBe('abc');
  });
});

/** Writes `raw` on a new connection and resolves with all the server sent until it closed. */
function sendBytes(raw: string, port = fixture.service.port): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(received));
    socket.write(raw);
  });
}

function rawAnswer(received: string): { status: number; head: string; json: unknown } {
  const [head = '', body = ''] = received.split('\r\n\r\n', 2);
  return { status: Number(head.split(' ')[1]), head: head.toLowerCase(), json: JSON.parse(body) };
}

describe("what Node's HTTP parser refuses", () => {
  it('answers malformed HTTP with 400 and a JSON-RPC REQUEST_INVALID, then closes', async () => {
    const answer = rawAnswer(await sendBytes('POST /mcp HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n'));

    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, data: { code: 'REQUEST_INVALID' } },
    });
    expect(answer.head).toMatch(/x-request-id: [0-9a-f-]{36}/);
    expect(answer.head).toContain('connection: close');
  });

  it('logs the refusal with the request id it answered', async () => {
    const { logger, lines } = capturingLogger();
    const own = await startFixture({}, {}, logger);
    try {
      const answer = rawAnswer(await sendBytes('GARBAGE / NONSENSE\r\n\r\n', own.service.port));
      const reqId = /x-request-id: ([0-9a-f-]{36})/.exec(answer.head)?.[1];

      expect(reqId).toBeDefined();
      await vi.waitFor(() =>
        expect(lines.find((l) => l.msg === 'request refused by the HTTP parser')).toMatchObject({
          reqId,
          status: 400,
          code: 'REQUEST_INVALID',
        }),
      );
    } finally {
      await own.close();
    }
  });

  it('answers headers over the limit with 431 REQUEST_HEADERS_TOO_LARGE', async () => {
    const port = fixture.service.port;
    const answer = rawAnswer(
      await sendBytes(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          `Authorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`,
      ),
    );

    expect(answer.status).toBe(431);
    expect(answer.json).toMatchObject({ error: { data: { code: 'REQUEST_HEADERS_TOO_LARGE' } } });
  });
});

describe('tools/call with params of the wrong shape', () => {
  it.each([
    ['no tool name', { arguments: {} }],
    ['arguments that are not an object', { name: 'query', arguments: 'SELECT 1' }],
  ])('answers %s with JSON-RPC -32602, invalid params', async (_, params) => {
    const answer = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params }),
    );

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id: 9, error: { code: -32602 } });
  });
});

describe('the Mcp-Protocol-Version header', () => {
  const supported = '2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05, 2024-10-07';

  it('refuses a version the server does not speak with 400 and the supported list', async () => {
    const answer = await post(JSON.stringify(LIST), { 'mcp-protocol-version': '1999-01-01' });

    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: {
        code: -32000,
        message:
          'PROTOCOL_VERSION_UNSUPPORTED: the Mcp-Protocol-Version header names an ' +
          `unsupported version; supported: ${supported}`,
        data: { code: 'PROTOCOL_VERSION_UNSUPPORTED' },
      },
    });
  });

  it('refuses the header sent twice, even with a supported version', async () => {
    const headers = { 'mcp-protocol-version': ['2025-06-18', '2025-06-18'] };
    const answer = await post(JSON.stringify(LIST), headers);

    expect(answer.status).toBe(400);
    expect(errorOf(answer).data.code).toBe('PROTOCOL_VERSION_UNSUPPORTED');
  });

  it.each(['2025-11-25', '2025-06-18', '2024-11-05'])('serves version %s', async (version) => {
    const answer = await post(JSON.stringify(LIST), { 'mcp-protocol-version': version });
    expect(answer.status).toBe(200);
  });

  it('leaves an initialize request to negotiate the version in its body', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2099-01-01',
        capabilities: {},
        clientInfo: { name: 'future-client', version: '1.0.0' },
      },
    };
    const answer = await post(JSON.stringify(initialize), { 'mcp-protocol-version': '2099-01-01' });

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ result: { protocolVersion: '2025-11-25' } });
  });
});

describe('methods and paths', () => {
  it.each(['GET', 'DELETE', 'PUT'])(
    'answers %s on the MCP endpoint with 405 Allow: POST',
    async (method) => {
      const answer = await fixture.send({
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('POST');
      expect(errorOf(answer).data.code).toBe('METHOD_NOT_ALLOWED');
    },
  );

  it('answers an unknown path with 404', async () => {
    const answer = await fixture.send({ path: '/mcp/extra' });
    expect(answer.status).toBe(404);
    expect(errorOf(answer).data.code).toBe('NOT_FOUND');
  });

  it('answers a notification with 202 and no body', async () => {
    const answer = await post(
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
  });

  it('gives every answer its own request id', async () => {
    const [a, b] = await Promise.all([
      post(JSON.stringify(LIST)),
      fixture.send({ path: '/nowhere' }),
    ]);
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });
});

describe('the health check', () => {
  it('answers 200 with counters and no tenant id, after both tenants were served', async () => {
    await fixture.rpc(LIST, await fixture.token({ tenant: NORTHWIND }));
    await fixture.rpc(LIST, await fixture.token({ tenant: SAKURA }));

    const answer = await fixture.send({ path: '/healthz' });

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      status: 'ok',
      requests: { active: 0 },
      connections: { max: 1024, dropped: 0 },
      tenants: { open: 2 },
      queries: { workers: 2 },
    });
    expect(answer.text).not.toContain(NORTHWIND);
    expect(answer.text).not.toContain(SAKURA);
    expect(answer.text).not.toContain(fixture.root.root);
  });

  it('needs no token', async () => {
    const answer = await fixture.send({ path: '/healthz' });
    expect(answer.status).toBe(200);
  });

  it('refuses POST with 405, Allow: GET, HEAD and a message naming both methods', async () => {
    const answer = await fixture.send({ method: 'POST', path: '/healthz', body: '{}' });

    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
    expect(answer.json).toMatchObject({
      error: {
        message: 'METHOD_NOT_ALLOWED: this endpoint takes GET or HEAD only',
        data: { code: 'METHOD_NOT_ALLOWED' },
      },
    });
  });
});

describe('the protected-resource metadata without authorization servers or scopes', () => {
  it('leaves out authorization_servers and scopes_supported rather than list nothing', async () => {
    const answer = await fixture.send({ path: '/.well-known/oauth-protected-resource/mcp' });

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      resource: `http://127.0.0.1:${fixture.service.port}/mcp`,
      bearer_methods_supported: ['header'],
      resource_name: 'tenant-mcp',
    });
  });
});

describe('error answers', () => {
  it('carry no stack trace and no server path', async () => {
    const answers = await Promise.all([
      post('{'),
      post('[1]'),
      fixture.send({ path: '/x' }),
      fixture.rpc(LIST, await fixture.token({ tenant: 'missing-tenant' })),
    ]);
    for (const answer of answers) {
      expect(answer.text).not.toMatch(/\bat .+:\d+:\d+/);
      expect(answer.text).not.toContain(fixture.root.root);
      expect(answer.text).not.toContain('/tenants/');
    }
  });
});
