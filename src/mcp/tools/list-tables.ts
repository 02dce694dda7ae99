import { z } from 'zod';
import {
  LISTED_TABLES_CAP,
  listTables,
  ROW_COUNT_CAP,
  type Listing,
  type TableSummary,
} from '../../schema/introspect.js';
import { rowsNote } from '../../schema/overview.js';
import type { TenantTool } from '../tool.js';

const TableSummaryShape = z.object({
  name: z.string(),
  kind: z.enum(['table', 'view', 'virtual']),
  group: z.enum(['platform', 'pm']),
  rowCount: z.number().int().nullable(),
  rowCountIsLowerBound: z.boolean().optional(),
});

const output = {
  tables: z.array(TableSummaryShape),
  truncated: z.boolean().optional().describe('Set when the tenant has more tables than listed'),
  tableCount: z.number().int().optional().describe('All tables and views, when truncated'),
  note: z.string().optional().describe('How to reach the tables not listed, when truncated'),
};

type ListTablesResult = {
  tables: TableSummary[];
  truncated?: boolean;
  tableCount?: number;
  note?: string;
};

/**
 * list_tables: the tenant file's tables and views with group and row count, at most
 * `LISTED_TABLES_CAP` of them.
 */
export const listTablesTool: TenantTool<Record<string, never>, typeof output> = {
  name: 'list_tables',
  title: 'List tables',
  description:
    `Tables and views of this tenant, pm_ (projects, work items) first; at most ${LISTED_TABLES_CAP} ` +
    `(truncated if more). Rows counted up to ${ROW_COUNT_CAP} (rowCountIsLowerBound if more); ` +
    'for exact counts use the query tool.',
  input: {},
  output,
  run: async (ctx) => listResult(listTables(ctx.db)),
  text: listText,
};

function listResult(listing: Listing<TableSummary>): ListTablesResult {
  const { tables, total } = listing;
  if (tables.length === total) return { tables };
  const note =
    `${tables.length} of ${total} tables and views listed, pm_ tables first. Call ` +
    'describe_table with any other name, or run SELECT name, type FROM sqlite_schema ' +
    "WHERE type IN ('table', 'view') with the query tool for every name.";
  return { tables, truncated: true, tableCount: total, note };
}

function listText({ tables, note }: ListTablesResult): string {
  const lines = tables.map((t) => `${t.name} (${t.kind}, ${t.group}${rowsNote(t)})`);
  if (tables.some((t) => t.rowCountIsLowerBound)) lines.push(CAPPED_LINE);
  if (note) lines.push(`(${note})`);
  return lines.join('\n');
}

/** Said once under a list in which some table was counted only up to the cap. */
export const CAPPED_LINE =
  '(N+ rows: at least N; SELECT count(*) with the query tool counts exactly)';
