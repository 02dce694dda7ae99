import { TenantMcpError } from '../../src/errors.js';

/** Runs `fn` and returns the TenantMcpError it throws, failing the test when none is thrown. */
export function failure(fn: () => unknown): TenantMcpError {
  try {
    fn();
  } catch (error) {
    return asTenantMcpError(error);
  }
  throw new Error('expected a TenantMcpError');
}

/** Awaits `pending` and returns the TenantMcpError it rejects with, failing the test when it resolves. */
export async function rejection(pending: Promise<unknown>): Promise<TenantMcpError> {
  try {
    await pending;
  } catch (error) {
    return asTenantMcpError(error);
  }
  throw new Error('expected a TenantMcpError');
}

function asTenantMcpError(error: unknown): TenantMcpError {
  if (error instanceof TenantMcpError) return error;
  throw error;
}
