import type { Connection } from '../db/open.js';
import { describeTable, listTables, type TableDetail, type TableGroup } from './introspect.js';

const GROUP_TITLES: Record<TableGroup, string> = {
  pm: 'Project-management tables (pm_, owned by tenant-mcp)',
  platform: 'Platform tables (owned by the coaching platform)',
};

/** The tenant's schema as Markdown written for a model: tables by group, columns, keys. */
export function schemaOverviewMarkdown(db: Connection, tenantId: string): string {
  const details = describeAll(db);
  const lines = [`# Schema of tenant ${tenantId}`, ''];
  for (const group of ['pm', 'platform'] as const) {
    lines.push(`## ${GROUP_TITLES[group]}`, '');
    for (const table of details) {
      if (table.group === group) lines.push(...tableMarkdown(table), '');
    }
  }
  return lines.join('\n');
}

/** Every table and view described, leaving out any the host broke (a view that fails). */
export function describeAll(db: Connection): TableDetail[] {
  return listTables(db).flatMap((t) => describeOrSkip(db, t.name) ?? []);
}

/** One table as Markdown: the overview's lines plus the SQL of a view. */
export function tableDetailMarkdown(table: TableDetail): string {
  const lines = tableMarkdown(table, '#');
  if (table.kind === 'view' && table.sql) lines.push('', '```sql', table.sql, '```');
  return lines.join('\n');
}

function describeOrSkip(db: Connection, name: string): TableDetail | undefined {
  try {
    return describeTable(db, name);
  } catch {
    // A host view that no longer compiles must not hide the rest of the schema.
    return undefined;
  }
}

function tableMarkdown(table: TableDetail, heading = '###'): string[] {
  const count = table.rowCount === null ? table.kind : `${table.kind}, ${table.rowCount} rows`;
  const lines = [`${heading} ${table.name} (${count})`];
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
