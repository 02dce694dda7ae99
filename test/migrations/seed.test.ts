import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { migrateTenantFile } from '../../src/migrations/migrate.js';
import { MIGRATIONS_DIR, createHostFile, useTempDir, withDb } from './fixtures.js';

interface ContextRow {
  id: string;
  context_type: string;
  title: string;
  example_sql: string | null;
  priority: number;
}

const HOUR = 3600;

// One project, SPRING, with an epic, a story, tasks 11, 12 and 14 (14 blocks 12), a deleted
// item 13 that also "blocks" 12, a finished time entry and a running timer.
function projectData(now: number): string {
  const item = (n: number, type: string, parent: string | null, values: string): string => {
    const parentId = parent === null ? 'NULL' : `'${parent}'`;
    return `('w-${n}', '${type}', ${parentId}, 'p-1', ${n}, ${now}, ${now}, ${values})`;
  };
  return `
    INSERT INTO pm_projects (id, title, key, created_at, updated_at)
      VALUES ('p-1', 'Spring launch', 'SPRING', ${now}, ${now});
    INSERT INTO pm_sprints (id, project_id, name, start_date, end_date, status,
        created_at, updated_at)
      VALUES ('s-1', 'p-1', 'Sprint 1', ${now - 72 * HOUR}, ${now + 168 * HOUR}, 'active',
        ${now}, ${now});
    INSERT INTO pm_work_items (id, item_type, parent_id, project_id, item_number, created_at,
        updated_at, title, status, story_points, assignee_id, sprint_id, deleted_at) VALUES
      ${item(1, 'epic', null, `'Launch', 'in_progress', NULL, NULL, NULL, NULL`)},
      ${item(2, 'story', 'w-1', `'Intake form', 'in_progress', NULL, NULL, 's-1', NULL`)},
      ${item(11, 'task', 'w-2', `'Design form', 'done', 3, 'u-ada', 's-1', NULL`)},
      ${item(12, 'task', 'w-2', `'Build form', 'todo', 5, 'u-ben', 's-1', NULL`)},
      ${item(13, 'task', 'w-2', `'Old idea', 'todo', 1, 'u-ben', 's-1', ${now}`)},
      ${item(14, 'task', 'w-2', `'Pick a form library', 'review', 2, 'u-ada', 's-1', NULL`)};
    INSERT INTO pm_dependencies (id, blocking_item_id, blocked_item_id, created_at) VALUES
      ('d-1', 'w-14', 'w-12', ${now}), ('d-2', 'w-13', 'w-12', ${now}),
      ('d-3', 'w-11', 'w-12', ${now});
    INSERT INTO pm_time_entries (id, work_item_id, user_id, started_at, ended_at,
        duration_seconds, created_at, updated_at) VALUES
      ('t-1', 'w-11', 'u-ada', ${now - 26 * HOUR}, ${now - 24 * HOUR}, ${2 * HOUR}, ${now}, ${now}),
      ('t-2', 'w-12', 'u-ben', ${now - HOUR / 2}, NULL, NULL, ${now}, ${now});
  `;
}

describe('the pm_llm_context seed', () => {
  const tempDir = useTempDir();
  let file = '';

  beforeEach(() => {
    file = createHostFile(tempDir());
    migrateTenantFile(file, loadMigrations(MIGRATIONS_DIR), {
      busyTimeoutMs: 1000,
      logger: silentLogger(),
    });
    withDb(file, (db) => db.exec(projectData(Math.floor(Date.now() / 1000))));
  });

  function contextRows(): ContextRow[] {
    return withDb(file, (db) =>
      db.prepare('SELECT * FROM pm_llm_context ORDER BY priority DESC, title').all(),
    ) as ContextRow[];
  }

  function run(title: string): unknown[] {
    const sql = contextRows().find((row) => row.title === title)?.example_sql;
    if (!sql) throw new Error(`no example_sql titled ${title}`);
    return withDb(file, (db) => db.prepare(sql).all());
  }

  it('holds 20 to 30 live rows covering all five context types', () => {
    const rows = contextRows();

    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.length).toBeLessThanOrEqual(30);
    expect(new Set(rows.map((r) => r.context_type))).toEqual(
      new Set(['schema_doc', 'query_pattern', 'business_rule', 'example', 'instruction']),
    );
  });

  it('sorts the instructions first, starting with read-only access', () => {
    const rows = contextRows();

    expect(rows[0]?.title).toBe('Read-only access');
    expect(rows.slice(0, 4).map((r) => r.context_type)).toEqual(Array(4).fill('instruction'));
  });

  it('documents every table users work with', () => {
    const documented = contextRows()
      .filter((r) => r.context_type === 'schema_doc')
      .map((r) => r.title.split(':')[0]);

    expect(documented.sort()).toEqual([
      'pm_activity_log',
      'pm_comments',
      'pm_dependencies',
      'pm_project_members',
      'pm_projects',
      'pm_sprints',
      'pm_swim_lanes',
      'pm_time_entries',
      'pm_work_items',
    ]);
  });

  it('has example_sql that prepares as a read-only query and runs, for every row with one', () => {
    const examples = contextRows().filter((row) => row.example_sql !== null);

    expect(examples.length).toBeGreaterThanOrEqual(10);
    withDb(file, (db) => {
      for (const row of examples) {
        const statement = db.prepare(row.example_sql ?? '');
        expect({
          title: row.title,
          readonly: statement.readonly,
          reader: statement.reader,
        }).toEqual({
          title: row.title,
          readonly: true,
          reader: true,
        });
        expect(Array.isArray(statement.all())).toBe(true);
      }
    });
  });

  it('looks a work item up by KEY-N', () => {
    expect(run('Look up a work item by KEY-N')).toEqual([
      expect.objectContaining({ item: 'SPRING-12', title: 'Build form', assignee: 'Ben' }),
    ]);
  });

  it('finds only live, unfinished blockers', () => {
    expect(run('Open blockers of a work item')).toEqual([
      { blocker: 'SPRING-14', title: 'Pick a form library', status: 'review', assignee: 'Ada' },
    ]);
  });

  it('counts live items per status in workflow order', () => {
    expect(run('Work items by status in a project')).toEqual([
      { status: 'todo', items: 1 },
      { status: 'in_progress', items: 2 },
      { status: 'review', items: 1 },
      { status: 'done', items: 1 },
    ]);
  });

  it('sums story points of tasks only in the active sprint', () => {
    expect(run('Progress of the active sprint')).toEqual([
      expect.objectContaining({
        name: 'Sprint 1',
        items: 4,
        done_items: 1,
        points: 10,
        done_points: 3,
      }),
    ]);
  });

  it('lists the running timer with its person', () => {
    expect(run('Timers running now')).toEqual([
      expect.objectContaining({ item: 'SPRING-12', person: 'Ben' }),
    ]);
  });

  it('counts hours per person including running timers', () => {
    const rows = run('Time logged per person') as { person: string; hours: number }[];

    expect(rows.map((r) => r.person)).toEqual(['Ada', 'Ben']);
    expect(rows[0]?.hours).toBe(2);
  });

  it('lists open work assigned to a person by email', () => {
    expect(run('Open work assigned to a person')).toEqual([
      { item: 'SPRING-12', title: 'Build form', status: 'todo', priority: 'medium' },
    ]);
  });
});
