import { z } from 'zod';
import { listTables, ROW_COUNT_CAP, type TableSummary } from '../../schema/introspect.js';
import { rowsNote } from '../../schema/overview.js';
import type { TenantTool } from '../tool.js';

const TableSummaryShape = z.object({
  name: z.string(),
  kind: z.enum(['table', 'view', 'virtual']),
  group: z.enum(['platform', 'pm']),
  rowCount: z.number().int().nullable(),
  rowCountIsLowerBound: z.boolean().optional(),
});

const output = { tables: z.array(TableSummaryShape) };

/** list_tables: every table and view of the tenant file with its group and row count. */
export const listTablesTool: TenantTool<Record<string, never>, typeof output> = {
  name: 'list_tables',
  title: 'List tables',
  description:
    "Tables and views in this tenant's database: pm_ tables hold projects and work items, the " +
    `others the coaching platform. Rows are counted up to ${ROW_COUNT_CAP} ` +
    '(rowCountIsLowerBound if more); for exact counts use the query tool.',
  input: {},
  output,
  run: async (ctx) => ({ tables: listTables(ctx.db) }),
  text: listText,
};

function listText({ tables }: { tables: TableSummary[] }): string {
  const lines = tables.map((t) => `${t.name} (${t.kind}, ${t.group}${rowsNote(t)})`);
  if (tables.some((t) => t.rowCountIsLowerBound)) lines.push(CAPPED_LINE);
  return lines.join('\n');
}

/** Said once under a list in which some table was counted only up to the cap. */
export const CAPPED_LINE =
  '(N+ rows: at least N; SELECT count(*) with the query tool counts exactly)';
