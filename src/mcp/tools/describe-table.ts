import { z } from 'zod';
import {
  describeTable,
  INDEXES_PER_TABLE_CAP,
  ROW_COUNT_CAP,
  type TableDetail,
} from '../../schema/introspect.js';
import { INDEXES_CUT_NOTE, rowsNote } from '../../schema/overview.js';
import type { TenantTool } from '../tool.js';
import { CAPPED_LINE } from './list-tables.js';

const input = {
  table: z.string().min(1).max(256).describe('Exact table or view name from list_tables'),
};

const output = {
  name: z.string(),
  kind: z.enum(['table', 'view', 'virtual']),
  group: z.enum(['platform', 'pm']),
  rowCount: z.number().int().nullable(),
  rowCountIsLowerBound: z.boolean().optional(),
  columns: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      notNull: z.boolean(),
      defaultValue: z.string().nullable(),
      primaryKey: z.number().int(),
      generated: z.boolean(),
    }),
  ),
  foreignKeys: z.array(
    z.object({
      columns: z.array(z.string()),
      table: z.string(),
      to: z.array(z.string()),
      onDelete: z.string(),
      onUpdate: z.string(),
    }),
  ),
  indexes: z.array(
    z.object({
      name: z.string(),
      unique: z.boolean(),
      partial: z.boolean(),
      columns: z.array(z.string()),
    }),
  ),
  indexesTruncated: z
    .boolean()
    .optional()
    .describe(`Set when the table has more than ${INDEXES_PER_TABLE_CAP} indexes`),
  sql: z.string().nullable(),
};

/** describe_table: columns, keys, foreign keys and indexes of one table or view. */
export const describeTableTool: TenantTool<typeof input, typeof output> = {
  name: 'describe_table',
  title: 'Describe a table',
  description:
    'Columns with types, primary and foreign keys, and indexes of one table or view. Rows are ' +
    `counted up to ${ROW_COUNT_CAP} (rowCountIsLowerBound if more); for exact counts use the query tool.`,
  input,
  output,
  run: async (ctx, { table }) => describeTable(ctx.db, table),
  text: describeText,
};

function describeText(t: TableDetail): string {
  const lines = [`${t.name} (${t.kind}, ${t.group}${rowsNote(t)})`];
  for (const c of t.columns) {
    const flags = [
      c.primaryKey ? 'PK' : '',
      c.notNull ? 'NOT NULL' : '',
      c.generated ? 'GENERATED' : '',
    ]
      .filter(Boolean)
      .join(' ');
    lines.push(`  ${c.name} ${c.type || 'ANY'}${flags ? ` ${flags}` : ''}`);
  }
  for (const fk of t.foreignKeys) {
    lines.push(`  FK (${fk.columns.join(', ')}) -> ${fk.table}(${fk.to.join(', ')})`);
  }
  for (const i of t.indexes) {
    lines.push(`  INDEX ${i.name}${i.unique ? ' UNIQUE' : ''} (${i.columns.join(', ')})`);
  }
  if (t.indexesTruncated) lines.push(`  ${INDEXES_CUT_NOTE.slice(2)}`);
  if (t.rowCountIsLowerBound) lines.push(CAPPED_LINE);
  return lines.join('\n');
}
