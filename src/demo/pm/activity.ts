import { DAY, DEMO_NOW } from '../profiles.js';
import type { Row } from '../sql.js';
import { STATUSES, statusSteps } from './model.js';
import type { Project, Sprint, WorkItem } from './model.js';
import type { PmGen } from './projects.js';

const THREAD_LENGTHS = [
  [0, 0.45],
  [1, 0.3],
  [2, 0.15],
  [3, 0.1],
] as const;

const WORK_DESCRIPTIONS = [
  'Research',
  'Call with the venue',
  'Writing copy',
  'Pairing',
  'Review',
  'Testing on staging',
  'Translating',
];

/** Comments on stories and tasks: most have none, a few have a short thread. */
export function commentRows(gen: PmGen, items: readonly WorkItem[]): Row[] {
  const rows: Row[] = [];
  for (const item of items.filter((candidate) => candidate.type !== 'epic')) {
    const count = gen.rng.weighted(THREAD_LENGTHS);
    for (let i = 0; i < count; i++) rows.push(commentRow(gen, item));
  }
  return rows;
}

function commentRow(gen: PmGen, item: WorkItem): Row {
  const { rng } = gen;
  const author = rng.pick(item.project.editors).id;
  const createdAt = rng.int(item.createdAt, Math.min(item.updatedAt + 3 * DAY, DEMO_NOW));
  const edited = rng.chance(0.1);
  return {
    id: rng.uuid(),
    work_item_id: item.id,
    content: rng.pick(gen.profile.comments),
    created_at: createdAt,
    updated_at: edited ? Math.min(createdAt + rng.int(60, DAY), DEMO_NOW) : createdAt,
    created_by: author,
    updated_by: author,
    deleted_at: rng.chance(0.05) ? Math.min(createdAt + DAY, DEMO_NOW) : null,
  };
}

/**
 * Time logged on tasks that were started. A few timers are still running (no end, no
 * duration), at most one per person, and the first task in progress always has one.
 */
export function timeEntryRows(gen: PmGen, items: readonly WorkItem[]): Row[] {
  const started = items.filter((item) => item.type === 'task' && statusSteps(item.status) >= 2);
  const running = new Set<string>();
  const rows: Row[] = [];
  for (const task of started) {
    const user = task.assigneeId ?? gen.rng.pick(task.project.editors).id;
    for (let i = 0; i < gen.rng.int(1, 3); i++) rows.push(finishedEntry(gen, task, user));
    const first = running.size === 0;
    if (task.status === 'in_progress' && !running.has(user) && (first || gen.rng.chance(0.25))) {
      running.add(user);
      rows.push(runningEntry(gen, task, user));
    }
  }
  return rows;
}

function finishedEntry(gen: PmGen, task: WorkItem, user: string): Row {
  const { rng } = gen;
  const duration = rng.int(15, 180) * 60;
  const startedAt = rng.int(task.createdAt, Math.max(task.createdAt, task.updatedAt - duration));
  const endedAt = startedAt + duration;
  return {
    id: rng.uuid(),
    work_item_id: task.id,
    user_id: user,
    started_at: startedAt,
    ended_at: endedAt,
    duration_seconds: duration,
    description: rng.chance(0.6) ? rng.pick(WORK_DESCRIPTIONS) : null,
    created_at: startedAt,
    updated_at: endedAt,
    deleted_at: rng.chance(0.03) ? endedAt + 3600 : null,
  };
}

function runningEntry(gen: PmGen, task: WorkItem, user: string): Row {
  const startedAt = DEMO_NOW - gen.rng.int(10, 180) * 60;
  return {
    id: gen.rng.uuid(),
    work_item_id: task.id,
    user_id: user,
    started_at: startedAt,
    ended_at: null,
    duration_seconds: null,
    description: null,
    created_at: startedAt,
    updated_at: startedAt,
    deleted_at: null,
  };
}

/** Links between live stories and tasks of one project, mostly "blocks", never twice. */
export function dependencyRows(gen: PmGen, project: Project, items: readonly WorkItem[]): Row[] {
  const candidates = items.filter((item) => item.type !== 'epic' && item.deletedAt === null);
  const linked = new Set<string>();
  const rows: Row[] = [];
  const wanted = Math.max(2, Math.round(candidates.length / 8));
  for (let attempt = 0; rows.length < wanted && attempt < wanted * 10; attempt++) {
    const [blocking, blocked] = gen.rng.sample(candidates, 2);
    if (blocking === undefined || blocked === undefined) break;
    // One link per pair in either direction: A blocks B and B blocks A would be a deadlock.
    const pair = [blocking.id, blocked.id].sort().join(':');
    if (linked.has(pair)) continue;
    linked.add(pair);
    rows.push(dependencyRow(gen, project, blocking, blocked));
  }
  return rows;
}

function dependencyRow(gen: PmGen, project: Project, blocking: WorkItem, blocked: WorkItem): Row {
  const { rng } = gen;
  const linkedAt = Math.max(blocking.createdAt, blocked.createdAt) + rng.int(0, 3) * DAY;
  return {
    id: rng.uuid(),
    blocking_item_id: blocking.id,
    blocked_item_id: blocked.id,
    dependency_type: rng.chance(0.75) ? 'blocks' : 'relates_to',
    created_at: Math.min(linkedAt, DEMO_NOW),
    created_by: rng.pick(project.editors).id,
    deleted_at: rng.chance(0.05) ? DEMO_NOW - rng.int(1, 10) * DAY : null,
  };
}

type Event = Omit<Row, 'id'> & { timestamp: number };

/**
 * The history behind the rows: creations, every status move of an item (spread between its
 * creation and last change), deletions, comments and sprint transitions, oldest first.
 */
export function activityRows(
  gen: PmGen,
  project: Project,
  sprints: readonly Sprint[],
  items: readonly WorkItem[],
  comments: readonly Row[],
): Row[] {
  const events: Event[] = [
    event('project', project.id, 'created', project.createdBy, project.createdAt),
    ...sprints.flatMap((sprint) => sprintEvents(project, sprint)),
    ...items.flatMap((item) => itemEvents(item)),
    ...comments.map((comment) => commentEvent(comment)),
  ];
  if (project.spec.archived) {
    const archivedAt = project.createdAt + 110 * DAY;
    events.push(
      change('project', project.id, project.createdBy, archivedAt, ['active', 'archived']),
    );
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  return events.map((entry) => ({ id: gen.rng.uuid(), ...entry }));
}

function event(
  entityType: string,
  entityId: string,
  action: string,
  userId: string,
  at: number,
): Event {
  return {
    entity_type: entityType,
    entity_id: entityId,
    action,
    field_name: null,
    old_value: null,
    new_value: null,
    user_id: userId,
    timestamp: at,
    comment: null,
  };
}

function change(
  entityType: string,
  entityId: string,
  userId: string,
  at: number,
  [from, to]: readonly [string, string],
): Event {
  const base = event(entityType, entityId, 'updated', userId, at);
  return { ...base, field_name: 'status', old_value: from, new_value: to };
}

function itemEvents(item: WorkItem): Event[] {
  const user = item.assigneeId ?? item.createdBy;
  const steps = statusSteps(item.status);
  const span = item.updatedAt - item.createdAt;
  const events = [event('work_item', item.id, 'created', item.createdBy, item.createdAt)];
  for (let step = 1; step <= steps; step++) {
    const at = item.createdAt + Math.round((span * step) / steps);
    const move = [STATUSES[step - 1] ?? '', STATUSES[step] ?? ''] as const;
    events.push(change('work_item', item.id, user, at, move));
  }
  if (item.deletedAt !== null)
    events.push(event('work_item', item.id, 'deleted', user, item.deletedAt));
  return events;
}

function sprintEvents(project: Project, sprint: Sprint): Event[] {
  const user = project.createdBy;
  const events = [event('sprint', sprint.id, 'created', user, sprint.start - 3 * DAY)];
  if (sprint.status === 'planned') return events;
  events.push(change('sprint', sprint.id, user, sprint.start, ['planned', 'active']));
  if (sprint.status !== 'active') {
    events.push(
      change('sprint', sprint.id, user, Math.min(sprint.end, DEMO_NOW), ['active', sprint.status]),
    );
  }
  return events;
}

function commentEvent(comment: Row): Event {
  const base = event(
    'work_item',
    String(comment.work_item_id),
    'commented',
    String(comment.created_by),
    Number(comment.created_at),
  );
  return { ...base, comment: String(comment.content).slice(0, 80) };
}
