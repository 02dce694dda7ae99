import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pooledReader } from '../../src/domain/pooled.js';
import { IN_PROCESS_ROWS, workItem, type WorkItemOptions } from '../../src/domain/work-item.js';
import { addItem, openDomainTenant, type DomainTenant } from './fixture.js';

const OPTIONS: WorkItemOptions = { comments: 5, activity: 10, includeDeleted: false };

let t: DomainTenant;

beforeEach(() => {
  t = openDomainTenant();
});

afterEach(() => {
  t.close();
});

function read(key: string, options: Partial<WorkItemOptions> = {}) {
  return workItem(t.db, pooledReader(t.pool), key, { ...OPTIONS, ...options });
}

/** Adds `count` comments to `item`, the newest last, made by a recursive CTE. */
function addComments(item: string, count: number, deletedAt: number | null = null): void {
  t.writer
    .prepare(
      `WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
       INSERT INTO pm_comments (id, work_item_id, content, created_at, updated_at, created_by,
         deleted_at)
       SELECT :item || '-c' || i || iif(:deleted IS NULL, '', '-d'), :item, 'comment ' || i,
         1700000000 + i, 1700000000 + i, 'u-ada', :deleted FROM n`,
    )
    .run({ item, count, deleted: deletedAt });
}

function pooledTables(): string[] {
  return t.pool.calls.map((sql) => /FROM (pm_\w+)/.exec(sql)?.[1] ?? sql);
}

describe('workItem', () => {
  it('reads an ordinary item wholly in process', async () => {
    const parent = addItem(t.writer, 1);
    addItem(t.writer, 2, { parent });
    addComments(parent, 3);

    const detail = await read('ACME-1');

    expect(detail).toMatchObject({ key: 'ACME-1', childCount: 1, commentCount: 3 });
    expect(detail.comments.map((c) => c.text)).toEqual(['comment 3', 'comment 2', 'comment 1']);
    expect(t.pool.calls).toEqual([]);
  });

  it('reads the comments of an item with more than the in-process limit in the pool', async () => {
    const item = addItem(t.writer, 1);
    const count = IN_PROCESS_ROWS + 500;
    addComments(item, count);

    const detail = await read('ACME-1');

    expect(detail.commentCount).toBe(count);
    expect(detail.comments.map((c) => c.text)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `comment ${count - i}`),
    );
    expect(pooledTables()).toEqual(['pm_comments']);
  });

  it('reads the children of an item with more than the in-process limit in the pool', async () => {
    const epic = addItem(t.writer, 1);
    const count = IN_PROCESS_ROWS + 1;
    for (let n = 2; n <= count + 1; n += 1) addItem(t.writer, n, { parent: epic });

    const detail = await read('ACME-1');

    expect(detail.childCount).toBe(count);
    expect(detail.children).toHaveLength(100);
    expect(detail.children[0]).toMatchObject({ key: 'ACME-2', assignee: 'Ada', points: 3 });
    expect(pooledTables()).toEqual(['pm_work_items']);
  });

  it('reads the lists no index covers in the pool when deleted rows are asked for', async () => {
    const item = addItem(t.writer, 1);
    addComments(item, 2);
    addComments(item, 1, 1700000500);

    const detail = await read('ACME-1', { includeDeleted: true });

    expect(detail.commentCount).toBe(3);
    expect(detail.comments.filter((c) => c.deleted)).toHaveLength(1);
    expect(pooledTables().sort()).toEqual([
      'pm_comments',
      'pm_dependencies',
      'pm_time_entries',
      'pm_time_entries',
      'pm_work_items',
    ]);
  });

  it('sums logged time over everyone, also past the cap on people listed', async () => {
    const item = addItem(t.writer, 1);
    t.writer.exec(`
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
      INSERT INTO users (id, email, name, created_at)
        SELECT 'u-' || i, 'user' || i || '@example.com', 'User ' || i, 1700000000 FROM n;
      WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
      INSERT INTO pm_time_entries (id, work_item_id, user_id, started_at, ended_at,
          duration_seconds, created_at, updated_at)
        SELECT 't-' || i, '${item}', 'u-' || i, 1700000000, 1700000060, 60, 1, 1 FROM n;`);

    const detail = await read('ACME-1');

    expect(detail.logged).toBe(120 * 60);
    expect(detail.loggedBy).toHaveLength(100);
    expect(detail.loggedBy[0]).toEqual({ user: 'User 1', seconds: 60 });
  });
});
