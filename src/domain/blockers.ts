import type { Connection } from '../db/open.js';
import type { PooledReader } from './pooled.js';
import { findProject } from './projects.js';
import { holder, itemLabel, live } from './sql.js';

/** A work item on either side of a block. */
export interface BlockSide {
  key: string;
  title: string;
  status: string;
  assignee: string | null;
}

/** An open work item and the not-done items that block it. */
export interface BlockedItem extends BlockSide {
  by: BlockSide[];
}

/** Blocked items, and whether the list stopped at its cap. */
export interface BlockedItems {
  items: BlockedItem[];
  links: number;
  truncated?: true;
}

const MAX_LINKS = 500;

/**
 * Open items blocked by an item that is not done, through a live `blocks` dependency;
 * optionally only those of one project. Both sides are named by KEY-N. The list is sorted
 * over every dependency of the tenant, so it is read in the query pool.
 */
export async function blockedItems(
  db: Connection,
  pool: PooledReader,
  options: { project?: string | undefined; includeDeleted?: boolean | undefined },
): Promise<BlockedItems> {
  const all = options.includeDeleted === true;
  const project = options.project === undefined ? null : findProject(db, options.project, all);
  const { rows, cut } = await pool.upTo<BlockRow>(
    `SELECT ${itemLabel('wp', 'w')} AS key, w.title, w.status, ${holder('wu', 'w.assignee_id')} AS assignee,
         ${itemLabel('bp', 'b')} AS bkey, b.title AS btitle, b.status AS bstatus,
         ${holder('bu', 'b.assignee_id')} AS bassignee
       FROM pm_dependencies AS d
       JOIN pm_work_items AS w ON w.id = d.blocked_item_id
       JOIN pm_projects AS wp ON wp.id = w.project_id
       JOIN pm_work_items AS b ON b.id = d.blocking_item_id
       JOIN pm_projects AS bp ON bp.id = b.project_id
       LEFT JOIN users AS wu ON wu.id = w.assignee_id
       LEFT JOIN users AS bu ON bu.id = b.assignee_id
       WHERE d.dependency_type = 'blocks' AND w.status <> 'done' AND b.status <> 'done'
         AND (:project IS NULL OR w.project_id = :project)
         ${live('d', all)} ${live('w', all)} ${live('wp', all)} ${live('b', all)} ${live('bp', all)}
       ORDER BY wp.key, w.item_number, bp.key, b.item_number LIMIT :limit`,
    { project: project?.id ?? null, limit: MAX_LINKS + 1 },
    MAX_LINKS + 1,
  );
  const kept = rows.slice(0, MAX_LINKS);
  return {
    items: group(kept),
    links: kept.length,
    // The pool cuts a result beyond its byte limit (very long titles): that is a cut list too.
    ...(cut || rows.length > MAX_LINKS ? { truncated: true as const } : {}),
  };
}

interface BlockRow extends BlockSide {
  bkey: string;
  btitle: string;
  bstatus: string;
  bassignee: string | null;
}

function group(rows: BlockRow[]): BlockedItem[] {
  const byKey = new Map<string, BlockedItem>();
  for (const r of rows) {
    const item = byKey.get(r.key) ?? {
      key: r.key,
      title: r.title,
      status: r.status,
      assignee: r.assignee,
      by: [],
    };
    item.by.push({ key: r.bkey, title: r.btitle, status: r.bstatus, assignee: r.bassignee });
    byKey.set(r.key, item);
  }
  return [...byKey.values()];
}
