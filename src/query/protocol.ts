import type { ErrorCode } from '../errors.js';
import { TenantMcpError } from '../errors.js';
import type { QueryRequest, RunLimits } from './run.js';

/** The argument that tells worker.js it was started by a QueryPool. */
export const WORKER_FLAG = '--tenant-mcp-query-worker';

/** How a worker serves every tenant; sent once, before any run. */
export interface WorkerSetup {
  limits: RunLimits;
  /** SQLite page cache of each connection, in KiB. */
  cacheSizeKiB: number;
  /** Tenant connections kept open; the least recently used is closed first. */
  maxConnections: number;
  /** Paths scrubbed from every error message, beside the tenant file and its folders. */
  redact: string[];
  /** A tenant file to open at once, so that a one-tenant pool learns early if it cannot. */
  open?: string;
}

/**
 * Messages from the pool to a worker. The tenant file of a run always comes from the
 * pool, which took it from a verified tenant; `forget` closes a file's connection.
 */
export type ToWorker =
  | { t: 'setup'; setup: WorkerSetup }
  | { t: 'run'; id: number; file: string; request: Omit<QueryRequest, 'timeoutMs'> }
  | { t: 'forget'; file: string };

/** An error as it crosses the process boundary. */
export interface WireError {
  code: ErrorCode;
  message: string;
  hint?: string;
  sqliteCode?: string;
}

/**
 * Messages from a worker to the pool. `ready` answers the setup, with the error of its
 * `open` file if that failed. A result travels as JSON text: one string crosses the channel
 * and JSON.parse rebuilds it faster than structured clone does for rows of mixed values.
 * `exit` means the worker exits after this answer (a connection changed, or SQLite ran out
 * of memory) and must be replaced.
 */
export type FromWorker =
  | { t: 'ready'; openError?: WireError }
  | { t: 'result'; id: number; json: string }
  | { t: 'error'; id: number; error: WireError; exit: boolean };

/** Flattens an error for IPC; the cause stays behind. */
export function toWire(error: TenantMcpError): WireError {
  const wire: WireError = { code: error.code, message: error.message };
  if (error.hint !== undefined) wire.hint = error.hint;
  if (error.sqliteCode !== undefined) wire.sqliteCode = error.sqliteCode;
  return wire;
}

/** Rebuilds a TenantMcpError on the pool's side. */
export function fromWire(wire: WireError): TenantMcpError {
  return new TenantMcpError(wire.code, wire.message, {
    hint: wire.hint,
    sqliteCode: wire.sqliteCode,
  });
}
