import { generateKeyPairSync, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportJWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadVerificationKey } from '../../src/auth/keys.js';
import { parseConfig } from '../../src/config/load.js';
import type { AuthConfig } from '../../src/config/schema.js';
import { failure } from '../support/failure.js';

const SECRET_ENV = 'TENANT_MCP_JWT_SECRET';
const SECRET_32 = 'q7Vx2mN9pL4sK8dF3hJ6wR1tY5uE0aZc';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-mcp-keys-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An auth section as the config loader produces it, with files relative to the temp dir. */
function authWith(auth: Record<string, unknown>): AuthConfig {
  const text = JSON.stringify({ dataRoot: '.', auth });
  return parseConfig(text, path.join(dir, 'mcp.config.json')).auth;
}

function hmacAuth(algorithms: string[] = ['HS256']): AuthConfig {
  return authWith({ algorithms, secretEnv: SECRET_ENV });
}

function writeFile(name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
}

function ecKeyPair() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function publicPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

describe('loadVerificationKey with an HMAC secret', () => {
  it('returns the secret from the named environment variable as bytes', () => {
    const key = loadVerificationKey(hmacAuth(), { [SECRET_ENV]: SECRET_32 });

    expect(key).toEqual(new TextEncoder().encode(SECRET_32));
  });

  it('refuses an unset secret variable with KEY_INVALID naming the variable', () => {
    const error = failure(() => loadVerificationKey(hmacAuth(), {}));

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).toContain(SECRET_ENV);
  });

  it('refuses an empty secret variable with KEY_INVALID', () => {
    expect(failure(() => loadVerificationKey(hmacAuth(), { [SECRET_ENV]: '' })).code).toBe(
      'KEY_INVALID',
    );
  });

  it('refuses a secret of 31 bytes for HS256 without echoing it', () => {
    const secret = SECRET_32.slice(1);
    const error = failure(() => loadVerificationKey(hmacAuth(), { [SECRET_ENV]: secret }));

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).toContain('31 bytes');
    expect(error.message).not.toContain(secret);
  });

  it('counts the secret in UTF-8 bytes, not characters', () => {
    const secret = 'é'.repeat(16);

    expect(loadVerificationKey(hmacAuth(), { [SECRET_ENV]: secret })).toHaveLength(32);
  });

  it('refuses a 32-byte secret for HS512, which needs 64 bytes', () => {
    const error = failure(() =>
      loadVerificationKey(hmacAuth(['HS512']), { [SECRET_ENV]: SECRET_32 }),
    );

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).toContain('needs at least 64');
  });

  it('accepts a 64-byte secret for HS512', () => {
    const secret = SECRET_32.repeat(2);

    expect(loadVerificationKey(hmacAuth(['HS512']), { [SECRET_ENV]: secret })).toHaveLength(64);
  });

  it('asks for the longest secret any allowed algorithm needs', () => {
    const secret = SECRET_32 + SECRET_32.slice(0, 16);
    const error = failure(() =>
      loadVerificationKey(hmacAuth(['HS256', 'HS384', 'HS512']), { [SECRET_ENV]: secret }),
    );

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).toContain('48 bytes');
  });

  it('refuses a PEM key in the secret variable without echoing it', () => {
    const pem = publicPem(ecKeyPair().publicKey);
    const error = failure(() => loadVerificationKey(hmacAuth(), { [SECRET_ENV]: pem }));

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).toContain('PEM');
    expect(error.message).not.toContain(pem.split('\n')[1]);
  });
});

describe('loadVerificationKey with a public key file', () => {
  it('loads an EC P-256 public key in SPKI PEM form', () => {
    const pem = publicPem(ecKeyPair().publicKey);
    const auth = authWith({ algorithms: ['ES256'], publicKeyFile: writeFile('public.pem', pem) });

    const key = loadVerificationKey(auth, {});

    expect(key).toBeInstanceOf(KeyObject);
    expect((key as KeyObject).type).toBe('public');
    expect((key as KeyObject).asymmetricKeyType).toBe('ec');
  });

  it('refuses a private key with KEY_INVALID', () => {
    const pem = ecKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const auth = authWith({ algorithms: ['ES256'], publicKeyFile: writeFile('key.pem', pem) });
    const error = failure(() => loadVerificationKey(auth, {}));

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).toContain('private key');
    expect(error.message).not.toContain(pem.split('\n')[1]);
  });

  it('refuses a file that holds no PEM key with KEY_INVALID', () => {
    const auth = authWith({
      algorithms: ['ES256'],
      publicKeyFile: writeFile('public.pem', 'not a key'),
    });

    expect(failure(() => loadVerificationKey(auth, {})).code).toBe('KEY_INVALID');
  });

  it('refuses a missing file with KEY_INVALID and without naming its path', () => {
    const auth = authWith({ algorithms: ['ES256'], publicKeyFile: 'absent.pem' });
    const error = failure(() => loadVerificationKey(auth, {}));

    expect(error.code).toBe('KEY_INVALID');
    expect(error.message).not.toContain(dir);
  });
});

describe('loadVerificationKey with a JWKS file', () => {
  it('returns a key resolver for a JSON Web Key Set', async () => {
    const jwk = await exportJWK(ecKeyPair().publicKey);
    const jwks = JSON.stringify({ keys: [{ ...jwk, kid: 'k1', alg: 'ES256', use: 'sig' }] });
    const auth = authWith({ algorithms: ['ES256'], jwksFile: writeFile('jwks.json', jwks) });

    expect(typeof loadVerificationKey(auth, {})).toBe('function');
  });

  it.each([
    ['a single JWK instead of a set', '{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}'],
    ['keys that is not an array', '{"keys":{}}'],
    ['null', 'null'],
    ['text that is not JSON', 'keys: []'],
  ])('refuses %s with KEY_INVALID', (_label, text) => {
    const auth = authWith({ algorithms: ['ES256'], jwksFile: writeFile('jwks.json', text) });

    expect(failure(() => loadVerificationKey(auth, {})).code).toBe('KEY_INVALID');
  });

  it('refuses a missing JWKS file with KEY_INVALID', () => {
    const auth = authWith({ algorithms: ['ES256'], jwksFile: 'absent.json' });

    expect(failure(() => loadVerificationKey(auth, {})).code).toBe('KEY_INVALID');
  });
});
