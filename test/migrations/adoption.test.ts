import { describe, expect, it } from 'vitest';
import {
  adoptableCount,
  hasPmTables,
  pmShapeDifferences,
  pmTableShapes,
  shapeDifferences,
  shapesAfterEach,
  type TableShapes,
} from '../../src/migrations/adoption.js';
import { loadMigrations, migrationChecksum, type Migration } from '../../src/migrations/catalog.js';
import {
  MIGRATIONS_DIR,
  PM_TABLES,
  createHostFile,
  failureOf,
  useTempDir,
  withDb,
} from './fixtures.js';

const shipped = loadMigrations(MIGRATIONS_DIR);

function migration(id: number, sql: string): Migration {
  return { id, name: `step${id}`, sql, checksum: migrationChecksum(sql) };
}

function shapes(tables: Record<string, Record<string, string>>): TableShapes {
  return new Map(
    Object.entries(tables).map(([table, columns]) => [table, new Map(Object.entries(columns))]),
  );
}

describe('shapesAfterEach', () => {
  it('finds every table of migration 1 with its declared column types', () => {
    const [afterSchema] = shapesAfterEach(shipped);

    expect([...(afterSchema?.tables.keys() ?? [])]).toEqual(PM_TABLES);
    expect(Object.fromEntries(afterSchema?.tables.get('pm_swim_lanes') ?? [])).toEqual({
      id: 'TEXT',
      project_id: 'TEXT',
      name: 'TEXT',
      status_value: 'TEXT',
      position: 'INTEGER',
      is_default: 'INTEGER',
      created_at: 'INTEGER',
      updated_at: 'INTEGER',
      deleted_at: 'INTEGER',
    });
    expect(afterSchema?.indexes.get('pm_work_items_status_idx')).toBe('pm_work_items');
  });

  it('gives the data-only seed migration the same shape as the schema before it', () => {
    const [afterSchema, afterSeed] = shapesAfterEach(shipped);

    expect(afterSeed).toEqual(afterSchema);
  });

  it('stops before a migration that needs more of a host than a users table', () => {
    const shapes = shapesAfterEach([
      migration(1, 'CREATE TABLE pm_a (id TEXT);'),
      migration(2, 'CREATE INDEX pm_clients_idx ON clients (name);'),
      migration(3, 'CREATE TABLE pm_b (id TEXT);'),
    ]);

    expect(shapes).toHaveLength(1);
  });
});

describe('pmTableShapes', () => {
  const tempDir = useTempDir();

  it('ignores platform tables and the ledger', () => {
    const file = createHostFile(tempDir());
    const found = withDb(file, (db) => {
      const before = hasPmTables(db);
      db.exec('CREATE TABLE pm_schema_migrations (id INTEGER); CREATE TABLE pm_a (id text, n)');
      return { before, after: hasPmTables(db), shapes: pmTableShapes(db) };
    });

    expect(found.before).toBe(false);
    expect(found.after).toBe(true);
    expect(found.shapes).toEqual(shapes({ pm_a: { id: 'TEXT', n: '' } }));
  });
});

describe('shapeDifferences', () => {
  it('is empty for equal shapes', () => {
    const same = shapes({ pm_a: { id: 'TEXT' } });

    expect(shapeDifferences(same, shapes({ pm_a: { id: 'TEXT' } }))).toEqual([]);
  });

  it('names missing and extra tables and columns and differing types', () => {
    const actual = shapes({ pm_a: { id: 'INTEGER', extra: 'TEXT' }, pm_c: { id: 'TEXT' } });
    const expected = shapes({ pm_a: { id: 'TEXT', title: 'TEXT' }, pm_b: { id: 'TEXT' } });

    expect(shapeDifferences(actual, expected)).toEqual([
      'column pm_a.id is INTEGER, want TEXT',
      'missing column pm_a.title',
      'extra column pm_a.extra',
      'missing table pm_b',
      'extra table pm_c',
    ]);
  });
});

describe('pmShapeDifferences', () => {
  it('names missing, extra and moved indexes after the table differences', () => {
    const actual = {
      tables: shapes({}),
      indexes: new Map([
        ['pm_x', 'pm_b'],
        ['pm_y', 'pm_a'],
      ]),
    };
    const expected = {
      tables: shapes({ pm_a: { id: 'TEXT' } }),
      indexes: new Map([
        ['pm_x', 'pm_a'],
        ['pm_z', 'pm_a'],
      ]),
    };

    expect(pmShapeDifferences(actual, expected)).toEqual([
      'missing table pm_a',
      'index pm_x is on pm_b, want pm_a',
      'missing index pm_z',
      'extra index pm_y',
    ]);
  });
});

describe('adoptableCount', () => {
  const tempDir = useTempDir();
  const steps = [
    migration(1, 'CREATE TABLE pm_a (id TEXT);'),
    migration(2, "INSERT INTO pm_a VALUES ('seed');"),
    migration(3, 'ALTER TABLE pm_a ADD COLUMN note TEXT;'),
    migration(4, 'CREATE INDEX pm_a_note_idx ON pm_a (note);'),
  ];

  function hostWith(sql: string): string {
    const file = createHostFile(tempDir());
    withDb(file, (db) => db.exec(sql));
    return file;
  }

  it('counts the fewest migrations whose shape matches, so a data migration still runs', () => {
    const file = hostWith('CREATE TABLE pm_a (id TEXT);');

    expect(withDb(file, (db) => adoptableCount(db, steps))).toBe(1);
  });

  it('matches a later schema version', () => {
    const file = hostWith('CREATE TABLE pm_a (id TEXT, note TEXT);');

    expect(withDb(file, (db) => adoptableCount(db, steps))).toBe(3);
  });

  it('tells a missing index apart from the version that adds it', () => {
    const file = hostWith(
      'CREATE TABLE pm_a (id TEXT, note TEXT); CREATE INDEX pm_a_note_idx ON pm_a (note);',
    );

    expect(withDb(file, (db) => adoptableCount(db, steps))).toBe(4);
  });

  it('refuses naming what differs from the closest version', () => {
    const file = hostWith(
      'CREATE TABLE pm_a (id TEXT, note INTEGER); CREATE INDEX pm_a_note_idx ON pm_a (note);',
    );

    const error = failureOf(() => withDb(file, (db) => adoptableCount(db, steps)));

    expect(error.code).toBe('MIGRATION_ADOPTION_REFUSED');
    expect(error.message).toBe(
      'existing pm_ tables differ from migration 0004_step4: column pm_a.note is INTEGER, want TEXT',
    );
  });
});
