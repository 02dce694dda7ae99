import { z } from 'zod';
import { listTables, type TableSummary } from '../../schema/introspect.js';
import type { TenantTool } from '../tool.js';

const TableSummaryShape = z.object({
  name: z.string(),
  kind: z.enum(['table', 'view', 'virtual']),
  group: z.enum(['platform', 'pm']),
  rowCount: z.number().int().nullable(),
});

const output = { tables: z.array(TableSummaryShape) };

/** list_tables: every table and view of the tenant file with its group and row count. */
export const listTablesTool: TenantTool<Record<string, never>, typeof output> = {
  name: 'list_tables',
  title: 'List tables',
  description:
    "Tables and views in this tenant's database. pm_ tables hold projects and work items; " +
    'the others belong to the coaching platform.',
  input: {},
  output,
  run: async (ctx) => ({ tables: listTables(ctx.db) }),
  text: ({ tables }) => tables.map(summaryLine).join('\n'),
};

function summaryLine(t: TableSummary): string {
  const rows = t.rowCount === null ? '' : `, ${t.rowCount} rows`;
  return `${t.name} (${t.kind}, ${t.group}${rows})`;
}
