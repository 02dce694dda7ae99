import type { Connection } from '../db/open.js';
import { describeTable, listTables, type TableDetail, type TableGroup } from './introspect.js';

const GROUP_TITLES: Record<TableGroup, string> = {
  pm: 'Project-management tables (pm_, owned by tenant-mcp)',
  platform: 'Platform tables (owned by the coaching platform)',
};

/** The tenant's schema as Markdown written for a model: tables by group, columns, keys. */
export function schemaOverviewMarkdown(db: Connection, tenantId: string): string {
  const details = listTables(db).map((t) => describeOrSkip(db, t.name));
  const lines = [`# Schema of tenant ${tenantId}`, ''];
  for (const group of ['pm', 'platform'] as const) {
    lines.push(`## ${GROUP_TITLES[group]}`, '');
    for (const table of details) {
      if (table && table.group === group) lines.push(...tableMarkdown(table), '');
    }
  }
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

function tableMarkdown(table: TableDetail): string[] {
  const count = table.rowCount === null ? table.kind : `${table.kind}, ${table.rowCount} rows`;
  const lines = [`### ${table.name} (${count})`];
  for (const c of table.columns) lines.push(`- ${c.name} ${c.type || 'ANY'}${columnFlags(c)}`);
  for (const fk of table.foreignKeys) {
    lines.push(`- FK (${fk.columns.join(', ')}) → ${fk.table}(${fk.to.join(', ')})`);
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
