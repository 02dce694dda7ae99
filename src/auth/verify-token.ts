import { errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { AuthConfig } from '../config/schema.js';
import { TenantMcpError, type ErrorCode } from '../errors.js';
import { parseTenantId } from '../tenancy/tenant-id.js';
import type { VerificationKey } from './keys.js';

/** What a verified tenant token tells the server. */
export interface VerifiedToken {
  readonly tenantId: string;
  /** Unix seconds; every accepted token has one. */
  readonly expiresAt: number;
  readonly subject: string | undefined;
  readonly scopes: readonly string[];
}

// Far above any real token; stops a megabyte "token" before any parsing work.
const MAX_TOKEN_CHARS = 16_384;

// A compact JWS: three base64url segments without padding (RFC 7515 section 7.1). jose would
// otherwise accept a stray `=` after the signature.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Verifies a tenant token and extracts its tenant id; throws TOKEN_* codes. */
export async function verifyTenantToken(
  token: string,
  key: VerificationKey,
  auth: AuthConfig,
): Promise<VerifiedToken> {
  const compact = token.trim();
  if (compact.length === 0) throw new TenantMcpError('TOKEN_MISSING', 'no token was given');
  if (compact.length > MAX_TOKEN_CHARS) {
    throw new TenantMcpError('TOKEN_MALFORMED', 'token is too long');
  }
  if (!COMPACT_JWS.test(compact)) {
    throw new TenantMcpError('TOKEN_MALFORMED', 'token is not three base64url segments');
  }
  const payload = await verifySignatureAndClaims(compact, key, auth);
  checkIssuedAt(payload, auth.clockToleranceSeconds);
  return {
    tenantId: tenantIdFrom(payload, auth.tenantClaim),
    expiresAt: payload.exp as number,
    subject: typeof payload.sub === 'string' ? payload.sub : undefined,
    scopes: scopesFrom(payload),
  };
}

async function verifySignatureAndClaims(
  token: string,
  key: VerificationKey,
  auth: AuthConfig,
): Promise<JWTPayload> {
  const options: JWTVerifyOptions = {
    algorithms: [...auth.algorithms],
    requiredClaims: ['exp'],
    clockTolerance: auth.clockToleranceSeconds,
    ...(auth.issuer === undefined ? {} : { issuer: auth.issuer }),
    ...(auth.audience === undefined ? {} : { audience: auth.audience }),
  };
  try {
    // The union of key kinds is resolved by jose at run time; the overloads cannot see it.
    const { payload } = await jwtVerify(token, key as Uint8Array, options);
    return payload;
  } catch (error) {
    throw tokenError(error);
  }
}

/**
 * TOKEN_NOT_YET_VALID for a token issued in the future beyond the clock tolerance: jose checks
 * `iat` only when a maximum token age is set, and such a token would outlive its intended life.
 */
function checkIssuedAt(payload: JWTPayload, toleranceSeconds: number): void {
  // Date.now, as jose uses for exp and nbf, so that all three agree on the moment.
  const now = Date.now() / 1000;
  if (typeof payload.iat === 'number' && payload.iat > now + toleranceSeconds) {
    throw new TenantMcpError('TOKEN_NOT_YET_VALID', 'token is issued in the future');
  }
}

function tenantIdFrom(payload: JWTPayload, claim: string): string {
  const value = payload[claim];
  if (value === undefined) {
    throw new TenantMcpError('TOKEN_CLAIM_MISSING', `token has no '${claim}' claim`);
  }
  try {
    return parseTenantId(value);
  } catch (error) {
    throw new TenantMcpError(
      'TOKEN_CLAIM_INVALID',
      `token claim '${claim}' is not a valid tenant id`,
      { cause: error },
    );
  }
}

function scopesFrom(payload: JWTPayload): string[] {
  const { scope, scp } = payload as { scope?: unknown; scp?: unknown };
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string');
  return [];
}

/** Maps jose's failures to our codes; messages say what failed, never what the token held. */
function tokenError(error: unknown): TenantMcpError {
  const [code, message] = classify(error);
  return new TenantMcpError(code, message, { cause: error });
}

function classify(error: unknown): [ErrorCode, string] {
  if (error instanceof errors.JWTExpired) return ['TOKEN_EXPIRED', 'token has expired'];
  if (error instanceof errors.JWTClaimValidationFailed) return classifyClaim(error);
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey
  ) {
    return ['TOKEN_BAD_SIGNATURE', 'token signature does not verify'];
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return ['TOKEN_ALGORITHM_REFUSED', 'token algorithm is not allowed'];
  }
  return ['TOKEN_MALFORMED', 'token is malformed'];
}

function classifyClaim(error: errors.JWTClaimValidationFailed): [ErrorCode, string] {
  if (error.reason === 'missing') {
    return ['TOKEN_CLAIM_MISSING', `token has no '${error.claim}' claim`];
  }
  switch (error.claim) {
    case 'nbf':
      return ['TOKEN_NOT_YET_VALID', 'token is not yet valid'];
    case 'iss':
      return ['TOKEN_WRONG_ISSUER', 'token issuer is not accepted'];
    case 'aud':
      return ['TOKEN_WRONG_AUDIENCE', 'token audience is not accepted'];
    default:
      return ['TOKEN_CLAIM_INVALID', `token claim '${error.claim}' is invalid`];
  }
}
