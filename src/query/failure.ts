import { TenantMcpError } from '../errors.js';

const NO_SUCH_TABLE_HINT = 'Call list_tables to see the tables of this tenant.';
const NO_SUCH_COLUMN_HINT =
  "Call describe_table to see a table's columns. String literals take single quotes ('text'); " +
  'double quotes name a column.';

// Absolute paths of two or more segments, wherever a message might carry one.
const ABSOLUTE_PATH = /(^|[\s'"(:=])\/[^\s'"():]+(?:\/[^\s'"():]+)+/g;

/**
 * Removes server file paths from a message: first the given paths (tenant file, data
 * root) with anything below them, then anything that looks like an absolute path.
 */
export function redactPaths(message: string, paths: readonly string[]): string {
  let out = message;
  const longestFirst = [...paths].filter((p) => p.length > 1).sort((a, b) => b.length - a.length);
  for (const path of longestFirst) out = out.replace(underPath(path), '<path>');
  return out.replace(ABSOLUTE_PATH, '$1<path>');
}

// The path itself and whatever file or folder names follow it.
function underPath(path: string): RegExp {
  const literal = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${literal}(?:/[^\\s'"():]*)*`, 'g');
}

/** The hint that helps a model recover from a SQLite error message, if any. */
export function hintFor(message: string): string | undefined {
  if (/no such table/i.test(message)) return NO_SUCH_TABLE_HINT;
  if (/no such column/i.test(message)) return NO_SUCH_COLUMN_HINT;
  return undefined;
}

function sqliteCodeOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Turns whatever running a query threw into a TenantMcpError: SQLite errors become
 * QUERY_FAILED with their code, message (paths removed) and a hint where one helps.
 */
export function queryFailure(error: unknown, redact: readonly string[] = []): TenantMcpError {
  if (error instanceof TenantMcpError) return error;
  const sqliteCode = sqliteCodeOf(error);
  if (sqliteCode === undefined) {
    return new TenantMcpError('QUERY_FAILED', 'the query failed', { cause: error });
  }
  const message = redactPaths((error as Error).message, redact);
  return new TenantMcpError('QUERY_FAILED', message, {
    cause: error,
    sqliteCode,
    hint: hintFor(message),
  });
}
