import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TenantMcpError } from '../errors.js';

// RFC 7518 asks for an HS256 key at least as long as the hash: 32 bytes.
const MIN_SECRET_BYTES = 32;

/**
 * The demo root's development HMAC secret, kept in `<root>/dev-secret` (mode 0600) so that
 * rebuilding the tenants keeps tokens and pasted configs valid. Used as UTF-8 bytes, as the
 * server reads a secret from its environment variable.
 */
export function ensureDevSecret(root: string): string {
  const file = join(root, 'dev-secret');
  if (existsSync(file)) return checkedSecret(readFileSync(file, 'utf8').trim());
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

function checkedSecret(secret: string): string {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new TenantMcpError(
      'KEY_INVALID',
      `the demo dev-secret is shorter than ${MIN_SECRET_BYTES} bytes; delete it to get a new one`,
    );
  }
  return secret;
}
