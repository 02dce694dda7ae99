import { prepared, type Connection } from '../db/open.js';

/** The kinds of guidance rows pm_llm_context holds. */
export const GUIDANCE_TYPES = [
  'instruction',
  'business_rule',
  'schema_doc',
  'query_pattern',
  'example',
] as const;

/** One live pm_llm_context row. */
export interface GuidanceRow {
  type: string;
  category: string | null;
  title: string;
  content: string;
  exampleSql: string | null;
  exampleDescription: string | null;
  priority: number;
}

const MAX_ROWS = 500;

const TYPE_TITLES: Record<string, string> = {
  instruction: 'Instructions',
  business_rule: 'Business rules',
  schema_doc: 'Schema notes',
  query_pattern: 'Query patterns',
  example: 'Examples',
};

/** True when the tenant file has a pm_llm_context table (an older or foreign file may not). */
export function hasGuidance(db: Connection): boolean {
  return (
    prepared(
      db,
      `SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'pm_llm_context'`,
    ).get() !== undefined
  );
}

/** Live guidance, highest priority first, optionally of one type; none without the table. */
export function readGuidance(db: Connection, type?: string): GuidanceRow[] {
  if (!hasGuidance(db)) return [];
  return prepared(
    db,
    `SELECT context_type AS type, category, title, content, example_sql AS exampleSql,
         example_description AS exampleDescription, priority
       FROM pm_llm_context
       WHERE deleted_at IS NULL AND (:type IS NULL OR context_type = :type)
       ORDER BY priority DESC, title, id LIMIT :limit`,
  ).all({ type: type ?? null, limit: MAX_ROWS }) as GuidanceRow[];
}

/** The types that have live rows, the highest-priority type first. */
export function guidanceTypes(db: Connection): string[] {
  return [...new Set(readGuidance(db).map((r) => r.type))];
}

/** Guidance as Markdown: one section per type, types ordered by their highest priority. */
export function guidanceMarkdown(rows: readonly GuidanceRow[], heading: string): string {
  if (rows.length === 0) return `# ${heading}\n\nThis tenant has no guidance rows.\n`;
  const lines = [`# ${heading}`];
  let type: string | undefined;
  for (const row of groupByType(rows)) {
    if (row.type !== type) {
      type = row.type;
      lines.push('', `## ${TYPE_TITLES[type] ?? type}`);
    }
    lines.push('', ...rowMarkdown(row));
  }
  return `${lines.join('\n')}\n`;
}

// Rows arrive by priority; a group's place is that of its first (highest) row.
function groupByType(rows: readonly GuidanceRow[]): GuidanceRow[] {
  const groups = new Map<string, GuidanceRow[]>();
  for (const row of rows) {
    const group = groups.get(row.type);
    if (group) group.push(row);
    else groups.set(row.type, [row]);
  }
  return [...groups.values()].flat();
}

function rowMarkdown(row: GuidanceRow): string[] {
  const lines = [`### ${row.title}`, '', row.content];
  if (row.exampleSql) {
    if (row.exampleDescription) lines.push('', row.exampleDescription);
    lines.push('', '```sql', row.exampleSql, '```');
  }
  return lines;
}
