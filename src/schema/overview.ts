import type { Connection } from '../db/open.js';
import {
  describeTables,
  ROW_COUNT_CAP,
  type TableDetail,
  type TableGroup,
  type TableSummary,
} from './introspect.js';

const GROUP_TITLES: Record<TableGroup, string> = {
  pm: 'Project-management tables (pm_, owned by tenant-mcp)',
  platform: 'Platform tables (owned by the coaching platform)',
};

const CAPPED_NOTE =
  `Rows are counted up to ${ROW_COUNT_CAP}; "N+ rows" means at least N. ` +
  'For an exact count run SELECT count(*) with the query tool.';

/** The tenant's schema as Markdown written for a model: tables by group, columns, keys. */
export function schemaOverviewMarkdown(db: Connection, tenantId: string): string {
  const details = describeTables(db);
  const lines = [`# Schema of tenant ${tenantId}`, ''];
  if (details.some((t) => t.rowCountIsLowerBound)) lines.push(CAPPED_NOTE, '');
  for (const group of ['pm', 'platform'] as const) {
    lines.push(`## ${GROUP_TITLES[group]}`, '');
    for (const table of details) {
      if (table.group === group) lines.push(...tableMarkdown(table), '');
    }
  }
  return lines.join('\n');
}

/** One table as Markdown: the overview's lines plus the SQL of a view. */
export function tableDetailMarkdown(table: TableDetail): string {
  const lines = tableMarkdown(table, '#');
  if (table.rowCountIsLowerBound) lines.push('', CAPPED_NOTE);
  if (table.kind === 'view' && table.sql) lines.push('', '```sql', table.sql, '```');
  return lines.join('\n');
}

function tableMarkdown(table: TableDetail, heading = '###'): string[] {
  const lines = [`${heading} ${table.name} (${table.kind}${rowsNote(table)})`];
  for (const c of table.columns) lines.push(`- ${c.name} ${c.type || 'ANY'}${columnFlags(c)}`);
  for (const fk of table.foreignKeys) {
    lines.push(`- FK (${fk.columns.join(', ')}) → ${fk.table}(${fk.to.join(', ')})`);
  }
  for (const i of table.indexes) {
    const unique = i.unique ? 'UNIQUE ' : '';
    const partial = i.partial ? ' partial' : '';
    lines.push(`- ${unique}INDEX ${i.name} (${i.columns.join(', ')})${partial}`);
  }
  return lines;
}

function columnFlags(c: TableDetail['columns'][number]): string {
  const flags = [
    c.primaryKey > 0 ? 'PK' : '',
    c.notNull ? 'NOT NULL' : '',
    c.generated ? 'GENERATED' : '',
  ].filter(Boolean);
  return flags.length ? ` (${flags.join(', ')})` : '';
}

/** `, N rows` for a table (`N+` when counting stopped at the cap), nothing for a view. */
export function rowsNote(t: TableSummary): string {
  if (t.rowCount === null) return '';
  return `, ${t.rowCount}${t.rowCountIsLowerBound ? '+' : ''} rows`;
}
