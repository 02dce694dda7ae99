import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DemoRoot, DemoTenant } from '../../src/demo/build.js';
import { PLATFORM_TABLES } from '../../src/demo/platform/schema.js';
import { DEMO_TENANTS } from '../../src/demo/profiles.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { migrateTenantFile } from '../../src/migrations/migrate.js';
import { buildSmall, MIGRATIONS_DIR, readTenant, tempDir } from './helpers.js';

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

let root: ReturnType<typeof tempDir>;
let demo: DemoRoot;

beforeAll(() => {
  root = tempDir();
  demo = buildSmall(root.dir);
});

afterAll(() => root.cleanup());

function tenant(index: number): DemoTenant {
  const found = demo.tenants[index];
  if (found === undefined) throw new Error(`no demo tenant ${index}`);
  return found;
}

// Walks a PNG's chunks, checking each CRC, and returns the size of the inflated image data.
function pngPixelBytes(png: Buffer): number {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let data: Buffer = Buffer.alloc(0);
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const typed = png.subarray(at + 4, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typed));
    if (typed.subarray(0, 4).toString('latin1') === 'IDAT') data = typed.subarray(4);
    at += 12 + length;
  }
  return inflateSync(data).length;
}

function bothTenants(check: (tenant: DemoTenant) => void): void {
  for (const each of demo.tenants) check(each);
}

describe('the demo data root', () => {
  test('holds two tenants with valid ids at tenants/<id>/main.db, in WAL mode', () => {
    expect(demo.tenants.map((each) => each.id)).toEqual(['northwind-coaching', 'sakura-mentors']);
    bothTenants((each) => {
      expect(each.id, each.id).toMatch(TENANT_ID);
      expect(each.file).toBe(join(demo.root, 'tenants', each.id, 'main.db'));
      expect(existsSync(each.file), each.file).toBe(true);
      expect(readTenant(each.file, (db) => db.pragma('journal_mode', { simple: true }))).toBe(
        'wal',
      );
    });
  });

  test('fills every platform table and reports row counts that match the file', () => {
    bothTenants((each) => {
      for (const table of PLATFORM_TABLES) {
        expect(each.rowCounts[table], `${each.id} ${table}`).toBeGreaterThan(0);
      }
      const users = readTenant(each.file, (db) =>
        db.prepare('SELECT count(*) FROM users').pluck().get(),
      );
      expect(each.rowCounts.users).toBe(users);
    });
  });

  test('leaves the tenant files migrated: a second migration run has nothing to apply', () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    bothTenants((each) => {
      const outcome = migrateTenantFile(each.file, migrations, {
        busyTimeoutMs: 1000,
        logger: silentLogger(),
      });
      expect(outcome.alreadyCurrent, each.id).toBe(true);
    });
  });
});

describe('the platform tables', () => {
  test('store invoice references above 2^53 exactly, readable with safe integers', () => {
    const refs = readTenant(tenant(0).file, (db) =>
      db
        .prepare('SELECT external_ref FROM invoices WHERE external_ref IS NOT NULL ORDER BY id')
        .pluck()
        .safeIntegers(true)
        .all(),
    ) as bigint[];
    expect(refs[0]).toBe(9007199254740993n);
    expect(refs.every((ref) => ref > 2n ** 53n)).toBe(true);
  });

  test('answer through the active_enrollments view and the session_notes_fts index', () => {
    bothTenants((each) => {
      readTenant(each.file, (db) => {
        const active = db.prepare('SELECT client_name, program_name FROM active_enrollments').all();
        expect(active.length, each.id).toBeGreaterThan(0);
        const matches = db
          .prepare(
            `SELECT n.body FROM session_notes_fts f JOIN session_notes n ON n.id = f.rowid
             WHERE session_notes_fts MATCH 'delegation'`,
          )
          .pluck()
          .all() as string[];
        expect(matches.length, each.id).toBeGreaterThan(0);
        expect(matches.every((body) => body.includes('delegation'))).toBe(true);
      });
    });
  });

  test('include a BLOB, a generated column, a WITHOUT ROWID table and quoted names', () => {
    readTenant(tenant(0).file, (db) => {
      const avatar = db
        .prepare('SELECT avatar FROM clients WHERE avatar IS NOT NULL LIMIT 1')
        .pluck()
        .get() as Buffer;
      expect(pngPixelBytes(avatar)).toBe(8 * (1 + 8 * 3));
      const totals = db
        .prepare('SELECT count(*) FROM invoices WHERE total_cents <> amount_cents + tax_cents')
        .pluck()
        .get();
      expect(totals).toBe(0);
      const withoutRowid = db
        .prepare("SELECT sql FROM sqlite_schema WHERE name = 'team_members'")
        .pluck()
        .get();
      expect(withoutRowid).toContain('WITHOUT ROWID');
      const groups = db.prepare('SELECT count(DISTINCT "group") FROM "client tags"').pluck().get();
      expect(groups).toBeGreaterThan(1);
    });
  });

  test('name people in many scripts and leave optional columns NULL', () => {
    const names = readTenant(tenant(0).file, (db) =>
      db.prepare('SELECT name FROM users UNION ALL SELECT full_name FROM clients').pluck().all(),
    ) as string[];
    const scripts = [
      /\p{Script=Latin}/u,
      /\p{Script=Greek}|\p{Script=Cyrillic}/u,
      /\p{Script=Arabic}|\p{Script=Hebrew}/u,
    ];
    for (const script of scripts)
      expect(
        names.some((name) => script.test(name)),
        String(script),
      ).toBe(true);
    const nulls = readTenant(tenant(1).file, (db) =>
      db.prepare('SELECT count(*) FROM clients WHERE phone IS NULL').pluck().get(),
    );
    expect(nulls).toBeGreaterThan(0);
  });
});

describe('the pm_ tables', () => {
  test('number work items below next_work_item_number, without gaps or repeats', () => {
    bothTenants((each) => {
      const projects = readTenant(each.file, (db) =>
        db
          .prepare(
            `SELECT p.key, p.next_work_item_number AS next, max(w.item_number) AS top,
                    count(*) AS n, count(DISTINCT w.item_number) AS distinctNumbers
             FROM pm_projects p JOIN pm_work_items w ON w.project_id = p.id
             GROUP BY p.id`,
          )
          .all(),
      ) as { key: string; next: number; top: number; n: number; distinctNumbers: number }[];
      expect(projects.length).toBeGreaterThanOrEqual(3);
      for (const project of projects) {
        expect(project.top, `${each.id} ${project.key}`).toBeLessThan(project.next);
        expect(project.distinctNumbers).toBe(project.n);
        expect(project.top).toBe(project.n);
      }
    });
  });

  test('set story points only on tasks', () => {
    bothTenants((each) => {
      const misplaced = readTenant(each.file, (db) =>
        db
          .prepare(
            `SELECT count(*) FROM pm_work_items
             WHERE item_type <> 'task' AND story_points IS NOT NULL`,
          )
          .pluck()
          .get(),
      );
      expect(misplaced, each.id).toBe(0);
    });
  });

  test('use every status, soft-delete some items and keep at most one active sprint', () => {
    bothTenants((each) => {
      readTenant(each.file, (db) => {
        const statuses = db
          .prepare('SELECT DISTINCT status FROM pm_work_items ORDER BY status')
          .pluck()
          .all();
        expect(statuses).toEqual(['backlog', 'done', 'in_progress', 'review', 'todo']);
        const deleted = db.prepare(
          'SELECT count(*) FROM pm_work_items WHERE deleted_at IS NOT NULL',
        );
        expect(deleted.pluck().get()).toBeGreaterThan(0);
        const active = db.prepare(
          `SELECT max(n) FROM
             (SELECT count(*) AS n FROM pm_sprints WHERE status = 'active' GROUP BY project_id)`,
        );
        expect(active.pluck().get()).toBe(1);
      });
    });
  });

  test('have running timers, open blockers, lanes, members and activity', () => {
    bothTenants((each) => {
      readTenant(each.file, (db) => {
        const count = (sql: string): unknown => db.prepare(sql).pluck().get();
        expect(
          count('SELECT count(*) FROM pm_time_entries WHERE ended_at IS NULL'),
        ).toBeGreaterThan(0);
        expect(
          count(
            `SELECT count(*) FROM pm_dependencies d
             JOIN pm_work_items w ON w.id = d.blocking_item_id
             WHERE d.dependency_type = 'blocks' AND w.status <> 'done'`,
          ),
        ).toBeGreaterThan(0);
        expect(count('SELECT count(*) FROM pm_swim_lanes')).toBe(
          5 * Number(count('SELECT count(*) FROM pm_projects')),
        );
        expect(count('SELECT count(*) FROM pm_project_members')).toBeGreaterThan(0);
        expect(count('SELECT count(*) FROM pm_activity_log')).toBeGreaterThan(0);
        expect(db.pragma('foreign_key_check')).toEqual([]);
      });
    });
  });

  test("keep the seeded guidance and add the tenant's own business rules", () => {
    bothTenants((each) => {
      const profile = DEMO_TENANTS.find((candidate) => candidate.id === each.id);
      readTenant(each.file, (db) => {
        const own = db
          .prepare(
            `SELECT title FROM pm_llm_context
             WHERE category = 'tenant' AND context_type = 'business_rule' ORDER BY rowid`,
          )
          .pluck()
          .all();
        expect(own).toEqual(profile?.rules.map((rule) => rule.title));
        const examples = db
          .prepare("SELECT example_sql FROM pm_llm_context WHERE category = 'tenant'")
          .pluck()
          .all() as (string | null)[];
        for (const sql of examples.filter((text) => text !== null)) {
          expect(db.prepare(sql).all().length, sql).toBeGreaterThan(0);
        }
        const seeded = db.prepare("SELECT count(*) FROM pm_llm_context WHERE category <> 'tenant'");
        expect(seeded.pluck().get(), each.id).toBeGreaterThan(0);
      });
    });
  });
});

test('the two tenants differ in name, size and data', () => {
  const [first, second] = [tenant(0), tenant(1)];
  expect(first.name).not.toBe(second.name);
  expect(first.rowCounts.clients).not.toBe(second.rowCounts.clients);
  const keys = demo.tenants.map((each) =>
    readTenant(each.file, (db) =>
      db.prepare('SELECT key FROM pm_projects ORDER BY key').pluck().all(),
    ),
  );
  expect(keys[0]).not.toEqual(keys[1]);
});
