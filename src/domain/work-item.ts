import { prepared, type Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import { parseItemKey } from './keys.js';
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
const MAX_TEXT = 2000;
const MAX_NOTE = 200;
const MAX_DEPTH = 10;

/** A work item by `KEY-N` with its parent chain, children, links, time, comments, history. */
export function workItem(db: Connection, key: string, options: WorkItemOptions): WorkItemDetail {
  const all = options.includeDeleted;
  const item = findItem(db, key, all);
  const children = childrenOf(db, item.id, all);
  const comments = commentsOf(db, item.id, options.comments, all);
  return {
    ...dropNulls(describeItem(item)),
    parents: parentsOf(db, item.id, all),
    children: children.rows,
    childCount: children.total,
    links: linksOf(db, item.id, all),
    ...timeOf(db, item.id, all),
    comments: comments.rows,
    commentCount: comments.total,
    activity: activityOf(db, item.id, options.activity),
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

function childrenOf(db: Connection, id: string, all: boolean) {
  const rows = prepared(
    db,
    `SELECT ${REF_COLUMNS}, ${holder('u', 'w.assignee_id')} AS assignee, w.story_points AS points,
         count(*) OVER () AS total
       FROM pm_work_items AS w JOIN pm_projects AS p ON p.id = w.project_id
       LEFT JOIN users AS u ON u.id = w.assignee_id
       WHERE w.parent_id = :id ${live('w', all)}
       ORDER BY w.position, w.item_number LIMIT :limit`,
  ).all({ id, limit: MAX_CHILDREN }) as ChildRow[];
  const children = rows.map(({ total: _total, assignee, points, ...ref }) => ({
    ...toRef(ref),
    ...dropNulls({ assignee, points }),
  }));
  return { rows: children, total: rows[0]?.total ?? 0 };
}

function linksOf(db: Connection, id: string, all: boolean): ItemLink[] {
  const side = (mine: string, other: string, rel: string) =>
    `SELECT CASE d.dependency_type WHEN 'relates_to' THEN 'relates_to' ELSE '${rel}' END AS rel,
       ${itemLabel('p', 'w')} AS key, w.title, w.status, w.deleted_at,
       p.key AS pk, w.item_number AS n
     FROM pm_dependencies AS d JOIN pm_work_items AS w ON w.id = d.${other}
     JOIN pm_projects AS p ON p.id = w.project_id
     WHERE d.${mine} = :id ${live('d', all)} ${live('w', all)} ${live('p', all)}`;
  const rows = prepared(
    db,
    `${side('blocked_item_id', 'blocking_item_id', 'blocked_by')}
       UNION ALL ${side('blocking_item_id', 'blocked_item_id', 'blocks')}
       ORDER BY rel, pk, n LIMIT :limit`,
  ).all({ id, limit: MAX_LINKS }) as (Omit<RefRow, 'type'> & {
    rel: ItemLink['rel'];
    pk: string;
    n: number;
  })[];
  return rows.map(({ rel, key, title, status, deleted_at }) => ({
    rel,
    key,
    title,
    status,
    ...(deleted_at === null ? {} : { deleted: true as const }),
  }));
}

function timeOf(db: Connection, id: string, all: boolean) {
  const loggedBy = prepared(
    db,
    `SELECT ${actor('u')} AS user, SUM(${loggedSeconds('t')}) AS seconds
       FROM pm_time_entries AS t LEFT JOIN users AS u ON u.id = t.user_id
       WHERE t.work_item_id = :id AND NOT ${running('t')} ${live('t', all)}
       GROUP BY t.user_id ORDER BY seconds DESC, user`,
  ).all({ id }) as { user: string; seconds: number }[];
  const timers = prepared(
    db,
    `SELECT ${actor('u')} AS user, t.started_at FROM pm_time_entries AS t
       LEFT JOIN users AS u ON u.id = t.user_id
       WHERE t.work_item_id = :id AND ${running('t')} ${live('t', all)}
       ORDER BY t.started_at LIMIT 50`,
  ).all({ id }) as { user: string; started_at: number }[];
  return {
    logged: loggedBy.reduce((sum, r) => sum + r.seconds, 0),
    loggedBy,
    timers: timers.map((t) => ({ user: t.user, since: iso(t.started_at) })),
  };
}

function commentsOf(db: Connection, id: string, limit: number, all: boolean) {
  const rows = prepared(
    db,
    `SELECT c.created_at, ${actor('u')} AS who, c.content, c.deleted_at,
         count(*) OVER () AS total
       FROM pm_comments AS c LEFT JOIN users AS u ON u.id = c.created_by
       WHERE c.work_item_id = :id ${live('c', all)}
       ORDER BY c.created_at DESC, c.id LIMIT :limit`,
  ).all({ id, limit }) as {
    created_at: number;
    who: string;
    content: string;
    deleted_at: number | null;
    total: number;
  }[];
  return {
    rows: rows.map((r) => ({
      at: iso(r.created_at),
      by: r.who,
      text: clip(r.content, MAX_TEXT),
      ...(r.deleted_at === null ? {} : { deleted: true as const }),
    })),
    total: rows[0]?.total ?? countComments(db, id, all),
  };
}

// With a limit of 0 no row carries the window count, so the total is asked for on its own.
function countComments(db: Connection, id: string, all: boolean): number {
  return prepared(
    db,
    `SELECT count(*) FROM pm_comments AS c WHERE c.work_item_id = ? ${live('c', all)}`,
  )
    .pluck()
    .get(id) as number;
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

function activityOf(db: Connection, id: string, limit: number): Activity[] {
  const rows = prepared(
    db,
    `SELECT a.timestamp, ${actor('u')} AS who, a.action, a.field_name, a.old_value,
         a.new_value, a.comment
       FROM pm_activity_log AS a LEFT JOIN users AS u ON u.id = a.user_id
       WHERE a.entity_type = 'work_item' AND a.entity_id = :id
       ORDER BY a.timestamp DESC, a.rowid DESC LIMIT :limit`,
  ).all({ id, limit }) as ActivityRow[];
  return rows.map(toActivity);
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
