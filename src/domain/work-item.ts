import { prepared, type Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import { parseItemKey } from './keys.js';
import type { PooledReader, SqlParams } from './pooled.js';
import { findProject } from './projects.js';
import {
  actor,
  clip,
  dropNulls,
  holder,
  iso,
  itemLabel,
  live,
  loggedSeconds,
  running,
  type NullsDropped,
} from './sql.js';

/** Another work item as seen from the one asked about. */
export interface ItemRef {
  key: string;
  type: string;
  title: string;
  status: string;
  deleted?: true;
}

/** A child work item, with who holds it and its points when set. */
export interface ChildItem extends ItemRef {
  assignee?: string;
  points?: number;
}

/** A dependency seen from the item: it blocks the other, is blocked by it, or relates to it. */
export interface ItemLink {
  rel: 'blocks' | 'blocked_by' | 'relates_to';
  key: string;
  title: string;
  status: string;
  deleted?: true;
}

/** Everything about one work item a model needs to answer questions about it. */
export interface WorkItemDetail extends NullsDropped<ItemFields> {
  parents: ItemRef[];
  children: ChildItem[];
  childCount: number;
  links: ItemLink[];
  /** Seconds logged by finished entries; running timers are listed apart. */
  logged: number;
  loggedBy: { user: string; seconds: number }[];
  timers: { user: string; since: string }[];
  comments: { at: string; by: string; text: string; deleted?: true }[];
  commentCount: number;
  activity: Activity[];
}

interface ItemFields {
  key: string;
  type: string;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  points: number | null;
  project: string;
  projectTitle: string;
  assignee: string | null;
  sprint: string | null;
  created: string;
  updated: string;
  deleted: string | null;
}

/** One line of an item's history. */
export interface Activity {
  at: string;
  by: string;
  action: string;
  field?: string;
  from?: string;
  to?: string;
  note?: string;
}

/** How much of an item's history to include. */
export interface WorkItemOptions {
  comments: number;
  activity: number;
  includeDeleted: boolean;
}

const MAX_CHILDREN = 100;
const MAX_LINKS = 100;
const MAX_TIMERS = 50;
const MAX_PEOPLE = 100;
const MAX_TEXT = 2000;
const MAX_NOTE = 200;
const MAX_DEPTH = 10;

/**
 * A work item by `KEY-N` with its parent chain, children, links, time, comments, history.
 * The item and its parents are index lookups, read in process. Each list around it is read
 * in process too while the item has at most IN_PROCESS_ROWS rows of that kind; a list that
 * is longer, or that includes deleted rows (which no index covers), is read in the query
 * pool, so that one item with a huge history cannot stall the server.
 */
export async function workItem(
  db: Connection,
  pool: PooledReader,
  key: string,
  options: WorkItemOptions,
): Promise<WorkItemDetail> {
  const all = options.includeDeleted;
  const item = findItem(db, key, all);
  const read = readers(db, pool, item.id, all);
  const [children, links, time, comments, activity] = await Promise.all([
    childrenOf(read.children, item.id, all),
    linksOf(read.links, item.id, all),
    timeOf(read.time, item.id, all),
    commentsOf(read.comments, item.id, options.comments, all),
    activityOf(read.activity, item.id, options.activity),
  ]);
  return {
    ...dropNulls(describeItem(item)),
    parents: parentsOf(db, item.id, all),
    children: children.rows,
    childCount: children.total,
    links,
    ...time,
    comments: comments.rows,
    commentCount: comments.total,
    activity,
  };
}

/** Reads the rows of one statement, in process or in the query pool. */
type Rows = <T>(sql: string, params: SqlParams, maxRows: number) => Promise<T[]>;

type ListName = 'children' | 'links' | 'time' | 'comments' | 'activity';

/** An item with more rows than this in one list has that list read in the query pool. */
export const IN_PROCESS_ROWS = 1000;

/**
 * Where each list of item `id` is read. One statement counts each list up to just past
 * IN_PROCESS_ROWS, through the indexes of live rows, so it visits a bounded number of them.
 */
function readers(db: Connection, pool: PooledReader, id: string, all: boolean) {
  const upTo = (from: string) => `(SELECT count(*) FROM (SELECT 1 FROM ${from} LIMIT :n))`;
  const sizes = prepared(
    db,
    `SELECT ${upTo('pm_work_items WHERE parent_id = :id AND deleted_at IS NULL')} AS children,
       ${upTo('pm_dependencies WHERE blocked_item_id = :id AND deleted_at IS NULL')}
         + ${upTo('pm_dependencies WHERE blocking_item_id = :id')} AS links,
       ${upTo('pm_time_entries WHERE work_item_id = :id AND deleted_at IS NULL')} AS time,
       ${upTo('pm_comments WHERE work_item_id = :id AND deleted_at IS NULL')} AS comments,
       ${upTo("pm_activity_log WHERE entity_type = 'work_item' AND entity_id = :id")} AS activity`,
  ).get({ id, n: IN_PROCESS_ROWS + 1 }) as Record<ListName, number>;
  const local: Rows = async <T>(sql: string, params: SqlParams) =>
    prepared(db, sql).all(params) as T[];
  // The activity log has no deleted rows; the other lists' indexes cover live rows only.
  const pick = (list: ListName): Rows =>
    sizes[list] <= IN_PROCESS_ROWS && (!all || list === 'activity') ? local : pool.all;
  return {
    children: pick('children'),
    links: pick('links'),
    time: pick('time'),
    comments: pick('comments'),
    activity: pick('activity'),
  };
}

interface ItemRow {
  id: string;
  item_type: string;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  story_points: number | null;
  label: string;
  project: string;
  project_title: string;
  assignee: string | null;
  sprint: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

function findItem(db: Connection, key: string, all: boolean): ItemRow {
  const parsed = parseItemKey(key);
  const project = findProject(db, parsed.project, all);
  const row = prepared(
    db,
    `SELECT w.id, w.item_type, w.title, w.description, w.status, w.priority, w.story_points,
         ${itemLabel('p', 'w')} AS label, p.key AS project, p.title AS project_title,
         ${holder('u', 'w.assignee_id')} AS assignee, s.name AS sprint,
         w.created_at, w.updated_at, w.deleted_at
       FROM pm_work_items AS w JOIN pm_projects AS p ON p.id = w.project_id
       LEFT JOIN users AS u ON u.id = w.assignee_id
       LEFT JOIN pm_sprints AS s ON s.id = w.sprint_id ${live('s', all)}
       WHERE w.project_id = :project AND w.item_number = :number ${live('w', all)}`,
  ).get({ project: project.id, number: parsed.number }) as ItemRow | undefined;
  if (row) return row;
  throw new TenantMcpError('WORK_ITEM_NOT_FOUND', `project ${project.key} has no such item`, {
    hint: 'use search to find an item by words in its title',
  });
}

function describeItem(row: ItemRow): ItemFields {
  return {
    key: row.label,
    type: row.item_type,
    title: row.title,
    description: row.description === null ? null : clip(row.description, MAX_TEXT),
    status: row.status,
    priority: row.priority,
    points: row.story_points,
    project: row.project,
    projectTitle: row.project_title,
    assignee: row.assignee,
    sprint: row.sprint,
    created: iso(row.created_at),
    updated: iso(row.updated_at),
    deleted: row.deleted_at === null ? null : iso(row.deleted_at),
  };
}

interface RefRow {
  key: string;
  type: string;
  title: string;
  status: string;
  deleted_at: number | null;
}

const REF_COLUMNS = `${itemLabel('p', 'w')} AS key, w.item_type AS type, w.title, w.status,
  w.deleted_at`;

function toRef({ deleted_at, ...ref }: RefRow): ItemRef {
  return deleted_at === null ? ref : { ...ref, deleted: true };
}

function parentsOf(db: Connection, id: string, all: boolean): ItemRef[] {
  // The chain follows parent_id upwards; the depth cap also stops a cycle in bad data.
  const rows = prepared(
    db,
    `WITH RECURSIVE chain (id, depth) AS (
         SELECT w.id, 1 FROM pm_work_items AS c JOIN pm_work_items AS w ON w.id = c.parent_id
         WHERE c.id = :id ${live('w', all)}
         UNION ALL
         SELECT w.id, chain.depth + 1 FROM chain
         JOIN pm_work_items AS c ON c.id = chain.id
         JOIN pm_work_items AS w ON w.id = c.parent_id
         WHERE chain.depth < :depth ${live('w', all)}
       )
       SELECT ${REF_COLUMNS} FROM chain
       JOIN pm_work_items AS w ON w.id = chain.id JOIN pm_projects AS p ON p.id = w.project_id
       ORDER BY chain.depth`,
  ).all({ id, depth: MAX_DEPTH }) as RefRow[];
  return rows.map(toRef);
}

type ChildRow = RefRow & { assignee: string | null; points: number | null; total: number };

async function childrenOf(rows: Rows, id: string, all: boolean) {
  const found = await rows<ChildRow>(
    `SELECT ${REF_COLUMNS}, ${holder('u', 'w.assignee_id')} AS assignee, w.story_points AS points,
         count(*) OVER () AS total
       FROM pm_work_items AS w JOIN pm_projects AS p ON p.id = w.project_id
       LEFT JOIN users AS u ON u.id = w.assignee_id
       WHERE w.parent_id = :id ${live('w', all)}
       ORDER BY w.position, w.item_number LIMIT :limit`,
    { id, limit: MAX_CHILDREN },
    MAX_CHILDREN,
  );
  const children = found.map(({ total: _total, assignee, points, ...ref }) => ({
    ...toRef(ref),
    ...dropNulls({ assignee, points }),
  }));
  return { rows: children, total: found[0]?.total ?? 0 };
}

async function linksOf(rows: Rows, id: string, all: boolean): Promise<ItemLink[]> {
  const side = (mine: string, other: string, rel: string) =>
    `SELECT CASE d.dependency_type WHEN 'relates_to' THEN 'relates_to' ELSE '${rel}' END AS rel,
       ${itemLabel('p', 'w')} AS key, w.title, w.status, w.deleted_at,
       p.key AS pk, w.item_number AS n
     FROM pm_dependencies AS d JOIN pm_work_items AS w ON w.id = d.${other}
     JOIN pm_projects AS p ON p.id = w.project_id
     WHERE d.${mine} = :id ${live('d', all)} ${live('w', all)} ${live('p', all)}`;
  const found = await rows<Omit<RefRow, 'type'> & { rel: ItemLink['rel']; pk: string; n: number }>(
    `${side('blocked_item_id', 'blocking_item_id', 'blocked_by')}
       UNION ALL ${side('blocking_item_id', 'blocked_item_id', 'blocks')}
       ORDER BY rel, pk, n LIMIT :limit`,
    { id, limit: MAX_LINKS },
    MAX_LINKS,
  );
  return found.map(({ rel, key, title, status, deleted_at }) => ({
    rel,
    key,
    title,
    status,
    ...(deleted_at === null ? {} : { deleted: true as const }),
  }));
}

async function timeOf(rows: Rows, id: string, all: boolean) {
  // The total is summed over everyone, also those past the list's cap.
  const [loggedBy, timers] = await Promise.all([
    rows<{ user: string; seconds: number; total: number }>(
      `SELECT ${actor('u')} AS user, SUM(${loggedSeconds('t')}) AS seconds,
           SUM(SUM(${loggedSeconds('t')})) OVER () AS total
         FROM pm_time_entries AS t LEFT JOIN users AS u ON u.id = t.user_id
         WHERE t.work_item_id = :id AND NOT ${running('t')} ${live('t', all)}
         GROUP BY t.user_id ORDER BY seconds DESC, user LIMIT :limit`,
      { id, limit: MAX_PEOPLE },
      MAX_PEOPLE,
    ),
    rows<{ user: string; started_at: number }>(
      `SELECT ${actor('u')} AS user, t.started_at FROM pm_time_entries AS t
         LEFT JOIN users AS u ON u.id = t.user_id
         WHERE t.work_item_id = :id AND ${running('t')} ${live('t', all)}
         ORDER BY t.started_at LIMIT :limit`,
      { id, limit: MAX_TIMERS },
      MAX_TIMERS,
    ),
  ]);
  return {
    logged: loggedBy[0]?.total ?? 0,
    loggedBy: loggedBy.map(({ user, seconds }) => ({ user, seconds })),
    timers: timers.map((t) => ({ user: t.user, since: iso(t.started_at) })),
  };
}

interface CommentRow {
  created_at: number;
  who: string;
  content: string;
  deleted_at: number | null;
  total: number;
}

async function commentsOf(rows: Rows, id: string, limit: number, all: boolean) {
  const found = await rows<CommentRow>(
    `SELECT c.created_at, ${actor('u')} AS who, c.content, c.deleted_at,
         count(*) OVER () AS total
       FROM pm_comments AS c LEFT JOIN users AS u ON u.id = c.created_by
       WHERE c.work_item_id = :id ${live('c', all)}
       ORDER BY c.created_at DESC, c.id LIMIT :limit`,
    { id, limit },
    Math.max(limit, 1),
  );
  return {
    rows: found.map((r) => ({
      at: iso(r.created_at),
      by: r.who,
      text: clip(r.content, MAX_TEXT),
      ...(r.deleted_at === null ? {} : { deleted: true as const }),
    })),
    total: found[0]?.total ?? (limit === 0 ? await countComments(rows, id, all) : 0),
  };
}

// With a limit of 0 no row carries the window count, so the total is asked for on its own.
async function countComments(rows: Rows, id: string, all: boolean): Promise<number> {
  const [row] = await rows<{ n: number }>(
    `SELECT count(*) AS n FROM pm_comments AS c WHERE c.work_item_id = :id ${live('c', all)}`,
    { id },
    1,
  );
  return row?.n ?? 0;
}

interface ActivityRow {
  timestamp: number;
  who: string;
  action: string;
  field_name: string | null;
  old_value: string | null;
  new_value: string | null;
  comment: string | null;
}

async function activityOf(rows: Rows, id: string, limit: number): Promise<Activity[]> {
  const found = await rows<ActivityRow>(
    `SELECT a.timestamp, ${actor('u')} AS who, a.action, a.field_name, a.old_value,
         a.new_value, a.comment
       FROM pm_activity_log AS a LEFT JOIN users AS u ON u.id = a.user_id
       WHERE a.entity_type = 'work_item' AND a.entity_id = :id
       ORDER BY a.timestamp DESC, a.rowid DESC LIMIT :limit`,
    { id, limit },
    Math.max(limit, 1),
  );
  return found.map(toActivity);
}

function toActivity(r: ActivityRow): Activity {
  const note = (value: string | null) => (value === null ? null : clip(String(value), MAX_NOTE));
  return {
    at: iso(r.timestamp),
    by: r.who,
    action: r.action,
    ...dropNulls({
      field: r.field_name,
      from: note(r.old_value),
      to: note(r.new_value),
      note: note(r.comment),
    }),
  };
}
