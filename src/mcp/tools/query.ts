import { z } from 'zod';
import type { Cell, Column, Truncation } from '../../query/encode.js';
import { MAX_SQL_CHARS } from '../../query/gate.js';
import { QueryResultShape } from '../../query/result-schema.js';
import type { QueryResult } from '../../query/run.js';
import type { TenantTool } from '../tool.js';

// JSON values a model may bind; {"$int": "…"} carries integers beyond 2^53 exactly.
const ParamValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.object({ $int: z.string().regex(/^-?\d{1,20}$/) }),
]);

const input = {
  sql: z.string().min(1).max(MAX_SQL_CHARS).describe('One SELECT, WITH or VALUES statement'),
  params: z
    .union([z.array(ParamValue).max(1_000), z.record(z.string().max(64), ParamValue)])
    .optional()
    .describe('Values bound by SQLite: an array for ?, an object for :name'),
  maxRows: z.number().int().min(1).optional().describe('Row cap (server maximum applies)'),
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Time limit in ms, kept within the server minimum and maximum'),
};

const output = QueryResultShape;

/** query: one read-only statement, bounded in rows, bytes and time, values exact. */
export const queryTool: TenantTool<typeof input, typeof output> = {
  name: 'query',
  title: 'Run a read-only SQL query',
  description:
    'Runs one read-only SQLite SELECT/WITH/VALUES with bound params. Rows are arrays in column ' +
    'order. Integers beyond 2^53 come as {"$int"}, BLOBs as {"$blob"}, long text as {"$text"}.',
  input,
  output,
  run: async (ctx, args, signal) => ctx.queries.run(args, signal),
  text: resultText,
};

/**
 * A compact pipe-separated table; cheaper for a model than the JSON copy. Built by appending
 * to one string: it runs on every result, up to thousands of rows, on the server's only thread.
 */
function resultText(result: QueryResult): string {
  let text = result.columns.map((c: Column) => c.name).join(' | ');
  for (const row of result.rows) {
    let separator = '\n';
    for (const cell of row) {
      text += separator + cellText(cell);
      separator = ' | ';
    }
  }
  return `${text}\n(${result.rowCount} rows${truncationNote(result.truncated)})`;
}

function cellText(cell: Cell): string {
  if (cell === null) return 'NULL';
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'string') return cell.includes('\n') ? cell.replaceAll('\n', '\\n') : cell;
  if ('$int' in cell) return cell.$int;
  if ('$real' in cell) return cell.$real;
  if ('$text' in cell) return `${cell.$text.replaceAll('\n', '\\n')}… [${cell.length} chars]`;
  return `<blob ${cell.$blob.bytes} bytes>`;
}

function truncationNote(truncated: Truncation): string {
  if (truncated === null) return '';
  return truncated.reason === 'row_limit'
    ? '; more rows exist: raise maxRows or narrow the query'
    : '; stopped at the size limit: select fewer columns or rows';
}
