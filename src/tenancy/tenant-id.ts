import { TenantMcpError } from '../errors.js';

/** Tenant ids name folders, so only a narrow, path-free alphabet is accepted. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Returns `value` as a tenant id, or throws TENANT_ID_INVALID without echoing it. */
export function parseTenantId(value: unknown): string {
  if (typeof value !== 'string' || !TENANT_ID_PATTERN.test(value)) {
    throw new TenantMcpError(
      'TENANT_ID_INVALID',
      'tenant id must be 1-63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit',
    );
  }
  return value;
}
