import { hasCode, TenantMcpError } from '../errors.js';
import type { Cell } from '../query/encode.js';
import type { QueryRequest, QueryResult, QueryRunner } from '../query/run.js';

/** Named parameters of our own SQL: ids, numbers and NULL. */
export type SqlParams = Readonly<Record<string, string | number | null>>;

/**
 * Reads rows of our own SQL in the query pool: off the thread that serves every tenant,
 * within the query time limit, and counted against this tenant's share of the workers. For
 * statements whose cost grows with the tenant's data (aggregates over a project or over all
 * time entries, an item's every comment); lookups that an index bounds stay in process.
 */
export interface PooledReader {
  /** Every row, as objects keyed by column name; a result the pool had to cut is an error. */
  all<T>(sql: string, params: SqlParams, maxRows: number): Promise<T[]>;
  /** Like `all`, but a cut result comes back with `cut` set instead of failing. */
  upTo<T>(sql: string, params: SqlParams, maxRows: number): Promise<{ rows: T[]; cut: boolean }>;
}

/** A reader over `runner`; `signal` (the client's cancellation) stops its queries. */
export function pooledReader(runner: QueryRunner, signal?: AbortSignal): PooledReader {
  const upTo = async <T>(sql: string, params: SqlParams, maxRows: number) => {
    const result = await run(runner, { sql, params, maxRows }, signal);
    return { rows: result.rows.map((row) => rowObject(result, row) as T), cut: !!result.truncated };
  };
  return {
    upTo,
    all: async <T>(sql: string, params: SqlParams, maxRows: number) => {
      const { rows, cut } = await upTo<T>(sql, params, maxRows);
      if (cut) throw tooLarge();
      return rows;
    },
  };
}

async function run(
  runner: QueryRunner,
  request: QueryRequest,
  signal: AbortSignal | undefined,
): Promise<QueryResult> {
  try {
    return await runner.run(request, signal);
  } catch (error) {
    // The pool's hint speaks of the model's own SQL, which a domain tool has none of.
    if (!hasCode(error, 'QUERY_TIMEOUT')) throw error;
    throw new TenantMcpError('QUERY_TIMEOUT', 'this tenant has too much data to answer in time', {
      cause: error,
      hint: 'ask about one project (or fewer days), or count with the query tool',
    });
  }
}

function rowObject(result: QueryResult, row: readonly Cell[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  result.columns.forEach((column, i) => {
    object[column.name] = plain(row[i] ?? null);
  });
  return object;
}

/** A cell as better-sqlite3 would have given it in process, long text cut and marked. */
export function plain(cell: Cell): string | number | null {
  if (cell === null || typeof cell !== 'object') return cell;
  if ('$int' in cell) return Number(cell.$int);
  if ('$real' in cell) return Number(cell.$real);
  if ('$text' in cell) return `${cell.$text}…`;
  return `<blob ${cell.$blob.bytes} bytes>`;
}

function tooLarge(): TenantMcpError {
  return new TenantMcpError('QUERY_FAILED', "the answer exceeds this server's query limits", {
    hint: 'ask about one project, or use the query tool with a narrower question',
  });
}
