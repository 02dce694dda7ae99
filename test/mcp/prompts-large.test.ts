import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixture, promptCompletions, promptText, type Fixture } from './fixture.js';

const PROJECTS = 5000;
const SPRINTS = 3000;
const RULES = 300;

let f: Fixture;

// Thousands of projects BP1..BP5000, thousands of sprints in project BIG, many rules.
function grow(db: Database.Database): void {
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${PROJECTS})
    INSERT INTO pm_projects (id, title, key, created_at, updated_at)
      SELECT 'bp-' || i, 'Bulk ' || i, 'BP' || i, i, i FROM n;
    INSERT INTO pm_projects (id, title, key, created_at, updated_at)
      VALUES ('big', 'Big', 'BIG', 1, 1), ('mix', 'Mixed', 'MixCase', 1, 1);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SPRINTS})
    INSERT INTO pm_sprints (id, project_id, name, start_date, end_date, created_at, updated_at)
      SELECT 'big-' || i, 'big', 'Sprint ' || i, i * 86400, i * 86400 + 14 * 86400, i, i FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${RULES})
    INSERT INTO pm_llm_context (id, context_type, title, content, priority, created_at, updated_at)
      SELECT 'rule-' || i, 'business_rule', printf('Bulk rule %04d', i), 'Applies.', -i, i, i
      FROM n;
  `);
}

beforeAll(async () => {
  f = await openFixture({ prepare: grow });
});

afterAll(async () => {
  await f.close();
});

describe('completion on a tenant with thousands of projects and sprints', () => {
  it('completes BP9 to the first keys in order that start with it, at most 50', async () => {
    const got = await promptCompletions(f, 'project_report', 'project', 'BP9');
    const expected = f.db
      .prepare(`SELECT key FROM pm_projects WHERE key GLOB 'BP9*' ORDER BY key LIMIT 50`)
      .pluck()
      .all();
    expect(got).toHaveLength(50);
    expect(got).toEqual(expected);
    expect(got[0]).toBe('BP9');
  });

  it('completes a key typed in lower case and one no project starts with', async () => {
    expect(await promptCompletions(f, 'sprint_review', 'project', 'bp4999')).toEqual(['BP4999']);
    expect(await promptCompletions(f, 'sprint_review', 'project', 'bp50000')).toEqual([]);
  });

  it('finds Sprint 9 first among the many names that contain it', async () => {
    const got = await promptCompletions(f, 'sprint_review', 'sprint', 'Sprint 9', {
      project: 'BIG',
    });
    expect(got[0]).toBe('Sprint 9');
    expect(got.length).toBe(50);
    expect(got.every((n) => n.startsWith('Sprint 9'))).toBe(true);
  });

  it('matches any part of a sprint name, ignoring case', async () => {
    const got = await promptCompletions(f, 'sprint_review', 'sprint', 'INT 2999', {
      project: 'big',
    });
    expect(got).toEqual(['Sprint 2999']);
  });
});

describe('prompts on a tenant with thousands of projects and sprints', () => {
  it('project_report finds the last project created, in any case', async () => {
    const text = await promptText(f, 'project_report', { project: `bp${PROJECTS}` });
    expect(text).toContain(`Write a status report for project BP${PROJECTS} "Bulk ${PROJECTS}"`);
  });

  it('sprint_review finds the last sprint created and refuses one that does not exist', async () => {
    const text = await promptText(f, 'sprint_review', {
      project: 'BIG',
      sprint: `sprint ${SPRINTS}`,
    });
    expect(text).toContain(`Review sprint "Sprint ${SPRINTS}"`);
    await expect(
      promptText(f, 'sprint_review', { project: 'BIG', sprint: 'nope' }),
    ).rejects.toThrow(/NOT_FOUND/);
  });

  it('project_report finds a key stored in mixed case from any spelling', async () => {
    const text = await promptText(f, 'project_report', { project: 'MIXCASE' });
    expect(text).toContain('Write a status report for project MixCase "Mixed"');
    expect(await promptCompletions(f, 'project_report', 'project', 'mIX')).toEqual(['MixCase']);
  });

  it('project_report refuses an unknown key and names some keys that exist', async () => {
    await expect(promptText(f, 'project_report', { project: 'BP99999' })).rejects.toThrow(
      /PROJECT_NOT_FOUND/,
    );
  });

  it('shows at most 20 rules, the highest priority first', async () => {
    const text = await promptText(f, 'project_report', { project: 'BIG' });
    const shown = text.split('\n').filter((line) => line.startsWith('- '));
    const expected = f.db
      .prepare(
        `SELECT title FROM pm_llm_context WHERE deleted_at IS NULL
           AND context_type = 'business_rule' ORDER BY priority DESC, title, id LIMIT 20`,
      )
      .pluck()
      .all() as string[];
    expect(shown).toHaveLength(20);
    expect(shown.map((line) => line.slice(2, line.indexOf(': ')))).toEqual(expected);
  });
});
