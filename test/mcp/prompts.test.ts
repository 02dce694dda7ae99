import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixture, promptCompletions, promptText, type Fixture } from './fixture.js';

let f: Fixture;

beforeAll(async () => {
  f = await openFixture();
});

afterAll(async () => {
  await f.close();
});

function sprints(projectKey?: string): string[] {
  return f.db
    .prepare(
      `SELECT s.name FROM pm_sprints s JOIN pm_projects p ON p.id = s.project_id
       WHERE s.deleted_at IS NULL AND (@key IS NULL OR p.key = @key)`,
    )
    .pluck()
    .all({ key: projectKey ?? null }) as string[];
}

function businessRules(): string[] {
  return f.db
    .prepare(
      `SELECT title FROM pm_llm_context WHERE deleted_at IS NULL AND context_type = 'business_rule'
       ORDER BY priority DESC, title`,
    )
    .pluck()
    .all() as string[];
}

describe('prompts', () => {
  it('are listed with their arguments, client_summary included where clients exist', async () => {
    const { prompts } = await f.conn.client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual([
      'client_summary',
      'project_report',
      'sprint_review',
    ]);
    const review = prompts.find((p) => p.name === 'sprint_review');
    expect(review?.arguments).toEqual([
      expect.objectContaining({ name: 'project', required: true }),
      expect.objectContaining({ name: 'sprint', required: false }),
    ]);
  });
});

describe('argument completion', () => {
  it('offers nothing for a value no name could start with', async () => {
    expect(await promptCompletions(f, 'client_summary', 'client', 'x'.repeat(1_000_000))).toEqual(
      [],
    );
    expect(await promptCompletions(f, 'project_report', 'project', 'S\u0000')).toEqual([]);
  });

  it('completes project keys from their first letters, in any case', async () => {
    expect(await promptCompletions(f, 'project_report', 'project', 'sP')).toEqual(['SPRING']);
    expect((await promptCompletions(f, 'sprint_review', 'project', '')).sort()).toEqual(
      f.db
        .prepare('SELECT key FROM pm_projects WHERE deleted_at IS NULL ORDER BY key')
        .pluck()
        .all(),
    );
  });

  it('completes sprint names of the project already chosen', async () => {
    const got = await promptCompletions(f, 'sprint_review', 'sprint', 'sprint', { project: 'web' });
    expect(got.sort()).toEqual(sprints('WEB').sort());
    const everywhere = await promptCompletions(f, 'sprint_review', 'sprint', 'Sprint 1');
    expect(everywhere.sort()).toEqual(
      sprints()
        .filter((s) => s.includes('Sprint 1'))
        .sort(),
    );
    expect(await promptCompletions(f, 'sprint_review', 'sprint', '', { project: 'NOPE' })).toEqual(
      [],
    );
  });

  it('completes client names from the clients table', async () => {
    const got = await promptCompletions(f, 'client_summary', 'client', 'am');
    const expected = f.db
      .prepare(`SELECT DISTINCT full_name FROM clients WHERE full_name LIKE 'am%' ORDER BY 1`)
      .pluck()
      .all();
    expect(got).toEqual(expected);
    expect(await promptCompletions(f, 'client_summary', 'client', '%')).toEqual([]);
  });
});

describe('prompt messages', () => {
  it("sprint_review names the active sprint, the calls to make and the tenant's rules", async () => {
    const active = f.db
      .prepare(
        `SELECT s.name FROM pm_sprints s JOIN pm_projects p ON p.id = s.project_id
         WHERE p.key = 'SPRING' AND s.status = 'active' AND s.deleted_at IS NULL`,
      )
      .pluck()
      .get() as string;
    const text = await promptText(f, 'sprint_review', { project: 'spring' });
    expect(text).toContain(`Review sprint "${active}"`);
    expect(text).toContain(`project_status {"key":"SPRING","sprint":${JSON.stringify(active)}}`);
    expect(text).toContain('blocked_items {"project":"SPRING"}');
    const rules = businessRules();
    const positions = rules.map((title) => text.indexOf(`- ${title}: `));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('sprint_review takes a named sprint and refuses an unknown one', async () => {
    const [name] = sprints('ONBOARD');
    const text = await promptText(f, 'sprint_review', { project: 'ONBOARD', sprint: name! });
    expect(text).toContain(`Review sprint "${name}"`);
    await expect(
      promptText(f, 'sprint_review', { project: 'ONBOARD', sprint: 'Sprint 99' }),
    ).rejects.toThrow(/NOT_FOUND/);
  });

  it('project_report points at the domain tools and refuses an unknown project', async () => {
    const text = await promptText(f, 'project_report', { project: 'WEB' });
    for (const call of ['project_status {"key":"WEB"}', 'workload {"project":"WEB"}']) {
      expect(text).toContain(call);
    }
    await expect(promptText(f, 'project_report', { project: 'NOPE' })).rejects.toThrow(
      /PROJECT_NOT_FOUND/,
    );
  });

  it('client_summary finds the client by name and names the tables that point at it', async () => {
    // SQLite folds ASCII case only, so the name asked for in capitals is an ASCII one.
    const client = f.db
      .prepare(
        `SELECT id, full_name FROM clients WHERE full_name NOT GLOB '*[^ -~]*'
         ORDER BY id LIMIT 1`,
      )
      .get() as { id: number; full_name: string };
    const text = await promptText(f, 'client_summary', { client: client.full_name.toUpperCase() });
    expect(text).toContain(`client "${client.full_name}" (clients.id = ${client.id})`);
    expect(text).toContain('coaching_sessions (client_id)');
    expect(text).toContain(`search {"text":${JSON.stringify(client.full_name)}}`);
    await expect(promptText(f, 'client_summary', { client: 'Nobody Atall' })).rejects.toThrow(
      /NOT_FOUND/,
    );
  });
});

describe('a tenant without a clients table', () => {
  it('gets no client_summary prompt', async () => {
    const bare = await openFixture({
      tenant: 1,
      prepare: (db) => db.exec('ALTER TABLE clients RENAME TO customers'),
    });
    try {
      const { prompts } = await bare.conn.client.listPrompts();
      expect(prompts.map((p) => p.name)).not.toContain('client_summary');
    } finally {
      await bare.close();
    }
  });
});
