import { DAY, DEMO_NOW } from '../profiles.js';
import type { Row } from '../sql.js';
import { STATUSES, statusSteps } from './model.js';
import type { Project, Sprint, Status, WorkItem } from './model.js';
import type { PmGen } from './projects.js';

const DESCRIPTIONS = [
  'Acceptance: reviewed by a second coach before it ships.',
  'See the shared planning doc for the details.',
  'Needs copy in every language our clients use.',
  'Keep it small; we can iterate after the first feedback.',
];

const TASK_STATUSES = [
  ['backlog', 0.15],
  ['todo', 0.2],
  ['in_progress', 0.2],
  ['review', 0.1],
  ['done', 0.35],
] as const;

const PRIORITIES = [
  ['critical', 0.08],
  ['high', 0.25],
  ['medium', 0.47],
  ['low', 0.2],
] as const;

/**
 * Epics, their stories and the stories' tasks, parents before children. The first five
 * tasks of an active project take each status once so every status occurs; item numbers
 * follow creation time, as they would in the plugin.
 */
export function makeWorkItems(
  gen: PmGen,
  project: Project,
  sprints: readonly Sprint[],
): WorkItem[] {
  const items: WorkItem[] = [];
  project.spec.epics.forEach((epicSpec, epicIndex) => {
    const epic = newItem(
      gen,
      { project, type: 'epic', parent: null, position: epicIndex },
      epicSpec.title,
    );
    items.push(epic);
    epicSpec.stories.forEach((storyTitle, storyIndex) => {
      const story = newItem(
        gen,
        { project, type: 'story', parent: epic, position: storyIndex },
        storyTitle,
      );
      items.push(story);
      gen.rng.sample(gen.profile.tasks, gen.rng.int(2, 4)).forEach((taskTitle, position) => {
        const task = newItem(gen, { project, type: 'task', parent: story, position }, taskTitle);
        settleTask(gen, task, sprints, items.filter((item) => item.type === 'task').length);
        items.push(task);
      });
    });
  });
  rollUpStatuses(items);
  numberByCreation(items);
  return items;
}

/** Where a new work item sits in its project's tree. */
type Placement = Pick<WorkItem, 'project' | 'type' | 'parent' | 'position'>;

// Children are created a little after their parent; most tasks get an assignee, fewer epics.
const CREATION_SPREAD_DAYS = { epic: 5, story: 10, task: 20 };
const ASSIGNED_SHARE = { epic: 0.4, story: 0.5, task: 0.85 };

function newItem(gen: PmGen, placement: Placement, title: string): WorkItem {
  const { rng } = gen;
  const { project, type, parent } = placement;
  const after = parent?.createdAt ?? project.createdAt;
  const offset = rng.int(0, CREATION_SPREAD_DAYS[type]) * DAY + rng.int(0, 8 * 3600);
  const createdAt = Math.min(after + offset, DEMO_NOW - DAY);
  const assigned = rng.chance(ASSIGNED_SHARE[type]);
  return {
    ...placement,
    id: rng.uuid(),
    title,
    status: 'backlog',
    points: null,
    sprint: null,
    assigneeId: assigned ? rng.pick(project.editors).id : null,
    createdBy: rng.pick(project.editors).id,
    createdAt,
    updatedAt: createdAt,
    deletedAt: null,
    number: 0,
  };
}

// A task's status, sprint, points and last change, made consistent with each other.
function settleTask(
  gen: PmGen,
  task: WorkItem,
  sprints: readonly Sprint[],
  taskIndex: number,
): void {
  const { rng } = gen;
  task.status = taskStatus(gen, task.project, taskIndex);
  task.points = rng.chance(0.85) ? rng.pick([1, 2, 3, 5, 8]) : null;
  task.sprint = pickSprint(gen, task, sprints);
  const window = task.sprint ?? { start: task.createdAt, end: DEMO_NOW };
  const from = Math.max(task.createdAt, window.start);
  const to = Math.max(from, Math.min(window.end, DEMO_NOW));
  task.updatedAt = task.status === 'backlog' ? task.createdAt : rng.int(from, to);
  if (rng.chance(0.06)) task.deletedAt = Math.min(task.updatedAt + rng.int(1, 5) * DAY, DEMO_NOW);
}

function taskStatus(gen: PmGen, project: Project, taskIndex: number): Status {
  if (project.spec.archived) return 'done';
  const forced = STATUSES[taskIndex];
  if (forced !== undefined) return forced;
  return gen.rng.weighted(TASK_STATUSES);
}

function pickSprint(gen: PmGen, task: WorkItem, sprints: readonly Sprint[]): Sprint | null {
  const { rng } = gen;
  const active = sprints.find((sprint) => sprint.status === 'active') ?? null;
  if (task.status === 'backlog') {
    const planned = sprints.find((sprint) => sprint.status === 'planned');
    return planned !== undefined && rng.chance(0.3) ? planned : null;
  }
  if (task.status !== 'done') return active;
  const finished = sprints.filter((s) => s.status === 'completed' && s.end > task.createdAt);
  if (finished.length === 0 || (active !== null && rng.chance(0.2))) return active;
  return rng.pick(finished);
}

// Stories and epics follow their live children: done when all are, moving once any is.
function rollUpStatuses(items: readonly WorkItem[]): void {
  for (const type of ['story', 'epic'] as const) {
    for (const parent of items.filter((item) => item.type === type)) {
      const children = items.filter((item) => item.parent === parent && item.deletedAt === null);
      parent.status = rolledUp(children.map((child) => child.status));
      const latest = Math.max(parent.createdAt, ...children.map((child) => child.updatedAt));
      parent.updatedAt = parent.status === 'backlog' ? parent.createdAt : latest;
    }
  }
}

function rolledUp(statuses: readonly Status[]): Status {
  if (statuses.length > 0 && statuses.every((status) => status === 'done')) return 'done';
  if (statuses.some((status) => status !== 'backlog' && status !== 'todo')) return 'in_progress';
  return statuses.includes('todo') ? 'todo' : 'backlog';
}

function numberByCreation(items: readonly WorkItem[]): void {
  const order = items.map((item, index) => ({ item, index }));
  order.sort((a, b) => a.item.createdAt - b.item.createdAt || a.index - b.index);
  order.forEach(({ item }, index) => {
    item.number = index + 1;
  });
}

/** The pm_work_items row; version counts the status moves (and a deletion). */
export function workItemRow(gen: PmGen, item: WorkItem): Row {
  const { rng } = gen;
  return {
    id: item.id,
    item_type: item.type,
    parent_id: item.parent?.id ?? null,
    project_id: item.project.id,
    position: item.position,
    title: item.title,
    description: rng.chance(0.6) ? rng.pick(DESCRIPTIONS) : null,
    status: item.status,
    priority: rng.weighted(PRIORITIES),
    story_points: item.type === 'task' ? item.points : null,
    assignee_id: item.assigneeId,
    sprint_id: item.sprint?.id ?? null,
    item_number: item.number,
    version: 1 + statusSteps(item.status) + (item.deletedAt === null ? 0 : 1),
    created_at: item.createdAt,
    updated_at: item.deletedAt ?? item.updatedAt,
    created_by: item.createdBy,
    updated_by: item.assigneeId ?? item.createdBy,
    deleted_at: item.deletedAt,
  };
}
