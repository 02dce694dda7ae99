import type { QueryConfig } from '../config/schema.js';
import { TenantMcpError } from '../errors.js';

/** The errors the query pool answers with, and how it reads a call's deadline. */

/**
 * The smallest time limit a call runs with: the least the config accepts for `timeoutMs` and
 * `maxTimeoutMs`. A model asking for less gets this much, as one asking for more than the
 * maximum gets the maximum, rather than a refusal it could only answer by guessing again.
 */
export const MIN_TIMEOUT_MS = 10;

/** The deadline for a call: the default when absent, else raised or lowered into the limits. */
export function resolveTimeout(requested: unknown, limits: QueryConfig): number {
  if (requested === undefined) return limits.timeoutMs;
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) {
    throw new TenantMcpError('QUERY_INVALID', 'timeoutMs must be a positive integer');
  }
  return Math.min(Math.max(requested, MIN_TIMEOUT_MS), limits.maxTimeoutMs);
}

export function timedOut(timeoutMs: number): TenantMcpError {
  return new TenantMcpError('QUERY_TIMEOUT', `the query did not finish within ${timeoutMs} ms`, {
    hint: 'Narrow the query (filters, LIMIT, fewer joins) or pass a larger timeoutMs.',
  });
}

export function workerFailed(): TenantMcpError {
  return new TenantMcpError(
    'QUERY_WORKER_FAILED',
    'the query worker stopped unexpectedly, for example by running out of memory',
    { hint: 'Reduce the memory the query needs (smaller sorts, fewer rows, shorter values).' },
  );
}

export function noWorkers(): TenantMcpError {
  return new TenantMcpError('QUERY_WORKER_FAILED', 'no query worker is available right now');
}

export function noFreeWorker(timeoutMs: number): TenantMcpError {
  return new TenantMcpError(
    'QUERY_OVERLOADED',
    `timed out waiting for a query worker: none was free in time to run the query within ` +
      `${timeoutMs} ms; other queries are still running`,
    { hint: 'Try again shortly; this query itself did not run.' },
  );
}

export function cancelled(): TenantMcpError {
  return new TenantMcpError('QUERY_CANCELLED', 'the query was cancelled by the client');
}

export function overloaded(): TenantMcpError {
  return new TenantMcpError('QUERY_OVERLOADED', 'too many queries are waiting; try again shortly');
}

export function tenantOverloaded(limit: number): TenantMcpError {
  return new TenantMcpError(
    'QUERY_OVERLOADED',
    `this tenant already has ${limit} queries running or waiting, its limit; other tenants are unaffected`,
    { hint: 'Wait for earlier queries to finish before starting more.' },
  );
}

export function poolClosed(): TenantMcpError {
  return new TenantMcpError('QUERY_WORKER_FAILED', 'the query pool is closed');
}
