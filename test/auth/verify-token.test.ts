import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CompactSign, exportJWK, SignJWT, type JWTPayload } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadVerificationKey, type VerificationKey } from '../../src/auth/keys.js';
import { verifyTenantToken } from '../../src/auth/verify-token.js';
import { parseConfig } from '../../src/config/load.js';
import type { AuthConfig } from '../../src/config/schema.js';
import { rejection } from '../support/failure.js';

// A fixed instant (2030-01-01T00:00:00Z) in Unix seconds; Date is frozen there.
const NOW = 1_893_456_000;
const SECRET_ENV = 'TENANT_MCP_JWT_SECRET';
const SECRET = 'Zk3q9Vb1Lx7mP2sR8tW4yH6jN0cD5fGa';
const OTHER_SECRET = 'Mn4bV8cX2zL6kJ0hG5fD9sA3pO7iU1yT';
const ISSUER = 'https://coach.example';
const AUDIENCE = 'tenant-mcp';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-mcp-token-'));
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW * 1000);
});

afterEach(() => {
  vi.useRealTimers();
  fs.rmSync(dir, { recursive: true, force: true });
});

function authWith(auth: Record<string, unknown>): AuthConfig {
  const text = JSON.stringify({ dataRoot: '.', auth });
  return parseConfig(text, path.join(dir, 'mcp.config.json')).auth;
}

function hmacAuth(extra: Record<string, unknown> = {}): AuthConfig {
  return authWith({ secretEnv: SECRET_ENV, issuer: ISSUER, audience: AUDIENCE, ...extra });
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Claims of a good token; a claim set to undefined is left out of the token. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'coach-7',
    iat: NOW - 60,
    exp: NOW + 600,
    tenant_id: 'acme',
    scope: 'read schema',
    ...overrides,
  };
}

function mint(
  payload: JWTPayload,
  key: Uint8Array | KeyObject = bytes(SECRET),
  header: { alg: string; kid?: string } = { alg: 'HS256' },
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

function verify(token: string, auth = hmacAuth()): ReturnType<typeof verifyTenantToken> {
  const key = loadVerificationKey(auth, { [SECRET_ENV]: SECRET });
  return verifyTenantToken(token, key, auth);
}

function publicPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('verifyTenantToken with an HS256 secret', () => {
  it('returns the tenant id, expiry, subject and scopes of a valid token', async () => {
    const verified = await verify(await mint(claims()));

    expect(verified).toEqual({
      tenantId: 'acme',
      expiresAt: NOW + 600,
      subject: 'coach-7',
      scopes: ['read', 'schema'],
    });
  });

  it('reads scopes from an scp array when there is no scope string', async () => {
    const token = await mint(claims({ scope: undefined, scp: ['read', 7, 'write'] }));

    expect((await verify(token)).scopes).toEqual(['read', 'write']);
  });

  it('gives no scopes and no subject when the token names none', async () => {
    const verified = await verify(await mint(claims({ scope: undefined, sub: undefined })));

    expect(verified.scopes).toEqual([]);
    expect(verified.subject).toBeUndefined();
  });

  it('accepts a token surrounded by whitespace, as read from a token file', async () => {
    const token = await mint(claims());

    expect((await verify(`  ${token}\n`)).tenantId).toBe('acme');
  });

  it('refuses a token that expired 120 s ago, beyond tolerance, as TOKEN_EXPIRED', async () => {
    const token = await mint(claims({ iat: NOW - 900, exp: NOW - 120 }));

    expect((await rejection(verify(token))).code).toBe('TOKEN_EXPIRED');
  });

  it('accepts a token that expired 10 s ago, within the 30 s tolerance', async () => {
    const token = await mint(claims({ iat: NOW - 900, exp: NOW - 10 }));

    expect((await verify(token)).expiresAt).toBe(NOW - 10);
  });

  it('refuses a token that expired 10 s ago when the tolerance is 0', async () => {
    const token = await mint(claims({ iat: NOW - 900, exp: NOW - 10 }));
    const auth = hmacAuth({ clockToleranceSeconds: 0 });

    expect((await rejection(verify(token, auth))).code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token whose nbf is 120 s ahead with TOKEN_NOT_YET_VALID', async () => {
    const token = await mint(claims({ nbf: NOW + 120 }));

    expect((await rejection(verify(token))).code).toBe('TOKEN_NOT_YET_VALID');
  });

  it('accepts a token whose nbf is 10 s ahead, within the tolerance', async () => {
    const token = await mint(claims({ nbf: NOW + 10 }));

    expect((await verify(token)).tenantId).toBe('acme');
  });

  it('refuses a token issued an hour from now with TOKEN_NOT_YET_VALID', async () => {
    const token = await mint(claims({ iat: NOW + 3_600, exp: NOW + 7_200 }));

    const error = await rejection(verify(token));

    expect(error.code).toBe('TOKEN_NOT_YET_VALID');
    expect(error.message).toBe('token is issued in the future');
  });

  it('accepts a token issued 10 s from now, within the tolerance', async () => {
    const token = await mint(claims({ iat: NOW + 10 }));

    expect((await verify(token)).tenantId).toBe('acme');
  });

  it('refuses a token issued 10 s from now when the tolerance is 0', async () => {
    const token = await mint(claims({ iat: NOW + 10 }));
    const auth = hmacAuth({ clockToleranceSeconds: 0 });

    expect((await rejection(verify(token, auth))).code).toBe('TOKEN_NOT_YET_VALID');
  });

  it('refuses a token signed with another secret with TOKEN_BAD_SIGNATURE', async () => {
    const token = await mint(claims(), bytes(OTHER_SECRET));

    expect((await rejection(verify(token))).code).toBe('TOKEN_BAD_SIGNATURE');
  });

  it('refuses a token altered after signing as TOKEN_BAD_SIGNATURE', async () => {
    const [header, , signature] = (await mint(claims())).split('.');
    const forged = `${header}.${base64url(claims({ tenant_id: 'globex' }))}.${signature}`;

    expect((await rejection(verify(forged))).code).toBe('TOKEN_BAD_SIGNATURE');
  });

  it('refuses a token for another audience with TOKEN_WRONG_AUDIENCE', async () => {
    const token = await mint(claims({ aud: 'another-service' }));

    expect((await rejection(verify(token))).code).toBe('TOKEN_WRONG_AUDIENCE');
  });

  it('refuses a token without aud, when one is configured, as TOKEN_CLAIM_MISSING', async () => {
    const token = await mint(claims({ aud: undefined }));

    expect((await rejection(verify(token))).code).toBe('TOKEN_CLAIM_MISSING');
  });

  it('refuses a token from another issuer with TOKEN_WRONG_ISSUER', async () => {
    const token = await mint(claims({ iss: 'https://evil.example' }));

    expect((await rejection(verify(token))).code).toBe('TOKEN_WRONG_ISSUER');
  });

  it('accepts any issuer and audience when none is configured', async () => {
    const token = await mint(claims({ iss: 'anyone', aud: 'anything' }));

    expect((await verify(token, authWith({ secretEnv: SECRET_ENV }))).tenantId).toBe('acme');
  });

  it('refuses a token without exp with TOKEN_CLAIM_MISSING naming exp', async () => {
    const error = await rejection(verify(await mint(claims({ exp: undefined }))));

    expect(error.code).toBe('TOKEN_CLAIM_MISSING');
    expect(error.message).toContain("'exp'");
  });

  it('refuses a token whose exp is not a number with TOKEN_CLAIM_INVALID', async () => {
    const token = await mint(claims({ exp: 'tomorrow' as unknown as number }));

    expect((await rejection(verify(token))).code).toBe('TOKEN_CLAIM_INVALID');
  });

  it('refuses a token without a tenant claim as TOKEN_CLAIM_MISSING naming it', async () => {
    const error = await rejection(verify(await mint(claims({ tenant_id: undefined }))));

    expect(error.code).toBe('TOKEN_CLAIM_MISSING');
    expect(error.message).toContain("'tenant_id'");
  });

  it.each([
    ['an array holding a valid id', ['acme']],
    ['a number', 42],
    ['null', null],
    ['an object', { id: 'acme' }],
    ['a path', '../x'],
    ['an id with upper case', 'A-Upper'],
    ['an id of 64 characters', 'a'.repeat(64)],
    ['an empty string', ''],
  ])('refuses a tenant claim that is %s with TOKEN_CLAIM_INVALID', async (_label, value) => {
    const error = await rejection(verify(await mint(claims({ tenant_id: value }))));

    expect(error.code).toBe('TOKEN_CLAIM_INVALID');
    expect(error.cause).toMatchObject({ code: 'TENANT_ID_INVALID' });
  });

  it('accepts a tenant id of 63 characters', async () => {
    const id = 'a'.repeat(63);

    expect((await verify(await mint(claims({ tenant_id: id })))).tenantId).toBe(id);
  });

  it('refuses an HS512 token when only HS256 is allowed with TOKEN_ALGORITHM_REFUSED', async () => {
    const token = await mint(claims(), bytes(SECRET.repeat(2)), { alg: 'HS512' });

    expect((await rejection(verify(token))).code).toBe('TOKEN_ALGORITHM_REFUSED');
  });

  it('refuses an unsigned alg none token, its signature empty, with TOKEN_MALFORMED', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`;

    expect((await rejection(verify(token))).code).toBe('TOKEN_MALFORMED');
  });

  it('refuses an alg none token with a made-up signature with TOKEN_ALGORITHM_REFUSED', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.c2ln`;

    expect((await rejection(verify(token))).code).toBe('TOKEN_ALGORITHM_REFUSED');
  });

  it.each([
    ['a trailing =', (token: string) => `${token}=`],
    ['padding inside a segment', (token: string) => token.replace('.', '=.')],
    ['a base64 + in the signature', (token: string) => `${token.slice(0, -1)}+`],
    ['an empty payload segment', (token: string) => token.replace(/\.[^.]+\./, '..')],
    ['a fourth segment', (token: string) => `${token}.e30`],
  ])('refuses a signed token with %s with TOKEN_MALFORMED', async (_label, change) => {
    const error = await rejection(verify(change(await mint(claims()))));

    expect(error.code).toBe('TOKEN_MALFORMED');
    expect(error.message).toBe('token is not three base64url segments');
  });

  it.each([
    ['a garbage string', 'not-a-token'],
    ['a two-part string', 'eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnRfaWQiOiJhY21lIn0'],
    ['three parts that are not base64url JSON', 'a.b.c'],
    ['a JWE-shaped five-part string', 'a.b.c.d.e'],
  ])('refuses %s with TOKEN_MALFORMED', async (_label, token) => {
    expect((await rejection(verify(token))).code).toBe('TOKEN_MALFORMED');
  });

  it('refuses a validly signed token whose payload is not JSON with TOKEN_MALFORMED', async () => {
    const token = await new CompactSign(bytes('not json'))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(bytes(SECRET));

    expect((await rejection(verify(token))).code).toBe('TOKEN_MALFORMED');
  });

  it.each([
    ['an empty string', ''],
    ['only whitespace', ' \n\t '],
  ])('refuses %s with TOKEN_MISSING', async (_label, token) => {
    expect((await rejection(verify(token))).code).toBe('TOKEN_MISSING');
  });

  it('refuses a validly signed 20 kB token with TOKEN_MALFORMED before verifying it', async () => {
    const token = await mint(claims({ padding: 'x'.repeat(20_000) }));

    expect(token.length).toBeGreaterThan(20_000);
    expect((await rejection(verify(token))).code).toBe('TOKEN_MALFORMED');
  });

  it('reads the tenant id from a custom tenantClaim', async () => {
    const auth = hmacAuth({ tenantClaim: 'org' });
    const token = await mint(claims({ tenant_id: undefined, org: 'globex' }));

    expect((await verify(token, auth)).tenantId).toBe('globex');
  });

  it('ignores tenant_id when a custom tenantClaim is configured and missing', async () => {
    const error = await rejection(verify(await mint(claims()), hmacAuth({ tenantClaim: 'org' })));

    expect(error.code).toBe('TOKEN_CLAIM_MISSING');
    expect(error.message).toContain("'org'");
  });

  it('never puts the token, the secret or the claim value in an error message', async () => {
    const tokens = [
      await mint(claims({ exp: NOW - 120 })),
      await mint(claims(), bytes(OTHER_SECRET)),
      await mint(claims({ aud: 'another-service' })),
      await mint(claims({ tenant_id: '../../etc/passwd' })),
      await mint(claims({ tenant_id: undefined })),
      await mint(claims(), bytes(SECRET.repeat(2)), { alg: 'HS512' }),
      'not-a-token',
    ];

    for (const token of tokens) {
      const { message } = await rejection(verify(token));
      expect(message).not.toContain(token);
      for (const part of token.split('.')) expect(message).not.toContain(part);
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain('../../etc/passwd');
    }
  });
});

describe('verifyTenantToken with public keys', () => {
  function writePublicKey(publicKey: KeyObject): string {
    const file = path.join(dir, 'public.pem');
    fs.writeFileSync(file, publicPem(publicKey));
    return file;
  }

  function verifyWith(token: string, auth: AuthConfig): ReturnType<typeof verifyTenantToken> {
    const key: VerificationKey = loadVerificationKey(auth, {});
    return verifyTenantToken(token, key, auth);
  }

  it('accepts an ES256 token signed by the key in publicKeyFile', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const auth = authWith({ algorithms: ['ES256'], publicKeyFile: writePublicKey(publicKey) });
    const token = await mint(claims(), privateKey, { alg: 'ES256' });

    expect(await verifyWith(token, auth)).toEqual({
      tenantId: 'acme',
      expiresAt: NOW + 600,
      subject: 'coach-7',
      scopes: ['read', 'schema'],
    });
  });

  it('refuses an ES256 token signed by another key with TOKEN_BAD_SIGNATURE', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const auth = authWith({ algorithms: ['ES256'], publicKeyFile: writePublicKey(publicKey) });
    const token = await mint(claims(), stranger, { alg: 'ES256' });

    expect((await rejection(verifyWith(token, auth))).code).toBe('TOKEN_BAD_SIGNATURE');
  });

  it('refuses an HS256 token keyed with the public PEM as TOKEN_ALGORITHM_REFUSED', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const auth = authWith({ algorithms: ['ES256'], publicKeyFile: writePublicKey(publicKey) });
    const pem = publicPem(publicKey);
    const token = await mint(claims(), bytes(pem), { alg: 'HS256' });

    expect((await rejection(verifyWith(token, auth))).code).toBe('TOKEN_ALGORITHM_REFUSED');
  });

  it('accepts a token whose kid names a key in the JWKS file', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-2030', alg: 'ES256', use: 'sig' };
    fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    const auth = authWith({ algorithms: ['ES256'], jwksFile: 'jwks.json' });
    const token = await mint(claims(), privateKey, { alg: 'ES256', kid: 'key-2030' });

    expect((await verifyWith(token, auth)).tenantId).toBe('acme');
  });

  it('refuses a token whose kid is not in the JWKS file with TOKEN_BAD_SIGNATURE', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-2030', alg: 'ES256', use: 'sig' };
    fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    const auth = authWith({ algorithms: ['ES256'], jwksFile: 'jwks.json' });
    const token = await mint(claims(), privateKey, { alg: 'ES256', kid: 'retired-key' });

    expect((await rejection(verifyWith(token, auth))).code).toBe('TOKEN_BAD_SIGNATURE');
  });
});
