import { TenantMcpError } from '../../src/errors.js';

/** Runs `fn` and returns the TenantMcpError it throws, failing the test when none is thrown. */
export function failure(fn: () => unknown): TenantMcpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TenantMcpError) return error;
    throw error;
  }
  throw new Error('expected a TenantMcpError');
}
