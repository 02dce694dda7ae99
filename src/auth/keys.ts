import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/schema.js';
import { TenantMcpError } from '../errors.js';

/** What jose verifies a signature with: an HMAC secret, a public key, or a local key set. */
export type VerificationKey = Uint8Array | KeyObject | JWTVerifyGetKey;

// RFC 7518 section 3.2: an HMAC key must be at least as long as the hash output.
const MIN_HMAC_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

/**
 * Builds the verification key named by the auth config. `env` is passed in so that only
 * the entry file reads the process environment.
 */
export function loadVerificationKey(
  auth: AuthConfig,
  env: Readonly<Record<string, string | undefined>>,
): VerificationKey {
  if (auth.secretEnv) return hmacSecret(auth, env[auth.secretEnv]);
  if (auth.publicKeyFile) return matchingKey(publicKey(auth.publicKeyFile), auth.algorithms);
  if (auth.jwksFile) return localKeySet(auth.jwksFile);
  throw new TenantMcpError('KEY_INVALID', 'auth names no key');
}

function hmacSecret(auth: AuthConfig, value: string | undefined): Uint8Array {
  if (!value) {
    throw new TenantMcpError(
      'KEY_INVALID',
      `environment variable ${auth.secretEnv} (named by auth.secretEnv) is not set`,
    );
  }
  // A public key used as an HMAC secret lets anyone who has the key forge tokens.
  if (value.includes('-----BEGIN')) {
    throw new TenantMcpError(
      'KEY_INVALID',
      `${auth.secretEnv} holds a PEM key, not an HMAC secret`,
    );
  }
  const secret = new TextEncoder().encode(value);
  const needed = Math.max(...auth.algorithms.map((a) => MIN_HMAC_BYTES[a] ?? 32));
  if (secret.byteLength < needed) {
    throw new TenantMcpError(
      'KEY_INVALID',
      `${auth.secretEnv} is ${secret.byteLength} bytes; ` +
        `${auth.algorithms.join('/')} needs at least ${needed}`,
    );
  }
  return secret;
}

function publicKey(file: string): KeyObject {
  const pem = readKeyFile(file, 'publicKeyFile');
  if (pem.includes('PRIVATE KEY')) {
    throw new TenantMcpError(
      'KEY_INVALID',
      'publicKeyFile holds a private key; give the public key',
    );
  }
  try {
    return createPublicKey(pem);
  } catch (error) {
    throw new TenantMcpError('KEY_INVALID', 'publicKeyFile is not a PEM public key', {
      cause: error,
    });
  }
}

// The key type each public-key algorithm needs; a mismatch would refuse every token later.
const KEY_TYPES: Record<string, readonly string[]> = {
  RS256: ['rsa'],
  ES256: ['ec'],
  EdDSA: ['ed25519', 'ed448'],
};

function matchingKey(key: KeyObject, algorithms: readonly string[]): KeyObject {
  const type = key.asymmetricKeyType ?? 'unknown';
  const unfit = algorithms.filter((a) => !KEY_TYPES[a]?.includes(type));
  if (unfit.length > 0) {
    throw new TenantMcpError(
      'KEY_INVALID',
      `publicKeyFile holds a ${type} key, unfit for ${unfit.join(', ')}`,
    );
  }
  return key;
}

function localKeySet(file: string): JWTVerifyGetKey {
  const text = readKeyFile(file, 'jwksFile');
  try {
    const jwks = JSON.parse(text) as JSONWebKeySet;
    if (!Array.isArray(jwks.keys)) throw new TypeError('keys is not an array');
    return createLocalJWKSet(jwks);
  } catch (error) {
    throw new TenantMcpError('KEY_INVALID', 'jwksFile is not a JSON Web Key Set', { cause: error });
  }
}

function readKeyFile(file: string, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new TenantMcpError('KEY_INVALID', `${key} cannot be read`, { cause: error });
  }
}
