import type { ErrorCode } from '../errors.js';
import { TenantMcpError } from '../errors.js';
import type { QueryRequest, RunLimits } from './run.js';

/** The argument that tells worker.js it was started by a QueryPool. */
export const WORKER_FLAG = '--tenant-mcp-query-worker';

/** What a worker needs to open its connection. */
export interface WorkerSetup {
  file: string;
  limits: RunLimits;
  cacheSizeKiB: number;
  /** Paths scrubbed from every error message. */
  redact: string[];
}

/** Messages from the pool to a worker. */
export type ToWorker =
  | { t: 'open'; setup: WorkerSetup }
  | { t: 'run'; id: number; request: Omit<QueryRequest, 'timeoutMs'> };

/** An error as it crosses the process boundary. */
export interface WireError {
  code: ErrorCode;
  message: string;
  hint?: string;
  sqliteCode?: string;
}

/**
 * Messages from a worker to the pool. A result travels as JSON text: one string crosses
 * the channel and JSON.parse rebuilds it faster than structured clone does for rows of
 * mixed values. `exit` means the worker exits after this answer (its connection changed,
 * or SQLite ran out of memory) and must be replaced.
 */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'open-failed'; error: WireError }
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
