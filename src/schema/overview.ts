import type { Connection } from '../db/open.js';
import {
  describeTables,
  INDEXES_PER_TABLE_CAP,
  ROW_COUNT_CAP,
  type SchemaDescription,
  type TableDetail,
  type TableGroup,
  type TableRef,
  type TableSummary,
} from './introspect.js';

const GROUP_TITLES: Record<TableGroup, string> = {
  pm: 'Project-management tables (pm_, owned by tenant-mcp)',
  platform: 'Platform tables (owned by the coaching platform)',
};

const CAPPED_NOTE =
  `Rows are counted up to ${ROW_COUNT_CAP}; "N+ rows" means at least N. ` +
  'For an exact count run SELECT count(*) with the query tool.';

/**
 * The most bytes of text one schema resource answers with. The whole schema of a tenant of
 * 5,000 tables was 18 MB built in memory per request; beyond this the model is told how to
 * read the rest.
 */
export const MAX_SCHEMA_BYTES = 256 * 1024;

/** Said under a table whose indexes were not all described. */
export const INDEXES_CUT_NOTE =
  `- (only the first ${INDEXES_PER_TABLE_CAP} indexes; ` +
  'SELECT * FROM pragma_index_list(<table>) with the query tool lists all)';

/** The tenant's schema as Markdown written for a model: tables by group, columns, keys. */
export function schemaOverviewMarkdown(
  db: Connection,
  tenantId: string,
  maxBytes = MAX_SCHEMA_BYTES,
): string {
  const schema = describeTables(db);
  const fit = fitted(schema.tables, (t) => tableMarkdown(t).join('\n') + '\n\n', maxBytes);
  const lines = [`# Schema of tenant ${tenantId}`, ''];
  if (fit.kept.some((t) => t.rowCountIsLowerBound)) lines.push(CAPPED_NOTE, '');
  const namedOnly = [...fit.left, ...schema.namedOnly];
  const note = partialNote(schema, fit.kept.length, namedOnly.length);
  if (note) lines.push(note, '');
  for (const group of ['pm', 'platform'] as const) {
    lines.push(`## ${GROUP_TITLES[group]}`, '');
    for (const table of fit.kept) {
      if (table.group === group) lines.push(...tableMarkdown(table), '');
    }
  }
  if (namedOnly.length) lines.push(...namesMarkdown(namedOnly));
  return cutToBytes(lines.join('\n'), maxBytes);
}

/**
 * What a schema resource left out, for the model, or null when it has everything:
 * `described` tables in full, `named` by name only, out of `schema.total`.
 */
export function partialNote(
  schema: Pick<SchemaDescription, 'total'>,
  described: number,
  named: number,
): string | null {
  if (described === schema.total) return null;
  const unlisted = schema.total - described - named;
  const parts = [
    `This tenant has ${schema.total} tables and views; ` +
      `${described} are described here (pm_ tables first)`,
    named ? `${named} more are only named` : '',
    unlisted ? `${unlisted} are not listed` : '',
  ].filter(Boolean);
  return (
    `${parts.join(', ')}. Call describe_table (or read tenant://tables/{name}) for one table; ` +
    "for every name run SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') " +
    'with the query tool.'
  );
}

/**
 * Splits `items` into those whose `size`s fit in `maxBytes` together and those left over.
 * Stops at the first that does not fit, so that what is kept stays in order.
 */
export function fitted<T>(
  items: T[],
  size: (item: T) => string,
  maxBytes: number,
): { kept: T[]; left: T[] } {
  // Half the budget, so that the names of the rest and the notes still fit after it.
  let room = maxBytes / 2;
  const at = items.findIndex((item) => (room -= Buffer.byteLength(size(item))) < 0);
  return at < 0 ? { kept: items, left: [] } : { kept: items.slice(0, at), left: items.slice(at) };
}

function namesMarkdown(tables: TableRef[]): string[] {
  return [
    '## Not described here (names only)',
    '',
    ...tables.map((t) => `- ${t.name} (${t.kind}, ${t.group})`),
    '',
  ];
}

/** `text` cut at a line end to at most `maxBytes` bytes, with a note saying so. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const note =
    `\n\n(Cut at ${maxBytes} bytes: call describe_table for one table, or run ` +
    'SELECT name, type FROM sqlite_schema with the query tool for every name.)';
  const head = Buffer.from(text)
    .subarray(0, maxBytes - Buffer.byteLength(note))
    .toString();
  const end = head.lastIndexOf('\n');
  return (end > 0 ? head.slice(0, end) : '') + note;
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
  if (table.indexesTruncated) lines.push(INDEXES_CUT_NOTE);
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
