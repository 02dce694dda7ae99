import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, failure, openFixture, type Fixture } from './fixture.js';

interface Detail {
  key: string;
  title: string;
  status: string;
  type: string;
  project: string;
  assignee?: string;
  points?: number;
  deleted?: string;
  parents: { key: string; type: string }[];
  children: { key: string }[];
  childCount: number;
  links: { rel: string; key: string; status: string }[];
  logged: number;
  loggedBy: { user: string; seconds: number }[];
  timers: { user: string; since: string }[];
  comments: { at: string; text: string; deleted?: boolean }[];
  commentCount: number;
  activity: { at: string; action: string }[];
}

interface ItemRow {
  id: string;
  label: string;
  title: string;
  status: string;
  parent_id: string | null;
  assignee_id: string | null;
  story_points: number | null;
}

let f: Fixture;

beforeAll(async () => {
  f = await openFixture();
});

afterAll(async () => {
  await f.close();
});

const LABEL = `p.key || '-' || w.item_number`;

function items(where: string, ...params: string[]): ItemRow[] {
  return f.db
    .prepare(
      `SELECT w.id, ${LABEL} AS label, w.title, w.status, w.parent_id, w.assignee_id,
         w.story_points
       FROM pm_work_items w JOIN pm_projects p ON p.id = w.project_id WHERE ${where}
       ORDER BY p.key, w.item_number`,
    )
    .all(...params) as ItemRow[];
}

function nameOf(userId: string | null): string | undefined {
  if (userId === null) return undefined;
  const row = f.db
    .prepare(`SELECT COALESCE(NULLIF(name, ''), email) FROM users WHERE id = ?`)
    .pluck()
    .get(userId) as string | undefined;
  return row ?? 'unknown user';
}

function labelOf(id: string): string {
  return f.db
    .prepare(
      `SELECT ${LABEL} FROM pm_work_items w JOIN pm_projects p ON p.id = w.project_id WHERE w.id = ?`,
    )
    .pluck()
    .get(id) as string;
}

function parentChain(item: ItemRow): string[] {
  const chain: string[] = [];
  let parent = item.parent_id;
  while (parent !== null && chain.length < 10) {
    const row = f.db
      .prepare('SELECT parent_id, deleted_at FROM pm_work_items WHERE id = ?')
      .get(parent) as { parent_id: string | null; deleted_at: number | null };
    if (row.deleted_at !== null) break;
    chain.push(labelOf(parent));
    parent = row.parent_id;
  }
  return chain;
}

function links(id: string): string[] {
  const rows = f.db
    .prepare(
      `SELECT CASE WHEN d.dependency_type = 'relates_to' THEN 'relates_to'
                WHEN d.blocked_item_id = @id THEN 'blocked_by' ELSE 'blocks' END AS rel,
              CASE WHEN d.blocked_item_id = @id THEN d.blocking_item_id ELSE d.blocked_item_id END
                AS other
       FROM pm_dependencies d
       WHERE (d.blocked_item_id = @id OR d.blocking_item_id = @id) AND d.deleted_at IS NULL`,
    )
    .all({ id }) as { rel: string; other: string }[];
  const live = f.db.prepare('SELECT deleted_at IS NULL FROM pm_work_items WHERE id = ?').pluck();
  return rows.filter((r) => live.get(r.other) === 1).map((r) => `${r.rel} ${labelOf(r.other)}`);
}

describe('work_item', () => {
  it('answers every live item with the facts its rows hold', async () => {
    for (const item of items('w.deleted_at IS NULL AND p.deleted_at IS NULL')) {
      const got = data<Detail>(await f.conn.call('work_item', { key: item.label }));
      expect(got.key, item.label).toBe(item.label);
      expect(got.title).toBe(item.title);
      expect(got.status).toBe(item.status);
      expect(got.assignee).toBe(nameOf(item.assignee_id));
      expect(got.points).toBe(item.story_points ?? undefined);
      expect(got.parents.map((p) => p.key)).toEqual(parentChain(item));
      const children = items('w.parent_id = ? AND w.deleted_at IS NULL', item.id);
      expect(got.children.map((c) => c.key).sort()).toEqual(children.map((c) => c.label).sort());
      expect(got.childCount).toBe(children.length);
      expect(got.links.map((l) => `${l.rel} ${l.key}`).sort()).toEqual(links(item.id).sort());
    }
  });

  it('walks the parent chain up to the epic', async () => {
    const [task] = items(
      `w.item_type = 'task' AND w.deleted_at IS NULL AND w.parent_id IN
         (SELECT id FROM pm_work_items WHERE item_type = 'story' AND parent_id IS NOT NULL
            AND deleted_at IS NULL)`,
    );
    const got = data<Detail>(await f.conn.call('work_item', { key: task!.label }));
    expect(got.parents.map((p) => p.type)).toEqual(['story', 'epic']);
  });

  it('sums logged time per person and lists running timers apart', async () => {
    const withTime = f.db
      .prepare(
        `SELECT t.work_item_id AS id, SUM(t.duration_seconds) AS seconds,
           SUM(t.ended_at IS NULL) AS running
         FROM pm_time_entries t JOIN pm_work_items w ON w.id = t.work_item_id
         WHERE t.deleted_at IS NULL AND w.deleted_at IS NULL
         GROUP BY t.work_item_id ORDER BY running DESC, seconds DESC LIMIT 5`,
      )
      .all() as { id: string; seconds: number | null; running: number }[];
    expect(withTime[0]?.running).toBeGreaterThan(0);
    for (const row of withTime) {
      const got = data<Detail>(await f.conn.call('work_item', { key: labelOf(row.id) }));
      expect(got.logged).toBe(row.seconds ?? 0);
      expect(got.timers).toHaveLength(row.running);
      const perUser = f.db
        .prepare(
          `SELECT user_id, SUM(duration_seconds) AS seconds FROM pm_time_entries
           WHERE work_item_id = ? AND deleted_at IS NULL AND ended_at IS NOT NULL
           GROUP BY user_id`,
        )
        .all(row.id) as { user_id: string; seconds: number }[];
      const expected = perUser.map((u) => `${nameOf(u.user_id)} ${u.seconds}`).sort();
      expect(got.loggedBy.map((u) => `${u.user} ${u.seconds}`).sort()).toEqual(expected);
    }
  });

  it('gives the latest comments newest first and counts live ones only', async () => {
    const row = f.db
      .prepare(
        `SELECT work_item_id AS id, count(*) AS n FROM pm_comments c
         WHERE deleted_at IS NULL GROUP BY work_item_id ORDER BY n DESC LIMIT 1`,
      )
      .get() as { id: string; n: number };
    const got = data<Detail>(await f.conn.call('work_item', { key: labelOf(row.id), comments: 2 }));
    expect(got.commentCount).toBe(row.n);
    const latest = f.db
      .prepare(
        `SELECT created_at FROM pm_comments WHERE work_item_id = ? AND deleted_at IS NULL
         ORDER BY created_at DESC LIMIT 2`,
      )
      .pluck()
      .all(row.id) as number[];
    expect(got.comments.map((c) => Date.parse(c.at) / 1000)).toEqual(latest);
  });

  it('gives the latest activity of the item, newest first', async () => {
    const item = items('w.deleted_at IS NULL')[0]!;
    const got = data<Detail>(await f.conn.call('work_item', { key: item.label, activity: 3 }));
    const expected = f.db
      .prepare(
        `SELECT timestamp FROM pm_activity_log WHERE entity_type = 'work_item' AND entity_id = ?
         ORDER BY timestamp DESC LIMIT 3`,
      )
      .pluck()
      .all(item.id) as number[];
    expect(got.activity.map((a) => Date.parse(a.at) / 1000)).toEqual(expected);
  });

  it('reads the key without regard to case', async () => {
    const item = items('w.deleted_at IS NULL')[0]!;
    const got = data<Detail>(await f.conn.call('work_item', { key: item.label.toLowerCase() }));
    expect(got.key).toBe(item.label);
  });

  it('leaves soft-deleted items and comments out unless asked', async () => {
    const [gone] = items('w.deleted_at IS NOT NULL AND p.deleted_at IS NULL');
    expect(failure(await f.conn.call('work_item', { key: gone!.label }))).toMatch(
      /^WORK_ITEM_NOT_FOUND: /,
    );
    const got = data<Detail>(
      await f.conn.call('work_item', { key: gone!.label, includeDeleted: true }),
    );
    expect(got.deleted).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const commented = f.db
      .prepare(
        `SELECT c.work_item_id AS id, count(*) AS total, SUM(c.deleted_at IS NULL) AS live
         FROM pm_comments c JOIN pm_work_items w ON w.id = c.work_item_id
         WHERE w.deleted_at IS NULL GROUP BY c.work_item_id
         HAVING SUM(c.deleted_at IS NOT NULL) > 0 LIMIT 1`,
      )
      .get() as { id: string; total: number; live: number };
    const key = labelOf(commented.id);
    const live = data<Detail>(await f.conn.call('work_item', { key, comments: 50 }));
    expect(live.commentCount).toBe(commented.live);
    expect(live.comments.some((c) => c.deleted)).toBe(false);
    const all = data<Detail>(
      await f.conn.call('work_item', { key, comments: 50, includeDeleted: true }),
    );
    expect(all.commentCount).toBe(commented.total);
    expect(all.comments.filter((c) => c.deleted)).toHaveLength(commented.total - commented.live);
  });

  it('refuses malformed keys before any lookup', async () => {
    for (const key of ['SPRING', 'SPRING-', '12-SPRING', "SPRING-1' OR 1=1", 'SPRING-1234567890']) {
      const result = await f.conn.call('work_item', { key });
      expect(result.isError, key).toBe(true);
    }
  });

  it('names the problem for an unknown project or number', async () => {
    expect(failure(await f.conn.call('work_item', { key: 'NOPE-1' }))).toMatch(
      /^PROJECT_NOT_FOUND: .*\nHint: project keys: .*SPRING/,
    );
    expect(failure(await f.conn.call('work_item', { key: 'SPRING-999999' }))).toMatch(
      /^WORK_ITEM_NOT_FOUND: /,
    );
  });
});
