import { z } from 'zod';
import { runSearch, searchSources, sourcesOf, type SearchResult } from '../../domain/search.js';
import type { QueryRequest } from '../../query/run.js';
import type { TenantContext } from '../context.js';
import type { TenantTool } from '../tool.js';
import { includeDeleted } from './shapes.js';

const PER_TABLE = 10;

const input = {
  text: z
    .string()
    .min(1)
    .max(200)
    // SQLite would cut the text at a NUL and match far more than was asked.
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000]*$/, 'must not contain NUL')
    .describe('Word or phrase; no search syntax (FTS5 tables match whole words)'),
  table: z.string().min(1).max(256).optional().describe('Only this table'),
  limit: z.number().int().min(1).max(100).optional().describe('Most hits (default 20)'),
  includeDeleted,
};

const output = {
  hits: z.array(
    z.object({
      table: z.string(),
      column: z.string(),
      row: z.string(),
      item: z.string().optional(),
      snippet: z.string(),
    }),
  ),
  more: z.boolean(),
  notSearched: z.array(z.string()),
};

type Args = z.infer<z.ZodObject<typeof input>>;

/** search: a word or phrase across the tenant's text, bounded in rows and time. */
export const searchTool: TenantTool<typeof input, typeof output> = {
  name: 'search',
  title: 'Search text',
  description:
    'Find a word or phrase in work items, comments and platform text columns (FTS5 where ' +
    'the tenant has it). Hits give table, column, row key (KEY-N for work items), snippet.',
  input,
  output,
  run: search,
  text: searchText,
};

async function search(ctx: TenantContext, args: Args, signal: AbortSignal): Promise<SearchResult> {
  const all = searchSources(ctx.db, args.includeDeleted ?? false);
  const sources = args.table === undefined ? all : sourcesOf(all, args.table);
  const limit = args.limit ?? 20;
  // A cancelled call stops the statement running in the pool, not only the next one.
  const runner = { run: (request: QueryRequest) => ctx.queries.run(request, signal) };
  return runSearch(runner, sources, {
    text: args.text,
    limit,
    perTable: Math.min(limit, PER_TABLE),
    timeoutMs: ctx.limits.timeoutMs,
  });
}

function searchText(r: SearchResult): string {
  const lines = r.hits.map(
    (h) => `${h.table}.${h.column} ${h.row}${h.item ? ` (${h.item})` : ''}: ${h.snippet}`,
  );
  if (lines.length === 0) lines.push('no hits');
  if (r.notSearched.length) lines.push(`not searched (limit or time): ${r.notSearched.join(', ')}`);
  else if (r.more) lines.push('more hits exist: raise limit or pass table');
  return lines.join('\n');
}
