import { prepared, type Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import type { PooledReader } from './pooled.js';
import { findProject, type ProjectRow } from './projects.js';
import { actor, iso, live, loggedSeconds, running } from './sql.js';

/** Work item statuses in the order items move through them. */
export const STATUSES = ['backlog', 'todo', 'in_progress', 'review', 'done'] as const;

/** Progress of one sprint: items and story points (tasks only), planned and done. */
export interface SprintProgress {
  name: string;
  goal: string | null;
  status: string;
  start: string;
  end: string;
  items: number;
  done: number;
  points: number;
  pointsDone: number;
}

/** A project's state in one answer. */
export interface ProjectStatus {
  key: string;
  title: string;
  status: string;
  deleted?: true;
  items: number;
  byStatus: Record<string, number>;
  byType: Record<string, number>;
  points: number;
  pointsDone: number;
  sprint: SprintProgress | null;
  loggedSeconds: number;
  runningTimers: number;
  blocked: number;
  openBlockers: number;
  members: { name: string; role: string }[];
}

/** Options of `projectStatus`. */
export interface ProjectStatusOptions {
  /** A sprint name to report instead of the active sprint. */
  sprint?: string | undefined;
  includeDeleted?: boolean | undefined;
}

/**
 * Items by status and type, points, the active (or named) sprint, time, blockers, members.
 * The project, its sprint and its members are looked up here; the sums read every item and
 * time entry of the project, so they run in the query pool.
 */
export async function projectStatus(
  db: Connection,
  pool: PooledReader,
  key: string,
  options: ProjectStatusOptions = {},
): Promise<ProjectStatus> {
  const all = options.includeDeleted === true;
  const project = findProject(db, key, all);
  const sprint = await findSprint(pool, project, options.sprint, all);
  const [counts, progress, time, blockers] = await Promise.all([
    itemCounts(pool, project, all),
    sprint === undefined ? null : sprintProgress(pool, sprint, all),
    timeTotals(pool, project, all),
    blockerCounts(pool, project, all),
  ]);
  return {
    key: project.key,
    title: project.title,
    status: project.status,
    ...(project.deleted_at === null ? {} : { deleted: true as const }),
    ...counts,
    sprint: progress,
    ...time,
    ...blockers,
    members: members(db, project),
  };
}

interface CountRow {
  status: string;
  item_type: string;
  n: number;
  points: number | null;
}

// Statuses times types, far fewer in a sound file; the cap only bounds a strange one.
const MAX_COUNT_ROWS = 1000;

async function itemCounts(pool: PooledReader, project: ProjectRow, all: boolean) {
  const rows = await pool.all<CountRow>(
    `SELECT w.status, w.item_type, count(*) AS n,
         SUM(CASE WHEN w.item_type = 'task' THEN w.story_points END) AS points
       FROM pm_work_items AS w WHERE w.project_id = :project ${live('w', all)}
       GROUP BY w.status, w.item_type LIMIT ${MAX_COUNT_ROWS}`,
    { project: project.id },
    MAX_COUNT_ROWS,
  );
  const byStatus: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  const byType: Record<string, number> = { epic: 0, story: 0, task: 0 };
  let points = 0;
  let pointsDone = 0;
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
    byType[r.item_type] = (byType[r.item_type] ?? 0) + r.n;
    points += r.points ?? 0;
    if (r.status === 'done') pointsDone += r.points ?? 0;
  }
  const items = rows.reduce((sum, r) => sum + r.n, 0);
  return { items, byStatus, byType, points, pointsDone };
}

/** A sprint row as stored. */
export interface SprintRow {
  id: string;
  name: string;
  goal: string | null;
  status: string;
  start_date: number;
  end_date: number;
}

async function sprintProgress(
  pool: PooledReader,
  sprint: SprintRow,
  all: boolean,
): Promise<SprintProgress> {
  const [progress = { items: 0, done: 0, points: 0, pointsDone: 0 }] = await pool.all<
    Pick<SprintProgress, 'items' | 'done' | 'points' | 'pointsDone'>
  >(
    `SELECT count(*) AS items, COALESCE(SUM(w.status = 'done'), 0) AS done,
         COALESCE(SUM(CASE WHEN w.item_type = 'task' THEN w.story_points END), 0) AS points,
         COALESCE(SUM(CASE WHEN w.item_type = 'task' AND w.status = 'done'
           THEN w.story_points END), 0) AS pointsDone
       FROM pm_work_items AS w WHERE w.sprint_id = :sprint ${live('w', all)}`,
    { sprint: sprint.id },
    1,
  );
  const { name, goal, status } = sprint;
  const dates = { start: iso(sprint.start_date), end: iso(sprint.end_date) };
  return { name, goal, status, ...dates, ...progress };
}

const SPRINT_COLUMNS = 'id, name, goal, status, start_date, end_date';

/**
 * The sprint of this name (NOT_FOUND if none), or without a name the active sprint if any.
 * Only the project column of pm_sprints is indexed and a project may have very many sprints,
 * so both lookups read in the query pool.
 */
export async function findSprint(
  pool: PooledReader,
  project: ProjectRow,
  name: string | undefined,
  includeDeleted = false,
): Promise<SprintRow | undefined> {
  return name === undefined
    ? activeSprint(pool, project, includeDeleted)
    : namedSprint(pool, project, name, includeDeleted);
}

async function activeSprint(
  pool: PooledReader,
  project: ProjectRow,
  all: boolean,
): Promise<SprintRow | undefined> {
  const [found] = await pool.all<SprintRow>(
    `SELECT ${SPRINT_COLUMNS} FROM pm_sprints AS s
       WHERE s.project_id = :project AND s.status = 'active' ${live('s', all)}
       ORDER BY s.start_date DESC LIMIT 1`,
    { project: project.id },
    1,
  );
  return found;
}

async function namedSprint(
  pool: PooledReader,
  project: ProjectRow,
  name: string,
  all: boolean,
): Promise<SprintRow> {
  const [found] = await pool.all<SprintRow>(
    `SELECT ${SPRINT_COLUMNS} FROM pm_sprints AS s
       WHERE s.project_id = :project AND s.name = :name COLLATE NOCASE ${live('s', all)}
       ORDER BY s.name = :name DESC, s.start_date DESC LIMIT 1`,
    { project: project.id, name },
    1,
  );
  if (found) return found;
  throw new TenantMcpError('NOT_FOUND', `project ${project.key} has no sprint of this name`, {
    hint: 'leave sprint out for the active sprint, or complete the sprint_review prompt',
  });
}

async function timeTotals(pool: PooledReader, project: ProjectRow, all: boolean) {
  const [totals] = await pool.all<{ loggedSeconds: number; runningTimers: number }>(
    `SELECT COALESCE(SUM(${loggedSeconds('t')}), 0) AS loggedSeconds,
         COALESCE(SUM(${running('t')}), 0) AS runningTimers
       FROM pm_work_items AS w JOIN pm_time_entries AS t ON t.work_item_id = w.id
       WHERE w.project_id = :project ${live('w', all)} ${live('t', all)}`,
    { project: project.id },
    1,
  );
  return totals ?? { loggedSeconds: 0, runningTimers: 0 };
}

async function blockerCounts(pool: PooledReader, project: ProjectRow, all: boolean) {
  const [counts] = await pool.all<{ blocked: number; openBlockers: number }>(
    `SELECT count(DISTINCT w.id) AS blocked, count(*) AS openBlockers
       FROM pm_work_items AS w
       JOIN pm_dependencies AS d ON d.blocked_item_id = w.id AND d.dependency_type = 'blocks'
       JOIN pm_work_items AS b ON b.id = d.blocking_item_id AND b.status <> 'done'
       JOIN pm_projects AS bp ON bp.id = b.project_id
       WHERE w.project_id = :project AND w.status <> 'done'
         ${live('w', all)} ${live('d', all)} ${live('b', all)} ${live('bp', all)}`,
    { project: project.id },
    1,
  );
  return counts ?? { blocked: 0, openBlockers: 0 };
}

function members(db: Connection, project: ProjectRow): ProjectStatus['members'] {
  return prepared(
    db,
    `SELECT ${actor('u')} AS name, m.role FROM pm_project_members AS m
       LEFT JOIN users AS u ON u.id = m.user_id
       WHERE m.project_id = ?
       ORDER BY CASE m.role WHEN 'admin' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, name
       LIMIT 200`,
  ).all(project.id) as ProjectStatus['members'];
}
