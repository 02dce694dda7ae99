import type { Connection } from '../db/open.js';
import type { PooledReader } from './pooled.js';
import { findProject } from './projects.js';
import { actor, iso, itemLabel, live, loggedSeconds, running } from './sql.js';

/** What one person holds: open items by status, their points, recent time, timers. */
export interface PersonLoad {
  /** Null for the items nobody is assigned to. */
  name: string | null;
  open: number;
  byStatus: Record<string, number>;
  points: number;
  loggedSeconds: number;
  running: { key: string; since: string }[];
}

/** Who is working on what, with the window the time was summed over. */
export interface Workload {
  since: string;
  people: PersonLoad[];
}

// Time whose user row was deleted (user_id set to NULL) belongs to nobody we can name, but
// it is not "unassigned" work either.
const GONE = '\u0000';

/** Options of `workload`. */
export interface WorkloadOptions {
  project?: string | undefined;
  days: number;
  includeDeleted?: boolean | undefined;
  now: number;
}

/**
 * Per person: open (not done) items by status and their task points, time logged on entries
 * started in the last `days` days, and timers running now. Unassigned items form one entry.
 * Each of these reads every open item or time entry in scope, so they run in the query pool.
 */
export async function workload(
  db: Connection,
  pool: PooledReader,
  options: WorkloadOptions,
): Promise<Workload> {
  const all = options.includeDeleted === true;
  const project = options.project === undefined ? null : findProject(db, options.project, all);
  const scope = { project: project?.id ?? null, all };
  const since = options.now - options.days * 86_400;
  const [open, logged, running] = await Promise.all([
    openItems(pool, scope),
    timeSince(pool, scope, since),
    timers(pool, scope),
  ]);
  const people = new Map<string | null, PersonLoad>();
  const entry = (id: string | null, name: string | null): PersonLoad =>
    people.get(id) ?? setNew(people, id, name);
  for (const r of open) {
    const load = entry(r.uid, r.name);
    load.open += r.n;
    load.byStatus[r.status] = r.n;
    load.points += r.points ?? 0;
  }
  for (const r of logged) entry(r.uid ?? GONE, r.name).loggedSeconds = r.seconds;
  for (const r of running) {
    entry(r.uid ?? GONE, r.name).running.push({ key: r.key, since: iso(r.started_at) });
  }
  return { since: iso(since), people: [...people.values()].sort(byLoad) };
}

function setNew(
  people: Map<string | null, PersonLoad>,
  id: string | null,
  name: string | null,
): PersonLoad {
  // A user id with no users row is still a person, not "unassigned".
  const load: PersonLoad = {
    name: id === null ? null : (name ?? 'unknown user'),
    open: 0,
    byStatus: {},
    points: 0,
    loggedSeconds: 0,
    running: [],
  };
  people.set(id, load);
  return load;
}

function byLoad(a: PersonLoad, b: PersonLoad): number {
  return (
    b.open - a.open ||
    b.loggedSeconds - a.loggedSeconds ||
    (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff')
  );
}

interface Scope {
  project: string | null;
  all: boolean;
}

interface Owned {
  uid: string | null;
  name: string | null;
}

const IN_SCOPE = (s: Scope) =>
  `(:project IS NULL OR w.project_id = :project) ${live('w', s.all)} ${live('p', s.all)}`;

const MAX_GROUPS = 5000;
const MAX_TIMERS = 500;

function openItems(pool: PooledReader, s: Scope) {
  return pool.all<Owned & { status: string; n: number; points: number | null }>(
    `SELECT w.assignee_id AS uid, ${actor('u')} AS name, w.status, count(*) AS n,
         SUM(CASE WHEN w.item_type = 'task' THEN w.story_points END) AS points
       FROM pm_work_items AS w JOIN pm_projects AS p ON p.id = w.project_id
       LEFT JOIN users AS u ON u.id = w.assignee_id
       WHERE w.status <> 'done' AND ${IN_SCOPE(s)}
       GROUP BY w.assignee_id, w.status LIMIT ${MAX_GROUPS}`,
    { project: s.project },
    MAX_GROUPS,
  );
}

function timeSince(pool: PooledReader, s: Scope, since: number) {
  return pool.all<Owned & { seconds: number }>(
    `SELECT t.user_id AS uid, ${actor('u')} AS name, SUM(${loggedSeconds('t')}) AS seconds
       FROM pm_time_entries AS t JOIN pm_work_items AS w ON w.id = t.work_item_id
       JOIN pm_projects AS p ON p.id = w.project_id
       LEFT JOIN users AS u ON u.id = t.user_id
       WHERE t.started_at >= :since AND NOT ${running('t')} AND ${IN_SCOPE(s)} ${live('t', s.all)}
       GROUP BY t.user_id LIMIT ${MAX_GROUPS}`,
    { project: s.project, since },
    MAX_GROUPS,
  );
}

function timers(pool: PooledReader, s: Scope) {
  return pool.all<Owned & { key: string; started_at: number }>(
    `SELECT t.user_id AS uid, ${actor('u')} AS name, ${itemLabel('p', 'w')} AS key,
         t.started_at
       FROM pm_time_entries AS t JOIN pm_work_items AS w ON w.id = t.work_item_id
       JOIN pm_projects AS p ON p.id = w.project_id
       LEFT JOIN users AS u ON u.id = t.user_id
       WHERE ${running('t')} AND ${IN_SCOPE(s)} ${live('t', s.all)}
       ORDER BY t.started_at LIMIT ${MAX_TIMERS}`,
    { project: s.project },
    MAX_TIMERS,
  );
}
