import type BetterSqlite3 from 'better-sqlite3';
import type { QueryConfig } from '../config/schema.js';
import { TenantMcpError } from '../errors.js';
import type { Cell, Column, ReadLimits, Truncation } from './encode.js';
import { readColumns, readRows } from './encode.js';
import { queryFailure } from './failure.js';
import { gateStatement } from './gate.js';
import type { QueryParams } from './params.js';
import { bindParams, toBindParams } from './params.js';

/** One query as a caller asks for it. */
/** Runs SQL somewhere it cannot write or hang the server: a tenant's view of the query pool. */
export interface QueryRunner {
  /** `signal` aborts when the client cancels; the runner then stops the query. */
  run(request: QueryRequest, signal?: AbortSignal): Promise<QueryResult>;
}

export interface QueryRequest {
  sql: string;
  params?: QueryParams;
  /** Row cap for this call; defaults to `defaultRowLimit`, clamped to `maxRowLimit`. */
  maxRows?: number;
  /** Deadline for this call in ms; defaults to `timeoutMs`, clamped to `maxTimeoutMs`. */
  timeoutMs?: number;
}

/** A faithful, bounded result. */
export interface QueryResult {
  columns: Column[];
  rows: Cell[][];
  rowCount: number;
  truncated: Truncation;
  /** Time SQLite spent preparing and reading, in milliseconds. */
  elapsedMs: number;
}

/** The configured bounds `runQuery` applies. */
export type RunLimits = Pick<
  QueryConfig,
  'defaultRowLimit' | 'maxRowLimit' | 'maxResultBytes' | 'maxCellChars'
>;

/** The row cap for a call: the default when absent, at most the configured maximum. */
export function resolveRowLimit(requested: unknown, limits: RunLimits): number {
  if (requested === undefined) return limits.defaultRowLimit;
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) {
    throw new TenantMcpError('QUERY_INVALID', 'maxRows must be a positive integer');
  }
  return Math.min(requested, limits.maxRowLimit);
}

/**
 * Runs one model-written query on a hardened connection, in process: gate, bind, read
 * within the caps. `redact` lists paths that must never appear in an error message.
 */
export function runQuery(
  db: BetterSqlite3.Database,
  request: QueryRequest,
  limits: RunLimits,
  redact: readonly string[] = [],
): QueryResult {
  const started = performance.now();
  const maxRows = resolveRowLimit(request.maxRows, limits);
  const stmt = gateStatement(db, request.sql, redact);
  bindParams(stmt, toBindParams(request.params));
  const columns = readColumns(stmt);
  const read = {
    maxRows,
    maxResultBytes: limits.maxResultBytes,
    maxCellChars: limits.maxCellChars,
  };
  const { rows, truncated } = readWithin(stmt, read, JSON.stringify(columns).length, redact);
  const elapsedMs = Math.round((performance.now() - started) * 1000) / 1000;
  return { columns, rows, rowCount: rows.length, truncated, elapsedMs };
}

function readWithin(
  stmt: BetterSqlite3.Statement,
  limits: ReadLimits,
  usedBytes: number,
  redact: readonly string[],
): ReturnType<typeof readRows> {
  try {
    return readRows(stmt, limits, usedBytes);
  } catch (error) {
    throw queryFailure(error, redact);
  }
}
