import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blockedItems } from '../../src/domain/blockers.js';
import { pooledReader } from '../../src/domain/pooled.js';
import { projectStatus } from '../../src/domain/project-status.js';
import { workload } from '../../src/domain/workload.js';
import { addItem, openDomainTenant, type DomainTenant } from './fixture.js';

let t: DomainTenant;

beforeEach(() => {
  t = openDomainTenant();
  // Item 2 blocks item 1; an hour was logged on item 1; a timer runs on item 2.
  const blocked = addItem(t.writer, 1);
  const blocking = addItem(t.writer, 2, { status: 'in_progress' });
  addItem(t.writer, 3, { status: 'done' });
  t.writer.exec(`
    INSERT INTO pm_dependencies (id, blocking_item_id, blocked_item_id, created_at)
      VALUES ('d-1', '${blocking}', '${blocked}', 1700000000);
    INSERT INTO pm_time_entries (id, work_item_id, user_id, started_at, ended_at,
        duration_seconds, created_at, updated_at)
      VALUES ('t-1', '${blocked}', 'u-ada', 1700000000, 1700003600, 3600, 1, 1),
             ('t-2', '${blocking}', 'u-ada', 1700010000, NULL, NULL, 1, 1);`);
});

afterEach(() => {
  t.close();
});

describe('the aggregating tools', () => {
  it('project_status sums items, time and blockers in the pool', async () => {
    const status = await projectStatus(t.db, pooledReader(t.pool), 'ACME');

    expect(status).toMatchObject({
      items: 3,
      byStatus: { todo: 1, in_progress: 1, done: 1 },
      points: 9,
      pointsDone: 3,
      loggedSeconds: 3600,
      runningTimers: 1,
      blocked: 1,
      openBlockers: 1,
      sprint: null,
    });
    // The active sprint is looked up there too: only the project column of sprints is indexed.
    expect(t.pool.calls).toHaveLength(4);
  });

  it('workload reads open items, time and timers in the pool', async () => {
    const load = await workload(t.db, pooledReader(t.pool), { days: 7, now: 1700020000 });

    expect(load.people).toEqual([
      {
        name: 'Ada',
        open: 2,
        byStatus: { todo: 1, in_progress: 1 },
        points: 6,
        loggedSeconds: 3600,
        running: [{ key: 'ACME-2', since: '2023-11-15T01:00:00Z' }],
      },
    ]);
    expect(t.pool.calls).toHaveLength(3);
  });

  it('blocked_items lists blocks in the pool', async () => {
    const blocked = await blockedItems(t.db, pooledReader(t.pool), {});

    expect(blocked.links).toBe(1);
    expect(blocked.items.map((i) => [i.key, i.by.map((b) => b.key)])).toEqual([
      ['ACME-1', ['ACME-2']],
    ]);
    expect(blocked.truncated).toBeUndefined();
    expect(t.pool.calls).toHaveLength(1);
  });

  it('blocked_items says the list was cut when the pool cut it', async () => {
    const runner = {
      run: async (request: Parameters<typeof t.pool.run>[0]) => ({
        ...(await t.pool.run(request)),
        truncated: { reason: 'byte_limit' as const },
      }),
    };

    const blocked = await blockedItems(t.db, pooledReader(runner), {});

    expect(blocked.truncated).toBe(true);
  });
});
