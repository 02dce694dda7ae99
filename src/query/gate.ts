import type BetterSqlite3 from 'better-sqlite3';
import { TenantMcpError } from '../errors.js';
import { queryFailure } from './failure.js';

/**
 * The read-only gate for model-written SQL. Layers, in the order they run:
 *
 * 1. `checkQueryText`: a string, not empty, no NUL, bounded length.
 * 2. `requireReadKeyword`: after whitespace and comments the first word is SELECT, WITH
 *    or VALUES. This stops ATTACH, DETACH, PRAGMA, BEGIN/SAVEPOINT, VACUUM (INTO), CREATE
 *    (TEMP too), REPLACE, EXPLAIN and every other statement type, none of which can be
 *    nested inside a SELECT. It must run before `prepare`: SQLite applies some pragmas
 *    (query_only, cache_size) while compiling them, so preparing one already acts.
 * 3. `requireNoPathSources`: no mention of `pragma_database_list`, the one table-valued
 *    function whose rows carry server file paths. SQL has no escapes inside names, so a
 *    case-insensitive search of the text finds every way of naming it.
 * 4. `requireSingleStatement`: nothing but semicolons, whitespace and comments may
 *    follow the statement; `prepare` enforces the same, this is the second opinion.
 * 5. `prepareStatement`: SQLite parses exactly one statement.
 * 6. `requireReadOnlyStatement`: SQLite says the statement returns rows and writes
 *    nothing. This stops `WITH ... DELETE/INSERT/UPDATE`, which passes layer 2.
 *
 * The connection itself (see connection.ts) is the last layer: opened read-only,
 * `query_only`, and every ATTACH slot already taken.
 */

/** Longest SQL text accepted, in UTF-16 code units. */
export const MAX_SQL_CHARS = 1_000_000;

const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'VALUES']);

// SQLite's tokenizer treats exactly these as whitespace; \v is an illegal token to it.
const SPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20]);

/** Index of the first character after `from` that is neither whitespace nor a comment. */
export function skipTrivia(sql: string, from = 0): number {
  let i = from;
  while (i < sql.length) {
    if (SPACE.has(sql.charCodeAt(i))) {
      i += 1;
    } else if (sql.startsWith('--', i)) {
      const newline = sql.indexOf('\n', i + 2);
      i = newline === -1 ? sql.length : newline + 1;
    } else if (sql.startsWith('/*', i)) {
      // Block comments do not nest in SQLite, and an unterminated one runs to the end.
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else {
      break;
    }
  }
  return i;
}

/** The first word of the statement, as SQLite would read it (identifier characters). */
export function leadingWord(sql: string): string {
  const start = skipTrivia(sql);
  let end = start;
  while (end < sql.length && isIdentifierChar(sql.charCodeAt(end))) end += 1;
  return sql.slice(start, end);
}

function isIdentifierChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x24 ||
    code >= 0x80
  );
}

/** Refuses anything that is not a non-empty string of bounded size without NUL characters. */
export function checkQueryText(sql: unknown): asserts sql is string {
  if (typeof sql !== 'string') {
    throw new TenantMcpError('QUERY_INVALID', 'sql must be a string');
  }
  if (sql.length > MAX_SQL_CHARS) {
    throw new TenantMcpError('QUERY_INVALID', `sql is longer than ${MAX_SQL_CHARS} characters`);
  }
  // SQLite stops reading at a NUL, so text after one would be silently ignored.
  if (sql.includes('\0')) {
    throw new TenantMcpError('QUERY_INVALID', 'sql contains a NUL character');
  }
  if (skipTrivia(sql) === sql.length) {
    throw new TenantMcpError('QUERY_INVALID', 'sql is empty (only whitespace or comments)');
  }
}

/** Requires the first word after whitespace and comments to be SELECT, WITH or VALUES. */
export function requireReadKeyword(sql: string): void {
  const word = leadingWord(sql);
  // An ASCII-only upper-casing: JavaScript maps 'ſ' to 'S', SQLite does not.
  const upper = /^[A-Za-z]+$/.test(word) ? word.toUpperCase() : '';
  if (READ_KEYWORDS.has(upper)) return;
  const shown = word === '' ? 'a symbol' : word.slice(0, 20);
  throw new TenantMcpError(
    'QUERY_NOT_READ_ONLY',
    `only SELECT, WITH and VALUES statements are allowed; this one starts with ${shown}`,
    { hint: 'Write one read-only statement that starts with SELECT, WITH or VALUES.' },
  );
}

/** Refuses SQL naming pragma_database_list, whose `file` column shows server paths. */
export function requireNoPathSources(sql: string): void {
  if (!/pragma_database_list/i.test(sql)) return;
  throw new TenantMcpError(
    'QUERY_INVALID',
    'pragma_database_list is not available: it shows server file paths',
    { hint: 'This tenant has one database, main; call list_tables to see its tables.' },
  );
}

/** Requires that only semicolons, whitespace and comments follow the first statement. */
export function requireSingleStatement(sql: string): void {
  let i = endOfFirstStatement(sql);
  while (i < sql.length) {
    const next = skipTrivia(sql, i);
    if (next < sql.length && sql[next] !== ';') throw multipleStatements();
    i = next + 1;
  }
}

/** Index just past the first semicolon outside strings, quoted names and comments. */
export function endOfFirstStatement(sql: string): number {
  let i = 0;
  while (i < sql.length) {
    i = skipTrivia(sql, i);
    const c = sql[i];
    if (c === ';') return i + 1;
    i = c === undefined ? i : skipToken(sql, i, c);
  }
  return sql.length;
}

const CLOSING_QUOTE: Record<string, string> = { "'": "'", '"': '"', '`': '`', '[': ']' };

function skipToken(sql: string, i: number, c: string): number {
  const close = CLOSING_QUOTE[c];
  if (close === undefined) return i + 1;
  let end = sql.indexOf(close, i + 1);
  // A doubled quote inside a string or quoted name is an escaped quote ([...] has none).
  while (end !== -1 && c !== '[' && sql[end + 1] === close) end = sql.indexOf(close, end + 2);
  return end === -1 ? sql.length : end + 1;
}

function multipleStatements(): TenantMcpError {
  return new TenantMcpError(
    'QUERY_MULTIPLE_STATEMENTS',
    'only one statement is allowed per query',
    {
      hint: 'Send each statement as its own query.',
    },
  );
}

/** Compiles exactly one statement; SQLite errors become QUERY_FAILED. */
export function prepareStatement(
  db: BetterSqlite3.Database,
  sql: string,
  redact: readonly string[] = [],
): BetterSqlite3.Statement {
  try {
    return db.prepare(sql);
  } catch (error) {
    if (error instanceof RangeError && /more than one statement/.test(error.message)) {
      throw multipleStatements();
    }
    if (error instanceof RangeError && /no statements/.test(error.message)) {
      throw new TenantMcpError('QUERY_INVALID', 'sql contains no statement', { cause: error });
    }
    throw queryFailure(error, redact);
  }
}

/** Requires SQLite to report that the statement returns rows and writes nothing. */
export function requireReadOnlyStatement(stmt: BetterSqlite3.Statement): void {
  if (stmt.reader && stmt.readonly) return;
  throw new TenantMcpError(
    'QUERY_NOT_READ_ONLY',
    'the statement would change data or connection state; only reads are allowed',
    { hint: 'Write one read-only statement that starts with SELECT, WITH or VALUES.' },
  );
}

/** Runs every layer of the gate and returns the prepared, read-only statement. */
export function gateStatement(
  db: BetterSqlite3.Database,
  sql: unknown,
  redact: readonly string[] = [],
): BetterSqlite3.Statement {
  checkQueryText(sql);
  requireReadKeyword(sql);
  requireNoPathSources(sql);
  requireSingleStatement(sql);
  const stmt = prepareStatement(db, sql, redact);
  requireReadOnlyStatement(stmt);
  return stmt;
}
