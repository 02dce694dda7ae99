import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data, failure, openFixture, type Fixture } from './fixture.js';

interface Hit {
  table: string;
  column: string;
  row: string;
  item?: string;
  snippet: string;
}

interface Found {
  hits: Hit[];
  more: boolean;
  notSearched: string[];
}

let f: Fixture;

beforeAll(async () => {
  f = await openFixture();
});

afterAll(async () => {
  await f.close();
});

async function search(args: Record<string, unknown>): Promise<Found> {
  return data<Found>(await f.conn.call('search', args));
}

function column(sql: string, ...params: unknown[]): string[] {
  return (
    f.db
      .prepare(sql)
      .pluck()
      .all(...params) as unknown[]
  )
    .map(String)
    .sort();
}

const LABEL = `p.key || '-' || w.item_number`;

describe('search in work items and comments', () => {
  it('finds work items by title and names them by KEY-N, leaving deleted ones out', async () => {
    const got = await search({ text: 'check on MOBILE', table: 'pm_work_items' });
    const live = column(
      `SELECT ${LABEL} FROM pm_work_items w JOIN pm_projects p ON p.id = w.project_id
       WHERE instr(lower(w.title), 'check on mobile') > 0 AND w.deleted_at IS NULL`,
    );
    expect(got.hits.map((h) => h.row).sort()).toEqual(live);
    expect(got.hits.every((h) => h.column === 'title' && /check on mobile/i.test(h.snippet))).toBe(
      true,
    );
    const all = await search({
      text: 'Check on mobile',
      table: 'pm_work_items',
      includeDeleted: true,
    });
    const every = column(
      `SELECT ${LABEL} FROM pm_work_items w JOIN pm_projects p ON p.id = w.project_id
       WHERE instr(w.title, 'Check on mobile') > 0`,
    );
    expect(every.length).toBe(live.length + 1);
    expect(all.hits.map((h) => h.row).sort()).toEqual(every);
  });

  it('finds comments and says which work item they belong to', async () => {
    const got = await search({ text: 'venue contract' });
    const comments = got.hits.filter((h) => h.table === 'pm_comments');
    const expected = f.db
      .prepare(
        `SELECT c.id, ${LABEL} AS item FROM pm_comments c
         JOIN pm_work_items w ON w.id = c.work_item_id JOIN pm_projects p ON p.id = w.project_id
         WHERE instr(c.content, 'venue contract') > 0 AND c.deleted_at IS NULL
           AND w.deleted_at IS NULL`,
      )
      .all() as { id: string; item: string }[];
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThanOrEqual(10);
    expect(comments.map((h) => `${h.row} ${h.item}`).sort()).toEqual(
      expected.map((e) => `id=${e.id} ${e.item}`).sort(),
    );
  });
});

describe('search in platform tables', () => {
  it('uses the FTS5 index of session notes and reports hits in session_notes', async () => {
    const got = await search({ text: 'burnout', limit: 100 });
    const notes = got.hits.filter((h) => h.table === 'session_notes');
    const containing = column(`SELECT 'id=' || id FROM session_notes WHERE body LIKE '%burnout%'`);
    expect(containing.length).toBeGreaterThan(10);
    expect(notes).toHaveLength(10);
    expect(notes.every((h) => h.column === 'body' && containing.includes(h.row))).toBe(true);
    expect(got.more).toBe(true);
  });

  it('scans text columns of the other tables with LIKE', async () => {
    const got = await search({ text: 'burnout', limit: 100 });
    const programs = got.hits.filter((h) => h.table === 'programs').map((h) => h.row);
    expect(programs.sort()).toEqual(
      column(
        `SELECT 'id=' || id FROM programs
         WHERE name LIKE '%burnout%' OR description LIKE '%burnout%'`,
      ),
    );
    expect(programs.length).toBeGreaterThan(0);
  });

  it('names a composite key column by column', async () => {
    const got = await search({ text: 'c-suite', table: 'client tags' });
    expect(got.hits.map((h) => h.row).sort()).toEqual(
      column(`SELECT 'client_id=' || client_id || ', tag=' || tag FROM "client tags"
              WHERE tag = 'c-suite'`),
    );
  });

  it('accepts the FTS table by its own name', async () => {
    const got = await search({ text: 'burnout', table: 'session_notes_fts' });
    expect(got.hits.length).toBeGreaterThan(0);
    expect(got.hits.every((h) => h.table === 'session_notes')).toBe(true);
  });
});

describe('search input is matched literally', () => {
  it('treats % and _ as plain characters', async () => {
    for (const text of ['%', '_']) {
      const got = await search({ text, table: 'pm_work_items', limit: 100 });
      const expected = column(
        `SELECT ${LABEL} FROM pm_work_items w JOIN pm_projects p ON p.id = w.project_id
         WHERE (instr(w.title, ?) > 0 OR instr(w.description, ?) > 0)
           AND w.deleted_at IS NULL`,
        text,
        text,
      );
      expect(got.hits.map((h) => h.row).sort(), text).toEqual(expected);
    }
  });

  it('passes no FTS5 query syntax through', async () => {
    const either = await search({ text: 'burnout OR boundaries', table: 'session_notes' });
    expect(either.hits.every((h) => /burnout or boundaries/i.test(h.snippet))).toBe(true);
    for (const text of ['"', 'body:burnout', 'NEAR(burnout boundaries)', 'burn*', "') --"]) {
      const result = await f.conn.call('search', { text });
      expect(result.isError, text).toBeFalsy();
    }
  });

  it('refuses text holding a NUL, which SQLite would cut short', async () => {
    const result = await f.conn.call('search', { text: 'a\u0000zzzz' });
    expect(result.isError).toBe(true);
    expect(failure(result)).toMatch(/must not contain NUL/);
  });

  it('refuses a table it cannot search', async () => {
    expect(failure(await f.conn.call('search', { text: 'x', table: 'nope' }))).toMatch(
      /^TABLE_NOT_FOUND: /,
    );
  });

  it('stops at the overall limit and says what it did not search', async () => {
    const got = await search({ text: 'e', limit: 3 });
    expect(got.hits).toHaveLength(3);
    expect(got.more).toBe(true);
    expect(got.notSearched.length).toBeGreaterThan(0);
  });
});
