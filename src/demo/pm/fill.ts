import type Database from 'better-sqlite3';
import type { Staff } from '../platform/people.js';
import { DAY, DEMO_NOW } from '../profiles.js';
import type { TenantProfile } from '../profiles.js';
import type { Random } from '../random.js';
import { insertAll } from '../sql.js';
import type { Row } from '../sql.js';
import { activityRows, commentRows, dependencyRows, timeEntryRows } from './activity.js';
import type { WorkItem } from './model.js';
import {
  laneRows,
  makeProject,
  makeSprints,
  memberRows,
  projectRow,
  sprintRows,
} from './projects.js';
import type { PmGen } from './projects.js';
import { workItemRow, makeWorkItems } from './work-items.js';

type Tables = Record<string, Row[]>;

// Parents before children, so foreign keys hold row by row.
const INSERT_ORDER = [
  'pm_projects',
  'pm_project_members',
  'pm_swim_lanes',
  'pm_sprints',
  'pm_work_items',
  'pm_comments',
  'pm_time_entries',
  'pm_dependencies',
  'pm_activity_log',
  'pm_llm_context',
];

/**
 * Fills the pm_ tables of a migrated tenant file in one transaction. The seeded
 * pm_llm_context rows come from the migrations; only the tenant's own rules are added.
 */
export function writePm(
  db: Database.Database,
  profile: TenantProfile,
  staff: readonly Staff[],
  rng: Random,
): void {
  const tables = generate({ profile, rng, staff });
  db.transaction(() => {
    for (const table of INSERT_ORDER) insertAll(db, table, tables[table] ?? []);
  })();
}

function generate(gen: PmGen): Tables {
  const tables: Tables = Object.fromEntries(INSERT_ORDER.map((table) => [table, []]));
  const add = (table: string, rows: readonly Row[]): void => {
    tables[table]?.push(...rows);
  };
  const allItems: WorkItem[] = [];
  for (const spec of gen.profile.projects) {
    const project = makeProject(gen, spec);
    const sprints = makeSprints(gen, project);
    const items = makeWorkItems(gen, project, sprints);
    const comments = commentRows(gen, items);
    allItems.push(...items);
    add('pm_projects', [projectRow(project, items.length)]);
    add('pm_project_members', memberRows(gen, project));
    add('pm_swim_lanes', laneRows(gen, project));
    add('pm_sprints', sprintRows(gen, project, sprints, velocities(items)));
    add(
      'pm_work_items',
      items.map((item) => workItemRow(gen, item)),
    );
    add('pm_comments', comments);
    add('pm_dependencies', dependencyRows(gen, project, items));
    add('pm_activity_log', activityRows(gen, project, sprints, items, comments));
  }
  add('pm_time_entries', timeEntryRows(gen, allItems));
  add('pm_llm_context', contextRows(gen));
  return tables;
}

// A sprint's velocity: story points of the live tasks it finished.
function velocities(items: readonly WorkItem[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const item of items) {
    if (item.sprint === null || item.status !== 'done' || item.deletedAt !== null) continue;
    totals.set(item.sprint.id, (totals.get(item.sprint.id) ?? 0) + (item.points ?? 0));
  }
  return totals;
}

function contextRows(gen: PmGen): Row[] {
  return gen.profile.rules.map((rule) => {
    const createdAt = DEMO_NOW - gen.rng.int(1, 30) * DAY;
    return {
      id: gen.rng.uuid(),
      context_type: 'business_rule',
      category: 'tenant',
      title: rule.title,
      content: rule.content,
      example_sql: rule.exampleSql,
      example_description: rule.exampleDescription,
      priority: 60,
      created_at: createdAt,
      updated_at: createdAt,
      deleted_at: null,
    };
  });
}
