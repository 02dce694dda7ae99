import type { Staff } from '../platform/people.js';
import { DAY, DEMO_NOW } from '../profiles.js';
import type { ProjectSpec, TenantProfile } from '../profiles.js';
import type { Random } from '../random.js';
import type { Row } from '../sql.js';
import { STATUSES } from './model.js';
import type { Member, Project, Sprint } from './model.js';

/** What every pm_ generator draws on. */
export interface PmGen {
  profile: TenantProfile;
  rng: Random;
  staff: readonly Staff[];
}

const SPRINT_DAYS = 14;
const LANE_NAMES = ['Backlog', 'To do', 'In progress', 'Review', 'Done'];

/** A project with its members; archived projects are older. */
export function makeProject(gen: PmGen, spec: ProjectSpec): Project {
  const { rng, staff } = gen;
  const leaders = staff.filter((user) => user.role === 'owner' || user.role === 'admin');
  const creator = rng.pick(leaders);
  const members = projectMembers(gen, creator);
  return {
    id: rng.uuid(),
    spec,
    createdAt: DEMO_NOW - (spec.archived ? rng.int(330, 400) : rng.int(50, 85)) * DAY,
    createdBy: creator.id,
    members,
    editors: members.filter((member) => member.role !== 'viewer').map((member) => member.user),
  };
}

function projectMembers(gen: PmGen, creator: Staff): Member[] {
  const { rng, staff } = gen;
  const coaches = staff.filter((user) => user.role === 'coach');
  const members: Member[] = [{ user: creator, role: 'admin' }];
  for (const user of staff) {
    if (user.id === creator.id) continue;
    if (user.role === 'owner' || user.role === 'admin') members.push({ user, role: 'admin' });
    if (user.role === 'assistant' && rng.chance(0.7)) members.push({ user, role: 'viewer' });
  }
  for (const user of rng.sample(coaches, rng.int(3, 6))) members.push({ user, role: 'editor' });
  return members;
}

/** The pm_projects row; the item counter is known only once the items are. */
export function projectRow(project: Project, itemCount: number): Row {
  const archived = project.spec.archived;
  return {
    id: project.id,
    title: project.spec.title,
    description: project.spec.description,
    key: project.spec.key,
    status: archived ? 'archived' : 'active',
    version: archived ? 3 : 1,
    next_work_item_number: itemCount + 1,
    created_at: project.createdAt,
    updated_at: archived ? project.createdAt + 110 * DAY : project.createdAt,
    created_by: project.createdBy,
    updated_by: project.createdBy,
    deleted_at: null,
  };
}

/** pm_project_members rows. */
export function memberRows(gen: PmGen, project: Project): Row[] {
  return project.members.map((member) => ({
    id: gen.rng.uuid(),
    project_id: project.id,
    user_id: member.user.id,
    role: member.role,
    created_at: project.createdAt + gen.rng.int(0, 10) * DAY,
  }));
}

/** One swim lane per status, Backlog first and default. */
export function laneRows(gen: PmGen, project: Project): Row[] {
  return STATUSES.map((status, position) => ({
    id: gen.rng.uuid(),
    project_id: project.id,
    name: LANE_NAMES[position] ?? status,
    status_value: status,
    position,
    is_default: position === 0 ? 1 : 0,
    created_at: project.createdAt,
    updated_at: project.createdAt,
    deleted_at: null,
  }));
}

/**
 * Two-week sprints from the project's start. An active project has one sprint running
 * today and one planned after it; now and then a past sprint was cancelled.
 */
export function makeSprints(gen: PmGen, project: Project): Sprint[] {
  const { rng } = gen;
  const first = project.createdAt + rng.int(3, 10) * DAY;
  const sprints: Sprint[] = [];
  for (let start = first; sprints.length < 12; start += SPRINT_DAYS * DAY) {
    const end = start + SPRINT_DAYS * DAY - 1;
    const status = sprintStatus(project, start, end);
    if (status === null) break;
    const name = `${project.spec.key} Sprint ${sprints.length + 1}`;
    sprints.push({ id: rng.uuid(), projectId: project.id, name, start, end, status });
  }
  const cancellable = sprints.filter((sprint) => sprint.status === 'completed');
  if (cancellable.length > 2 && rng.chance(0.5))
    rng.pick(cancellable.slice(1)).status = 'cancelled';
  return sprints;
}

function sprintStatus(project: Project, start: number, end: number): Sprint['status'] | null {
  if (project.spec.archived) return end < project.createdAt + 100 * DAY ? 'completed' : null;
  if (end < DEMO_NOW) return 'completed';
  if (start <= DEMO_NOW) return 'active';
  return start <= DEMO_NOW + SPRINT_DAYS * DAY ? 'planned' : null;
}

/** pm_sprints rows; completed sprints carry the story points of their finished tasks. */
export function sprintRows(
  gen: PmGen,
  project: Project,
  sprints: readonly Sprint[],
  velocity: Map<string, number>,
): Row[] {
  const goals = project.spec.epics.map((epic) => `Move "${epic.title}" forward`);
  return sprints.map((sprint) => ({
    id: sprint.id,
    project_id: project.id,
    name: sprint.name,
    goal: gen.rng.chance(0.75) ? gen.rng.pick(goals) : null,
    start_date: sprint.start,
    end_date: sprint.end,
    status: sprint.status,
    velocity: sprint.status === 'completed' ? (velocity.get(sprint.id) ?? 0) : null,
    version: { planned: 1, active: 2, completed: 3, cancelled: 2 }[sprint.status],
    created_at: sprint.start - 3 * DAY,
    updated_at:
      sprint.status === 'planned' ? sprint.start - 3 * DAY : Math.min(sprint.end, DEMO_NOW),
    created_by: project.createdBy,
    updated_by: project.createdBy,
    deleted_at: null,
  }));
}
