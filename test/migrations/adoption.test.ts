import { describe, expect, it } from 'vitest';
import {
  expectedShapes,
  hasPmTables,
  pmTableShapes,
  shapeDifferences,
  type TableShapes,
} from '../../src/migrations/adoption.js';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { MIGRATIONS_DIR, PM_TABLES, createHostFile, useTempDir, withDb } from './fixtures.js';

const [schema] = loadMigrations(MIGRATIONS_DIR);

function shapes(tables: Record<string, Record<string, string>>): TableShapes {
  return new Map(
    Object.entries(tables).map(([table, columns]) => [table, new Map(Object.entries(columns))]),
  );
}

describe('expectedShapes', () => {
  it('finds every table of migration 1 with its declared column types', () => {
    if (schema === undefined) throw new Error('migration 1 is missing');
    const expected = expectedShapes(schema);

    expect([...expected.keys()]).toEqual(PM_TABLES);
    expect(Object.fromEntries(expected.get('pm_swim_lanes') ?? [])).toEqual({
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
