import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, failure, openFixture, type Fixture } from './fixture.js';

interface Status {
  key: string;
  items: number;
  byStatus: Record<string, number>;
  byType: Record<string, number>;
  points: number;
  pointsDone: number;
  sprint: {
    name: string;
    start: string;
    items: number;
    done: number;
    points: number;
    pointsDone: number;
  } | null;
  loggedSeconds: number;
  runningTimers: number;
  blocked: number;
  openBlockers: number;
  members: { name: string; role: string }[];
}

interface Blocked {
  items: { key: string; by: { key: string }[] }[];
  links: number;
}

interface Load {
  people: {
    name: string | null;
    open: number;
    byStatus: Record<string, number>;
    points: number;
    loggedSeconds: number;
    running: { key: string }[];
  }[];
}

let f: Fixture;
let removedLink: string;

beforeAll(async () => {
  f = await openFixture({
    // Soft-delete one open blocker, so that includeDeleted has something to bring back.
    prepare: (db) => {
      removedLink = db
        .prepare(
          `UPDATE pm_dependencies SET deleted_at = 1767225600 WHERE id = (
             SELECT d.id FROM pm_dependencies d
             JOIN pm_work_items w ON w.id = d.blocked_item_id
             JOIN pm_work_items b ON b.id = d.blocking_item_id
             WHERE d.dependency_type = 'blocks' AND d.deleted_at IS NULL
               AND w.status <> 'done' AND b.status <> 'done'
               AND w.deleted_at IS NULL AND b.deleted_at IS NULL
             ORDER BY d.id LIMIT 1)
           RETURNING id`,
        )
        .pluck()
        .get() as string;
    },
  });
});

afterAll(async () => {
  await f.close();
});

function projects(): { id: string; key: string }[] {
  return f.db
    .prepare('SELECT id, key FROM pm_projects WHERE deleted_at IS NULL ORDER BY key')
    .all() as { id: string; key: string }[];
}

function one<T>(sql: string, ...params: unknown[]): T {
  return f.db.prepare(sql).get(...params) as T;
}

describe('project_status', () => {
  it('counts live items by status and type, and task points', async () => {
    for (const p of projects()) {
      const got = data<Status>(await f.conn.call('project_status', { key: p.key }));
      const rows = f.db
        .prepare(
          `SELECT status, item_type, count(*) AS n FROM pm_work_items
           WHERE project_id = ? AND deleted_at IS NULL GROUP BY status, item_type`,
        )
        .all(p.id) as { status: string; item_type: string; n: number }[];
      expect(got.items).toBe(rows.reduce((s, r) => s + r.n, 0));
      for (const status of ['backlog', 'todo', 'in_progress', 'review', 'done']) {
        const n = rows.filter((r) => r.status === status).reduce((s, r) => s + r.n, 0);
        expect(got.byStatus[status], `${p.key} ${status}`).toBe(n);
      }
      const tasks = rows.filter((r) => r.item_type === 'task').reduce((s, r) => s + r.n, 0);
      expect(got.byType.task).toBe(tasks);
      const points = one<{ total: number | null; done: number | null }>(
        `SELECT SUM(story_points) AS total, SUM(CASE WHEN status = 'done' THEN story_points END)
           AS done FROM pm_work_items
         WHERE project_id = ? AND deleted_at IS NULL AND item_type = 'task'`,
        p.id,
      );
      expect([got.points, got.pointsDone]).toEqual([points.total ?? 0, points.done ?? 0]);
    }
  });

  it("reports the active sprint's progress and dates", async () => {
    for (const p of projects()) {
      const got = data<Status>(await f.conn.call('project_status', { key: p.key }));
      const sprint = one<{ id: string; name: string; start_date: number } | undefined>(
        `SELECT id, name, start_date FROM pm_sprints
         WHERE project_id = ? AND status = 'active' AND deleted_at IS NULL`,
        p.id,
      );
      if (!sprint) {
        expect(got.sprint).toBeNull();
        continue;
      }
      const progress = one<{ items: number; done: number }>(
        `SELECT count(*) AS items, SUM(status = 'done') AS done FROM pm_work_items
         WHERE sprint_id = ? AND deleted_at IS NULL`,
        sprint.id,
      );
      expect(got.sprint).toMatchObject({ name: sprint.name, ...progress });
      expect(Date.parse(got.sprint!.start) / 1000).toBe(sprint.start_date);
    }
  });

  it('reports a sprint named in the call instead of the active one', async () => {
    const sprint = one<{ key: string; name: string; id: string }>(
      `SELECT p.key, s.name, s.id FROM pm_sprints s JOIN pm_projects p ON p.id = s.project_id
       WHERE s.status = 'completed' AND s.deleted_at IS NULL ORDER BY s.start_date LIMIT 1`,
    );
    const got = data<Status>(
      await f.conn.call('project_status', { key: sprint.key, sprint: sprint.name.toUpperCase() }),
    );
    const done = one<{ points: number | null }>(
      `SELECT SUM(story_points) AS points FROM pm_work_items
       WHERE sprint_id = ? AND deleted_at IS NULL AND item_type = 'task' AND status = 'done'`,
      sprint.id,
    );
    expect(got.sprint?.name).toBe(sprint.name);
    expect(got.sprint?.pointsDone).toBe(done.points ?? 0);
    expect(
      failure(await f.conn.call('project_status', { key: sprint.key, sprint: 'No such sprint' })),
    ).toMatch(/^NOT_FOUND: /);
  });

  it('sums time logged, counts running timers, blockers and members', async () => {
    for (const p of projects()) {
      const got = data<Status>(await f.conn.call('project_status', { key: p.key }));
      const time = one<{ logged: number | null; running: number | null }>(
        `SELECT SUM(t.duration_seconds) AS logged, SUM(t.ended_at IS NULL) AS running
         FROM pm_time_entries t JOIN pm_work_items w ON w.id = t.work_item_id
         WHERE w.project_id = ? AND t.deleted_at IS NULL AND w.deleted_at IS NULL`,
        p.id,
      );
      expect(got.loggedSeconds).toBe(time.logged ?? 0);
      expect(got.runningTimers).toBe(time.running ?? 0);
      const blockers = one<{ items: number; links: number }>(
        `SELECT count(DISTINCT w.id) AS items, count(*) AS links FROM pm_dependencies d
         JOIN pm_work_items w ON w.id = d.blocked_item_id
         JOIN pm_work_items b ON b.id = d.blocking_item_id
         WHERE w.project_id = ? AND d.dependency_type = 'blocks' AND w.status <> 'done'
           AND b.status <> 'done' AND d.deleted_at IS NULL AND w.deleted_at IS NULL
           AND b.deleted_at IS NULL`,
        p.id,
      );
      expect([got.blocked, got.openBlockers]).toEqual([blockers.items, blockers.links]);
      const members = f.db
        .prepare('SELECT count(*) FROM pm_project_members WHERE project_id = ?')
        .pluck()
        .get(p.id);
      expect(got.members).toHaveLength(members as number);
    }
  });

  it('finds a project whatever the case of its key, and names the keys that exist', async () => {
    const got = data<Status>(await f.conn.call('project_status', { key: 'spring' }));
    expect(got.key).toBe('SPRING');
    expect(failure(await f.conn.call('project_status', { key: 'NOPE' }))).toMatch(
      /^PROJECT_NOT_FOUND: .*\nHint: project keys: BILL, ONBOARD, SPRING, WEB$/,
    );
  });
});

const BLOCKS = `SELECT wp.key || '-' || w.item_number AS blocked, bp.key || '-' || b.item_number
    AS blocker, wp.key AS project
  FROM pm_dependencies d
  JOIN pm_work_items w ON w.id = d.blocked_item_id JOIN pm_projects wp ON wp.id = w.project_id
  JOIN pm_work_items b ON b.id = d.blocking_item_id JOIN pm_projects bp ON bp.id = b.project_id
  WHERE d.dependency_type = 'blocks' AND w.status <> 'done' AND b.status <> 'done'`;

function pairs(result: Blocked): string[] {
  return result.items.flatMap((i) => i.by.map((b) => `${i.key} < ${b.key}`)).sort();
}

function expectedPairs(where: string): string[] {
  const rows = f.db.prepare(`${BLOCKS} ${where}`).all() as { blocked: string; blocker: string }[];
  return rows.map((r) => `${r.blocked} < ${r.blocker}`).sort();
}

const LIVE = `AND d.deleted_at IS NULL AND w.deleted_at IS NULL AND b.deleted_at IS NULL
  AND wp.deleted_at IS NULL AND bp.deleted_at IS NULL`;

describe('blocked_items', () => {
  it('lists each open item blocked by a not-done item, with both sides as KEY-N', async () => {
    const got = data<Blocked>(await f.conn.call('blocked_items'));
    expect(pairs(got)).toEqual(expectedPairs(LIVE));
    expect(got.links).toBe(pairs(got).length);
    expect(pairs(got).length).toBeGreaterThan(0);
  });

  it('keeps to one project when asked', async () => {
    for (const p of projects()) {
      const got = data<Blocked>(await f.conn.call('blocked_items', { project: p.key }));
      expect(pairs(got)).toEqual(expectedPairs(`${LIVE} AND wp.key = '${p.key}'`));
    }
  });

  it('brings back a soft-deleted dependency only with includeDeleted', async () => {
    const removed = one<{ blocked: string; blocker: string }>(
      `SELECT wp.key || '-' || w.item_number AS blocked, bp.key || '-' || b.item_number AS blocker
       FROM pm_dependencies d
       JOIN pm_work_items w ON w.id = d.blocked_item_id JOIN pm_projects wp ON wp.id = w.project_id
       JOIN pm_work_items b ON b.id = d.blocking_item_id JOIN pm_projects bp ON bp.id = b.project_id
       WHERE d.id = ?`,
      removedLink,
    );
    const pair = `${removed.blocked} < ${removed.blocker}`;
    expect(pairs(data<Blocked>(await f.conn.call('blocked_items')))).not.toContain(pair);
    const all = data<Blocked>(await f.conn.call('blocked_items', { includeDeleted: true }));
    expect(pairs(all)).toContain(pair);
    expect(pairs(all)).toEqual(expectedPairs(''));
  });
});

describe('workload', () => {
  it('gives each person their open items by status and their open task points', async () => {
    const got = data<Load>(await f.conn.call('workload'));
    const rows = f.db
      .prepare(
        `SELECT COALESCE(NULLIF(u.name, ''), u.email) AS name, w.status, count(*) AS n,
           SUM(CASE WHEN w.item_type = 'task' THEN w.story_points END) AS points
         FROM pm_work_items w JOIN pm_projects p ON p.id = w.project_id
         LEFT JOIN users u ON u.id = w.assignee_id
         WHERE w.status <> 'done' AND w.deleted_at IS NULL AND p.deleted_at IS NULL
         GROUP BY w.assignee_id, w.status`,
      )
      .all() as { name: string | null; status: string; n: number; points: number | null }[];
    for (const person of got.people.filter((p) => p.open > 0)) {
      const mine = rows.filter((r) => r.name === person.name);
      expect(person.open, String(person.name)).toBe(mine.reduce((s, r) => s + r.n, 0));
      expect(person.points).toBe(mine.reduce((s, r) => s + (r.points ?? 0), 0));
      expect(person.byStatus).toEqual(Object.fromEntries(mine.map((r) => [r.status, r.n])));
    }
    const open = rows.reduce((s, r) => s + r.n, 0);
    expect(got.people.reduce((s, p) => s + p.open, 0)).toBe(open);
  });

  it('sums time logged in the window per person and lists running timers', async () => {
    // A ten-year window holds every entry, so the test does not depend on the clock.
    const got = data<Load>(await f.conn.call('workload', { project: 'SPRING', days: 3650 }));
    const logged = f.db
      .prepare(
        `SELECT COALESCE(NULLIF(u.name, ''), u.email) AS name, SUM(t.duration_seconds) AS s
         FROM pm_time_entries t JOIN pm_work_items w ON w.id = t.work_item_id
         JOIN pm_projects p ON p.id = w.project_id LEFT JOIN users u ON u.id = t.user_id
         WHERE p.key = 'SPRING' AND t.ended_at IS NOT NULL AND t.deleted_at IS NULL
           AND w.deleted_at IS NULL
         GROUP BY t.user_id`,
      )
      .all() as { name: string; s: number }[];
    const gotLogged = got.people.filter((p) => p.loggedSeconds > 0);
    expect(gotLogged.map((p) => `${p.name} ${p.loggedSeconds}`).sort()).toEqual(
      logged.map((r) => `${r.name} ${r.s}`).sort(),
    );
    const timers = f.db
      .prepare(
        `SELECT p.key || '-' || w.item_number FROM pm_time_entries t
         JOIN pm_work_items w ON w.id = t.work_item_id JOIN pm_projects p ON p.id = w.project_id
         WHERE p.key = 'SPRING' AND t.ended_at IS NULL AND t.deleted_at IS NULL
           AND w.deleted_at IS NULL`,
      )
      .pluck()
      .all() as string[];
    expect(got.people.flatMap((p) => p.running.map((r) => r.key)).sort()).toEqual(timers.sort());
  });

  it('puts unassigned open items under a null name', async () => {
    const got = data<Load>(await f.conn.call('workload'));
    const unassigned = f.db
      .prepare(
        `SELECT count(*) FROM pm_work_items w JOIN pm_projects p ON p.id = w.project_id
         WHERE w.assignee_id IS NULL AND w.status <> 'done' AND w.deleted_at IS NULL
           AND p.deleted_at IS NULL`,
      )
      .pluck()
      .get();
    expect(got.people.find((p) => p.name === null)?.open).toBe(unassigned);
  });
});
