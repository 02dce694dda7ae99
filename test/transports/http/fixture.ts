import { request, type ClientRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SignJWT } from 'jose';
import { loadVerificationKey } from '../../../src/auth/keys.js';
import { silentLogger, type Logger } from '../../../src/log/logger.js';
import { startHttpService, type HttpService } from '../../../src/transports/http/service.js';
import {
  AUDIENCE,
  ISSUER,
  SECRET_ENV,
  WORKER,
  buildTestRoot,
  testConfig,
  type TestRoot,
} from '../../support/demo-root.js';

export const NORTHWIND = 'northwind-coaching';
export const SAKURA = 'sakura-mentors';

/** The headers every MCP POST needs besides the token. */
export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** What a token may say; anything left out gets a valid default. */
export interface Claims {
  tenant?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Seconds from now of `iat`; five seconds ago unless told. */
  issuedIn?: number;
  scope?: string;
  secret?: string;
  alg?: 'HS256' | 'HS512';
}

/** An HTTP answer read whole. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

/** A raw request: every header under the test's control, Host included. */
export interface RawRequest {
  method?: string;
  path?: string;
  /** A list sends the header once per value. */
  headers?: Record<string, string | string[]>;
  body?: string;
  /** Sends the body without Content-Length (chunked). */
  chunked?: boolean;
}

/** A running HTTP service over a fresh test root. */
export interface HttpFixture {
  root: TestRoot;
  service: HttpService;
  /** http://127.0.0.1:<port>/mcp */
  endpoint: string;
  token(claims?: Claims): Promise<string>;
  send(req: RawRequest): Promise<Answer>;
  /**
   * Opens an MCP POST carrying the token as Bearer and leaves it to the test: it writes the body
   * and may hang up at any point (errors from the hang-up are ignored).
   */
  open(token: string, headers?: Record<string, string>): ClientRequest;
  /** POSTs a JSON-RPC body to the MCP endpoint with the token (when given) as Bearer. */
  rpc(body: unknown, token?: string, headers?: Record<string, string>): Promise<Answer>;
  connect(token: string): Promise<Client>;
  close(): Promise<void>;
}

/** Starts the service on an ephemeral loopback port; `http` and `extra` go into the config. */
export async function startFixture(
  http: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  logger: Logger = silentLogger(),
): Promise<HttpFixture> {
  const root = buildTestRoot();
  const service = await startService(root, logger, http, extra);
  const endpoint = `http://127.0.0.1:${service.port}${service.settings.path}`;
  const send = (req: RawRequest) => sendRaw(service.port, req);
  return {
    root,
    service,
    endpoint,
    token: (claims = {}) => signToken(root.secret, claims),
    send,
    open: (token, headers = {}) => openRaw(service.port, token, headers),
    rpc: (body, token, headers = {}) =>
      send({
        method: 'POST',
        headers: { ...MCP_HEADERS, ...bearer(token), ...headers },
        body: JSON.stringify(body),
      }),
    connect: (token) => connectClient(endpoint, token),
    close: async () => {
      await service.stop();
      root.remove();
    },
  };
}

/** Starts the service over `root` on an ephemeral loopback port; `http` and `extra` go into the config. */
export function startService(
  root: TestRoot,
  logger: Logger,
  http: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<HttpService> {
  const config = testConfig(root.root, { http: { port: 0, ...http }, ...extra });
  const key = loadVerificationKey(config.auth, { [SECRET_ENV]: root.secret });
  return startHttpService(config, { key, logger, workerPath: WORKER });
}

/** Signs a token as the host platform would: HS256, valid for ten minutes unless told. */
export function signToken(secret: string, claims: Claims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { tenant_id: claims.tenant ?? NORTHWIND };
  if (claims.scope !== undefined) payload.scope = claims.scope;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: claims.alg ?? 'HS256', typ: 'JWT' })
    .setSubject('test-user')
    .setIssuer(claims.issuer ?? ISSUER)
    .setAudience(claims.audience ?? AUDIENCE)
    .setIssuedAt(now + (claims.issuedIn ?? -5))
    .setExpirationTime(now + (claims.expiresIn ?? 600))
    .sign(new TextEncoder().encode(claims.secret ?? secret));
}

/** A real SDK client over Streamable HTTP, carrying `token` on every request. */
export async function connectClient(endpoint: string, token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'http-test-client', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** A query tool call as a JSON-RPC request body. */
export function queryCall(sql: string, extra: Record<string, unknown> = {}, id = 1): unknown {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'query', arguments: { sql, ...extra } },
  };
}

/** A query that counts to a billion: it runs until its time limit stops it. */
export const ENDLESS_SQL =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) ' +
  'SELECT count(*) FROM c';

/** The tool result inside a JSON-RPC answer to tools/call. */
export function toolResult(answer: Answer): CallToolResult {
  return (answer.json as { result: CallToolResult }).result;
}

/** Polls the health check until `ready` holds for its body. */
export async function waitForHealth(
  fixture: HttpFixture,
  ready: (health: Record<string, unknown>) => boolean,
): Promise<void> {
  for (;;) {
    const answer = await fixture.send({ path: '/healthz' });
    if (ready(answer.json as Record<string, unknown>)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The number of MCP requests holding a slot, from the health check. */
export function activeRequests(health: Record<string, unknown>): number {
  return (health.requests as { active: number }).active;
}

function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

function openRaw(port: number, token: string, headers: Record<string, string>): ClientRequest {
  const outgoing = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/mcp',
    headers: {
      ...MCP_HEADERS,
      host: `127.0.0.1:${port}`,
      ...bearer(token),
      ...headers,
    },
  });
  outgoing.on('error', () => undefined);
  return outgoing;
}

function sendRaw(port: number, req: RawRequest): Promise<Answer> {
  const headers: Record<string, string | string[]> = {
    host: `127.0.0.1:${port}`,
    ...req.headers,
  };
  if (req.body !== undefined) {
    if (req.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(Buffer.byteLength(req.body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method ?? 'GET',
        path: req.path ?? '/mcp',
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(answerOf(res.statusCode ?? 0, res.headers, chunks)));
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

function answerOf(status: number, headers: Answer['headers'], chunks: Buffer[]): Answer {
  const text = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}
