import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { LRUCache } from 'lru-cache';
import type { VerificationKey } from '../../auth/keys.js';
import { verifyTenantToken, type VerifiedToken } from '../../auth/verify-token.js';
import type { AuthConfig } from '../../config/schema.js';
import { TenantMcpError } from '../../errors.js';

// RFC 6750 section 2.1: the scheme, one or more spaces, then a b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(?: |$)/i;

// Bounds on the verified-token cache: entries, and characters of token kept as keys.
const CACHE_ENTRIES = 10_000;
const CACHE_CHARS = 8 * 1024 * 1024;

/**
 * The request's one Authorization header, or undefined when none was sent. Node keeps only
 * the first of several in `req.headers`; which one a proxy or a cache in front would read is
 * anyone's guess, so more than one is TOKEN_MALFORMED.
 */
export function authorizationHeader(req: IncomingMessage): string | undefined {
  let count = 0;
  // rawHeaders alternates names and values, names as sent.
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'authorization') count += 1;
  }
  if (count > 1) {
    throw new TenantMcpError('TOKEN_MALFORMED', 'send exactly one Authorization header');
  }
  return req.headers.authorization;
}

/**
 * The token of an `Authorization: Bearer …` header. TOKEN_MISSING when there is no Bearer
 * credential at all (no header, an empty one, or another scheme such as Basic), so that the
 * client gets a plain challenge (RFC 6750 section 3.1); TOKEN_MALFORMED for a bad Bearer one.
 */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new TenantMcpError('TOKEN_MISSING', 'no Authorization header was sent');
  }
  if (!BEARER_SCHEME.test(header)) {
    throw new TenantMcpError('TOKEN_MISSING', 'the Authorization header carries no Bearer token');
  }
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    throw new TenantMcpError(
      'TOKEN_MALFORMED',
      'the Authorization header must be Bearer followed by one token',
    );
  }
  return token;
}

/**
 * Verifies tenant tokens, remembering each verified token until it expires: a client sends
 * the same token with every request, and signature checks would otherwise dominate small
 * calls. Only successes are kept, keyed by the exact token text.
 */
export class TokenVerifier {
  readonly #key: VerificationKey;
  readonly #auth: AuthConfig;
  readonly #cache = new LRUCache<string, VerifiedToken>({
    max: CACHE_ENTRIES,
    maxSize: CACHE_CHARS,
    sizeCalculation: (_value, token) => token.length,
  });

  constructor(key: VerificationKey, auth: AuthConfig) {
    this.#key = key;
    this.#auth = auth;
  }

  /** The verified token, or a TenantMcpError with a TOKEN_* code. */
  async verify(token: string): Promise<VerifiedToken> {
    const cached = this.#cache.get(token);
    if (cached !== undefined && this.#live(cached)) return cached;
    if (cached !== undefined) this.#cache.delete(token);
    const verified = await verifyTenantToken(token, this.#key, this.#auth);
    this.#cache.set(token, verified);
    return verified;
  }

  /** Unix seconds until which `verified` is served; the same skew jose allows. */
  servedUntil(verified: VerifiedToken): number {
    return verified.expiresAt + this.#auth.clockToleranceSeconds;
  }

  // Date.now, as jose uses: the cache and a fresh verification agree on the moment of expiry.
  #live(verified: VerifiedToken): boolean {
    return Date.now() / 1000 <= this.servedUntil(verified);
  }
}

/** Refuses a token that lacks any of `required` with TOKEN_INSUFFICIENT_SCOPE. */
export function requireScopes(verified: VerifiedToken, required: readonly string[]): void {
  const missing = required.filter((scope) => !verified.scopes.includes(scope));
  if (missing.length > 0) {
    throw new TenantMcpError(
      'TOKEN_INSUFFICIENT_SCOPE',
      `token lacks the scope ${missing.join(' ')}`,
      { hint: 'ask the authorization server for a token with the required scopes' },
    );
  }
}

/** The SDK's view of a verified token, handed to tool handlers as `extra.authInfo`. */
export function authInfoFor(token: string, verified: VerifiedToken, servedUntil: number): AuthInfo {
  return {
    token,
    clientId: verified.subject ?? verified.tenantId,
    scopes: [...verified.scopes],
    expiresAt: servedUntil,
    extra: { tenantId: verified.tenantId },
  };
}
