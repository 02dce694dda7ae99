import { quoteIdentifier, type Connection, prepared } from '../db/open.js';
import { TenantMcpError, hasCode } from '../errors.js';
import type { Cell } from '../query/encode.js';
import type { QueryRunner } from '../query/run.js';
import { columnsOf, listTableNames, type TableRef } from '../schema/introspect.js';
import { itemLabel, live } from './sql.js';

/** One place a word or phrase was found. */
export interface SearchHit {
  table: string;
  column: string;
  /** The row's key as `column=value` pairs, or KEY-N for a work item. */
  row: string;
  /** The work item a comment belongs to. */
  item?: string;
  snippet: string;
}

/** Hits in source order; `more` when a limit cut the list, `notSearched` what was left out. */
export interface SearchResult {
  hits: SearchHit[];
  more: boolean;
  notSearched: string[];
}

/** One table (or FTS index) and the statement that finds hits in it. */
export interface SearchSource {
  /** The table hits are reported in; `names` also holds an FTS table's own name. */
  table: string;
  names: string[];
  sql: string;
  params: readonly ('q' | 'pat' | 'fts')[];
  hit(row: readonly Cell[]): SearchHit;
}

/** Limits of one search. */
export interface SearchOptions {
  text: string;
  limit: number;
  perTable: number;
  /** The whole search's time budget, shared by its statements. */
  timeoutMs: number;
}

const BEFORE = 40;
const SNIPPET = 160;
// Text affinity by SQLite's own rule for declared types.
const TEXT_TYPE = /CHAR|CLOB|TEXT/i;
// Key columns hold identifiers, not prose worth searching.
const ID_COLUMN = /(^|_)id$/i;

/**
 * The places to search, most useful first: work items, comments, FTS5 indexes, then the
 * text columns of every other platform table (columns an FTS5 index covers are left to it).
 */
export function searchSources(db: Connection, includeDeleted: boolean): SearchSource[] {
  const tables = listTableNames(db);
  const names = new Set(tables.map((t) => t.name));
  const fts = tables.flatMap((t) => ftsSource(db, t, names) ?? []);
  const covered = new Map(fts.map((f) => [f.source.table, f.columns]));
  const platform = tables
    .filter((t) => t.group === 'platform' && t.kind === 'table')
    .flatMap((t) => likeSource(db, t.name, covered.get(t.name) ?? []) ?? []);
  return [...pmSources(names, includeDeleted), ...fts.map((f) => f.source), ...platform];
}

/** Only the sources of one table; an unknown or textless table is TABLE_NOT_FOUND. */
export function sourcesOf(sources: SearchSource[], table: string): SearchSource[] {
  const found = sources.filter((s) => s.names.includes(table));
  if (found.length > 0) return found;
  throw new TenantMcpError('TABLE_NOT_FOUND', 'no searchable table of this name', {
    hint: 'leave table out to search everywhere',
  });
}

/** Runs the sources in order until the limit or the time budget is used up. */
export async function runSearch(
  runner: QueryRunner,
  sources: readonly SearchSource[],
  options: SearchOptions,
): Promise<SearchResult> {
  const deadline = Date.now() + options.timeoutMs;
  const params = searchParams(options.text);
  const result: SearchResult = { hits: [], more: false, notSearched: [] };
  for (const source of sources) {
    const room = Math.min(options.limit - result.hits.length, options.perTable);
    const left = deadline - Date.now();
    const found = room > 0 && left > 0 ? await runSource(runner, source, params, room, left) : null;
    if (found === null) {
      result.notSearched.push(source.table);
      continue;
    }
    result.hits.push(...found);
    if (found.length === room) result.more = true;
  }
  if (result.notSearched.length > 0) result.more = true;
  return result;
}

/** The bound values: raw text, an escaped LIKE pattern and an FTS5 string literal. */
export function searchParams(text: string): Record<'q' | 'pat' | 'fts', string> {
  const pat = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  // Inside an FTS5 string only a doubled quote is special, so no query syntax can get in.
  const fts = `"${text.replaceAll('"', '""')}"`;
  return { q: text, pat, fts };
}

async function runSource(
  runner: QueryRunner,
  source: SearchSource,
  params: Record<'q' | 'pat' | 'fts', string>,
  n: number,
  left: number,
): Promise<SearchHit[] | null> {
  const bound: Record<string, string | number> = { n };
  for (const name of source.params) bound[name] = params[name];
  try {
    const result = await runner.run({
      sql: source.sql,
      params: bound,
      maxRows: n,
      timeoutMs: Math.max(1, Math.floor(left)),
    });
    return result.rows.map((row) => source.hit(row));
  } catch (error) {
    // A slow table or a broken host index costs its own hits, not the whole search.
    if (hasCode(error, 'QUERY_TIMEOUT') || hasCode(error, 'QUERY_FAILED')) return null;
    throw error;
  }
}

function pmSources(names: Set<string>, includeDeleted: boolean): SearchSource[] {
  const sources: SearchSource[] = [];
  const hasItems = names.has('pm_work_items') && names.has('pm_projects');
  if (hasItems) sources.push(workItemSource(includeDeleted));
  if (hasItems && names.has('pm_comments')) sources.push(commentSource(includeDeleted));
  return sources;
}

function workItemSource(all: boolean): SearchSource {
  const columns = ['title', 'description'];
  const sql = likeSql({
    keys: [itemLabel('p', 'w')],
    columns: columns.map((c) => `w.${c}`),
    from: 'pm_work_items AS w JOIN pm_projects AS p ON p.id = w.project_id',
    where: `${live('w', all)} ${live('p', all)}`,
    order: 'ORDER BY w.updated_at DESC',
  });
  return {
    table: 'pm_work_items',
    names: ['pm_work_items'],
    sql,
    params: ['q', 'pat'],
    hit: (row) => ({
      table: 'pm_work_items',
      column: columns[Number(row[1])] ?? '',
      row: text(row[0]),
      snippet: snippet(row[2]),
    }),
  };
}

function commentSource(all: boolean): SearchSource {
  const sql = likeSql({
    keys: ['c.id', itemLabel('p', 'w')],
    columns: ['c.content'],
    from: `pm_comments AS c JOIN pm_work_items AS w ON w.id = c.work_item_id
      JOIN pm_projects AS p ON p.id = w.project_id`,
    where: `${live('c', all)} ${live('w', all)} ${live('p', all)}`,
    order: 'ORDER BY c.created_at DESC',
  });
  return {
    table: 'pm_comments',
    names: ['pm_comments'],
    sql,
    params: ['q', 'pat'],
    hit: (row) => ({
      table: 'pm_comments',
      column: 'content',
      row: `id=${text(row[0])}`,
      item: text(row[1]),
      snippet: snippet(row[3]),
    }),
  };
}

interface LikeSpec {
  keys: string[];
  columns: string[];
  from: string;
  where: string;
  order?: string;
}

/**
 * A bounded LIKE scan: rows whose columns contain :pat, each with its key expressions
 * (k0, k1 …), the index of the first matching column and a snippet around the match.
 */
function likeSql(spec: LikeSpec): string {
  const tests = spec.columns.map((c) => `${c} LIKE :pat ESCAPE '\\'`);
  const which = tests.map((t, i) => `WHEN ${t} THEN ${i}`).join(' ');
  const value = tests.map((t, i) => `WHEN ${t} THEN ${spec.columns[i]}`).join(' ');
  const keys = spec.keys.map((k, i) => `${k} AS k${i}`).join(', ');
  const outer = spec.keys.map((_, i) => `k${i}`).join(', ');
  return `SELECT ${outer}, c, substr(v, max(1, instr(lower(v), lower(:q)) - ${BEFORE}), ${SNIPPET})
    FROM (SELECT ${keys}, CASE ${which} END AS c, CASE ${value} END AS v
      FROM ${spec.from} WHERE (${tests.join(' OR ')}) ${spec.where} ${spec.order ?? ''}
      LIMIT :n)`;
}

function likeSource(db: Connection, table: string, covered: string[]): SearchSource | undefined {
  const columns = columnsOf(db, table);
  const keys = columns.filter((c) => c.primaryKey > 0).sort((a, b) => a.primaryKey - b.primaryKey);
  const searched = columns
    .filter((c) => TEXT_TYPE.test(c.type) && !ID_COLUMN.test(c.name))
    .filter((c) => !covered.includes(c.name))
    .map((c) => c.name);
  if (searched.length === 0) return undefined;
  // Names come from the schema and are quoted; a table without a declared key uses rowid.
  const keyNames = keys.length > 0 ? keys.map((k) => k.name) : ['rowid'];
  const sql = likeSql({
    keys: keys.length > 0 ? keyNames.map(quoteIdentifier) : ['rowid'],
    columns: searched.map(quoteIdentifier),
    from: `main.${quoteIdentifier(table)}`,
    where: '',
  });
  return {
    table,
    names: [table],
    sql,
    params: ['q', 'pat'],
    hit: (row) => ({
      table,
      column: searched[Number(row[keyNames.length])] ?? '',
      row: keyNames.map((k, i) => `${k}=${text(row[i])}`).join(', '),
      snippet: snippet(row[keyNames.length + 1]),
    }),
  };
}

interface FtsPlan {
  source: SearchSource;
  /** Columns of the content table this index covers. */
  columns: string[];
}

function ftsSource(db: Connection, t: TableRef, names: Set<string>): FtsPlan | undefined {
  if (t.kind !== 'virtual') return undefined;
  const sql = prepared(db, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`)
    .pluck()
    .get(t.name) as string | null | undefined;
  if (!sql || !/\bUSING\s+fts5\s*\(/i.test(sql)) return undefined;
  const columns = columnsOf(db, t.name).map((c) => c.name);
  if (columns.length === 0) return undefined;
  const options = ftsOptions(sql);
  const external = options.content !== undefined && names.has(options.content);
  const table = external ? (options.content as string) : t.name;
  const rowKey = external ? (options.rowid ?? 'rowid') : 'rowid';
  return {
    source: {
      table,
      names: [...new Set([table, t.name])],
      sql: ftsSql(t.name, columns.length),
      params: ['fts'],
      hit: (row) => ({
        table,
        column: columns[Number(row[2])] ?? '',
        row: `${rowKey}=${text(row[0])}`,
        snippet: snippet(row[1]),
      }),
    },
    columns: external ? columns : [],
  };
}

function ftsSql(name: string, columnCount: number): string {
  const t = quoteIdentifier(name);
  // highlight() marks matches per column; the first column with a mark is where the hit is.
  const which =
    columnCount === 1
      ? '0'
      : `CASE ${Array.from(
          { length: columnCount },
          (_, i) => `WHEN instr(highlight(${t}, ${i}, char(1), char(2)), char(1)) > 0 THEN ${i}`,
        ).join(' ')} ELSE 0 END`;
  return `SELECT rowid, snippet(${t}, -1, '', '', '…', 24), ${which}
    FROM main.${t} WHERE ${t} MATCH :fts ORDER BY rank LIMIT :n`;
}

/** The `content` and `content_rowid` options of a CREATE VIRTUAL TABLE … USING fts5 (…). */
export function ftsOptions(sql: string): { content?: string; rowid?: string } {
  const value = (name: string): string | undefined => {
    const match = new RegExp(
      `\\b${name}\\s*=\\s*(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_]*))`,
      'i',
    ).exec(sql);
    if (!match) return undefined;
    return match[1]?.replaceAll("''", "'") ?? match[2]?.replaceAll('""', '"') ?? match[3];
  };
  const content = value('content');
  const rowid = value('content_rowid');
  return {
    ...(content ? { content } : {}),
    ...(rowid ? { rowid } : {}),
  };
}

function text(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'object') return String(cell);
  if ('$int' in cell) return cell.$int;
  if ('$text' in cell) return cell.$text;
  if ('$real' in cell) return cell.$real;
  return `<blob ${cell.$blob.bytes} bytes>`;
}

function snippet(cell: Cell | undefined): string {
  return text(cell).replace(/\s+/g, ' ').trim();
}
