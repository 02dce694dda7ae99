import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VerifiedToken } from '../../../src/auth/verify-token.js';
import {
  TokenVerifier,
  authInfoFor,
  authorizationHeader,
  bearerToken,
  requireScopes,
} from '../../../src/transports/http/auth.js';
import { AUDIENCE, testConfig } from '../../support/demo-root.js';
import { failure, rejection } from '../../support/failure.js';
import { signToken } from './fixture.js';

const SECRET = 's'.repeat(48);
const auth = testConfig('/nowhere').auth;
const key = new TextEncoder().encode(SECRET);

describe('bearerToken', () => {
  it('takes the token after the Bearer scheme, in any case, with extra spaces', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer   abc.def-_~+/=')).toBe('abc.def-_~+/=');
  });

  it.each([undefined, '', '  '])('says TOKEN_MISSING for %j', (header) => {
    expect(failure(() => bearerToken(header)).code).toBe('TOKEN_MISSING');
  });

  it.each(['Basic dXNlcjpwYXNz', 'Token abc', 'Bearerabc.def.ghi'])(
    'says TOKEN_MISSING for %j, which carries no Bearer credential',
    (header) => {
      const error = failure(() => bearerToken(header));
      expect(error.code).toBe('TOKEN_MISSING');
      expect(error.message).toBe('the Authorization header carries no Bearer token');
    },
  );

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer "quoted"', 'Bearer a\tb'])(
    'says TOKEN_MALFORMED for %j in words of its own',
    (header) => {
      const error = failure(() => bearerToken(header));
      expect(error.code).toBe('TOKEN_MALFORMED');
      expect(error.message).toBe('the Authorization header must be Bearer followed by one token');
    },
  );
});

/** A request as Node parses it: `rawHeaders` as sent, `headers` keeping the first of each. */
function requestWith(raw: string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]!.toLowerCase()] ??= raw[i + 1]!;
  return { rawHeaders: raw, headers } as unknown as IncomingMessage;
}

describe('authorizationHeader', () => {
  it('gives the one Authorization header sent, or undefined when none was', () => {
    expect(authorizationHeader(requestWith(['Authorization', 'Bearer a.b.c']))).toBe(
      'Bearer a.b.c',
    );
    expect(authorizationHeader(requestWith(['Host', 'localhost']))).toBeUndefined();
  });

  it.each([
    ['the same name twice', ['Authorization', 'Bearer a.b.c', 'Authorization', 'Bearer d.e.f']],
    ['names that differ in case', ['authorization', 'Bearer a.b.c', 'AUTHORIZATION', 'Basic x']],
    ['the same value twice', ['Authorization', 'Bearer a.b.c', 'authorization', 'Bearer a.b.c']],
    ['an empty second header', ['Authorization', 'Bearer a.b.c', 'Authorization', '']],
  ])('says TOKEN_MALFORMED for %s', (_, raw) => {
    const error = failure(() => authorizationHeader(requestWith(raw)));
    expect(error.code).toBe('TOKEN_MALFORMED');
    expect(error.message).toBe('send exactly one Authorization header');
  });
});

describe('TokenVerifier', () => {
  afterEach(() => vi.useRealTimers());

  it('verifies a token and returns its tenant, expiry and scopes', async () => {
    const verifier = new TokenVerifier(key, auth);
    const token = await signToken(SECRET, { tenant: 'acme', scope: 'a b' });
    const verified = await verifier.verify(token);
    expect(verified).toMatchObject({ tenantId: 'acme', subject: 'test-user', scopes: ['a', 'b'] });
  });

  it('refuses a remembered token once it is past its expiry and the clock tolerance', async () => {
    const verifier = new TokenVerifier(key, auth);
    const token = await signToken(SECRET, { expiresIn: 60 });
    const verified = await verifier.verify(token);

    // Only Date moves: to the last served second, then one second past it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((verified.expiresAt + auth.clockToleranceSeconds) * 1000);
    await expect(verifier.verify(token)).resolves.toBe(verified);
    vi.setSystemTime((verified.expiresAt + auth.clockToleranceSeconds + 1) * 1000);
    const error = await rejection(verifier.verify(token));
    expect(error.code).toBe('TOKEN_EXPIRED');
  });

  it('never remembers a refusal: a bad token is refused each time', async () => {
    const verifier = new TokenVerifier(key, auth);
    const forged = await signToken('f'.repeat(48));
    expect((await rejection(verifier.verify(forged))).code).toBe('TOKEN_BAD_SIGNATURE');
    expect((await rejection(verifier.verify(forged))).code).toBe('TOKEN_BAD_SIGNATURE');
  });

  it('refuses a token of the wrong audience with the code jose reports', async () => {
    const verifier = new TokenVerifier(key, auth);
    const token = await signToken(SECRET, { audience: `not-${AUDIENCE}` });
    expect((await rejection(verifier.verify(token))).code).toBe('TOKEN_WRONG_AUDIENCE');
  });
});

describe('requireScopes', () => {
  const verified: VerifiedToken = {
    tenantId: 'acme',
    expiresAt: 1,
    subject: undefined,
    scopes: ['read', 'write'],
  };

  it('passes a token holding every required scope', () => {
    expect(() => requireScopes(verified, ['read'])).not.toThrow();
    expect(() => requireScopes(verified, [])).not.toThrow();
  });

  it('refuses a token missing one with TOKEN_INSUFFICIENT_SCOPE naming it', () => {
    const error = failure(() => requireScopes(verified, ['read', 'admin']));
    expect(error.code).toBe('TOKEN_INSUFFICIENT_SCOPE');
    expect(error.message).toBe('token lacks the scope admin');
  });
});

describe('authInfoFor', () => {
  it('gives tool handlers the scopes, the served-until time and the tenant', () => {
    const verified: VerifiedToken = {
      tenantId: 'acme',
      expiresAt: 100,
      subject: 'u',
      scopes: ['r'],
    };
    expect(authInfoFor('t', verified, 130)).toEqual({
      token: 't',
      clientId: 'u',
      scopes: ['r'],
      expiresAt: 130,
      extra: { tenantId: 'acme' },
    });
  });
});
