import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  SAKURA,
  queryCall,
  startFixture,
  toolResult,
  type Answer,
  type HttpFixture,
} from './fixture.js';

// Tokens are checked on every request: the failures a client can meet, each as the 401 or 403
// an MCP client expects, and the protected-resource metadata those answers point to.

const RESOURCE = 'https://mcp.example.com/mcp';
const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const AUTH_SERVER = 'https://auth.example.com';
const SCOPE = 'tenant:read';

let fixture: HttpFixture;

beforeAll(async () => {
  fixture = await startFixture({
    resourceUrl: RESOURCE,
    authorizationServers: [AUTH_SERVER],
    requiredScopes: [SCOPE],
    scopesSupported: [SCOPE, 'tenant:admin'],
  });
});

afterAll(() => fixture.close());

afterEach(() => vi.useRealTimers());

const LIST = { jsonrpc: '2.0', id: 7, method: 'tools/list' };

function valid(claims: Parameters<HttpFixture['token']>[0] = {}): Promise<string> {
  return fixture.token({ scope: SCOPE, ...claims });
}

/** A token whose header says alg none, with `signature` (base64url) after it. */
function unsignedToken(signature: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 600;
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ tenant_id: SAKURA, exp })}.${signature}`;
}

/** The token with one character of its signature changed. */
function tampered(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

function challengeOf(answer: Answer): string {
  return String(answer.headers['www-authenticate']);
}

function codeOf(answer: Answer): string {
  return (answer.json as { error: { data: { code: string } } }).error.data.code;
}

describe('a request with a valid token', () => {
  it('is answered for the tenant the token names', async () => {
    const answer = await fixture.rpc(queryCall('SELECT 41 + 1 AS n'), await valid());
    expect(answer.status).toBe(200);
    expect(toolResult(answer).structuredContent).toMatchObject({ rows: [[42]] });
  });
});

function post(headers: Record<string, string | string[]>): Promise<Answer> {
  return fixture.send({
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(LIST),
  });
}

describe('a request without Bearer credentials', () => {
  it.each([
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['a Basic header', { authorization: 'Basic dXNlcjpwYXNz' }],
  ])(
    '(%s) gets 401 with a challenge that names no error, only where to get a token',
    async (_, headers) => {
      const answer = await post(headers);

      expect(answer.status).toBe(401);
      expect(challengeOf(answer)).toBe(
        `Bearer scope="${SCOPE}", resource_metadata="${METADATA_URL}"`,
      );
      expect(codeOf(answer)).toBe('TOKEN_MISSING');
    },
  );
});

describe('a token failure', () => {
  const cases: [string, () => Promise<Record<string, string | string[]>>, string][] = [
    [
      'garbage after Bearer',
      async () => ({ authorization: 'Bearer not-a-jwt' }),
      'TOKEN_MALFORMED',
    ],
    [
      'a changed signature',
      async () => ({ authorization: `Bearer ${tampered(await valid())}` }),
      'TOKEN_BAD_SIGNATURE',
    ],
    [
      'an expired token',
      async () => ({ authorization: `Bearer ${await valid({ expiresIn: -3600 })}` }),
      'TOKEN_EXPIRED',
    ],
    [
      'a wrong audience',
      async () => ({ authorization: `Bearer ${await valid({ audience: 'someone-else' })}` }),
      'TOKEN_WRONG_AUDIENCE',
    ],
    [
      'a wrong issuer',
      async () => ({ authorization: `Bearer ${await valid({ issuer: 'https://evil.example' })}` }),
      'TOKEN_WRONG_ISSUER',
    ],
    [
      "another tenant's token forged with another secret",
      async () => ({
        authorization: `Bearer ${await valid({ tenant: SAKURA, secret: 'f'.repeat(48) })}`,
      }),
      'TOKEN_BAD_SIGNATURE',
    ],
    [
      'alg none',
      async () => ({ authorization: `Bearer ${unsignedToken('c2ln')}` }),
      'TOKEN_ALGORITHM_REFUSED',
    ],
    [
      'alg none with an empty signature',
      async () => ({ authorization: `Bearer ${unsignedToken('')}` }),
      'TOKEN_MALFORMED',
    ],
    [
      'a valid token with a trailing =',
      async () => ({ authorization: `Bearer ${await valid()}=` }),
      'TOKEN_MALFORMED',
    ],
    [
      'a token issued an hour from now',
      async () => ({ authorization: `Bearer ${await valid({ issuedIn: 3_600 })}` }),
      'TOKEN_NOT_YET_VALID',
    ],
    [
      'two Authorization headers, the first valid',
      async () => ({ authorization: [`Bearer ${await valid()}`, 'Bearer a.b.c'] }),
      'TOKEN_MALFORMED',
    ],
    [
      'the same valid token in two Authorization headers',
      async () => {
        const token = await valid();
        return { authorization: [`Bearer ${token}`, `Bearer ${token}`] };
      },
      'TOKEN_MALFORMED',
    ],
    [
      'an algorithm the config does not list',
      async () => ({ authorization: `Bearer ${await valid({ alg: 'HS512' })}` }),
      'TOKEN_ALGORITHM_REFUSED',
    ],
  ];

  it.each(cases)(
    '(%s) gets 401 with a Bearer challenge naming the metadata',
    async (_, headers, code) => {
      const answer = await post(await headers());

      expect(answer.status).toBe(401);
      const challenge = challengeOf(answer);
      expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"/);
      expect(challenge).toContain(`error_description="${code}: `);
      expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
      expect(challenge).toContain(`scope="${SCOPE}"`);
      expect(codeOf(answer)).toBe(code);
      expect((answer.json as { error: { code: number } }).error.code).toBe(-32000);
    },
  );

  it.each(cases)(
    '(%s) shows no part of the token in the challenge or the body',
    async (_, headers) => {
      const sent = await headers();
      const tokens = [sent.authorization ?? []].flat().map((h) => h.replace(/^\S+ /, ''));
      const answer = await post(sent);
      const pieces = tokens.flatMap((token) => token.split('.')).filter((p) => p.length > 8);
      for (const piece of pieces) {
        expect(challengeOf(answer)).not.toContain(piece);
        expect(answer.text).not.toContain(piece);
      }
    },
  );
});

describe('a token without the required scope', () => {
  it('gets 403 insufficient_scope naming the scope it needs', async () => {
    const answer = await fixture.rpc(LIST, await fixture.token({ scope: 'tenant:admin' }));
    expect(answer.status).toBe(403);
    expect(challengeOf(answer)).toBe(
      `Bearer error="insufficient_scope", error_description="TOKEN_INSUFFICIENT_SCOPE: ` +
        `token lacks the scope ${SCOPE}", scope="${SCOPE}", resource_metadata="${METADATA_URL}"`,
    );
    expect(codeOf(answer)).toBe('TOKEN_INSUFFICIENT_SCOPE');
  });
});

describe('a token that expires between two requests', () => {
  it('serves the first request and refuses the second with 401 TOKEN_EXPIRED', async () => {
    const token = await valid({ expiresIn: 60 });
    const first = await fixture.rpc(LIST, token);
    expect(first.status).toBe(200);

    // Only Date moves: two minutes on, past the expiry and the 30 s clock tolerance.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 120_000);
    const second = await fixture.rpc(LIST, token);

    expect(second.status).toBe(401);
    expect(codeOf(second)).toBe('TOKEN_EXPIRED');
    expect(challengeOf(second)).toContain('error="invalid_token"');
  });
});

describe('the protected-resource metadata', () => {
  it('names the resource, its authorization servers and scopes at the RFC 9728 path', async () => {
    const answer = await fixture.send({ path: '/.well-known/oauth-protected-resource/mcp' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      resource: RESOURCE,
      authorization_servers: [AUTH_SERVER],
      scopes_supported: [SCOPE, 'tenant:admin'],
      bearer_methods_supported: ['header'],
      resource_name: 'tenant-mcp',
    });
  });

  it('is served without a token and refuses writes with 405 Allow: GET, HEAD', async () => {
    const answer = await fixture.send({
      method: 'POST',
      path: '/.well-known/oauth-protected-resource/mcp',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });

  it('answers the same document at the bare well-known path', async () => {
    const answer = await fixture.send({ path: '/.well-known/oauth-protected-resource' });
    expect((answer.json as { resource: string }).resource).toBe(RESOURCE);
  });
});
