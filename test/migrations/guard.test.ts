import { describe, expect, it } from 'vitest';
import {
  guardPlatformWrites,
  isPmObject,
  platformChanges,
  platformWriteTarget,
  snapshotPlatform,
  type SchemaObject,
} from '../../src/migrations/guard.js';
import { createHostFile, useTempDir, withDb } from './fixtures.js';

function object(type: string, name: string, tblName: string): SchemaObject {
  return { type, name, tblName, sql: null };
}

describe('isPmObject', () => {
  it.each([
    ['a pm_ table', object('table', 'pm_projects', 'pm_projects')],
    ['an index on a pm_ table', object('index', 'pm_projects_key_idx', 'pm_projects')],
    [
      'the automatic index of a pm_ table',
      object('index', 'sqlite_autoindex_pm_projects_1', 'pm_projects'),
    ],
  ])('counts %s as ours', (_, candidate) => {
    expect(isPmObject(candidate)).toBe(true);
  });

  it.each([
    ['a platform table', object('table', 'users', 'users')],
    ['a pm_-named trigger on a platform table', object('trigger', 'pm_touch', 'users')],
    ['a pm_-named index on a platform table', object('index', 'pm_users_idx', 'users')],
    ['a table that only LIKE would match', object('table', 'pmXnotes', 'pmXnotes')],
    ['a table whose prefix differs in case', object('table', 'PM_Legacy', 'PM_Legacy')],
    [
      'the automatic index of a platform table',
      object('index', 'sqlite_autoindex_users_1', 'users'),
    ],
    [
      'an automatic index named after another table',
      object('index', 'sqlite_autoindex_pm_a_1', 'users'),
    ],
  ])('counts %s as the platform', (_, candidate) => {
    expect(isPmObject(candidate)).toBe(false);
  });
});

describe('snapshotPlatform', () => {
  const tempDir = useTempDir();

  it('holds the platform objects and host pragmas, and none of ours', () => {
    const file = createHostFile(tempDir());
    const snapshot = withDb(file, (db) => {
      db.exec('CREATE TABLE pm_a (id TEXT UNIQUE); CREATE INDEX pm_a_idx ON pm_a (id);');
      return snapshotPlatform(db);
    });

    expect([...snapshot.objects.keys()].sort()).toEqual([
      'index clients_coach_idx',
      'index sqlite_autoindex_clients_1',
      'index sqlite_autoindex_users_1',
      'index sqlite_autoindex_users_2',
      'table PM_Legacy',
      'table audit_log',
      'table clients',
      'table pmXnotes',
      'table users',
      'trigger clients_audit',
      'view client_names',
    ]);
    expect(Object.fromEntries(snapshot.pragmas)).toEqual({
      journal_mode: 'wal',
      page_size: 4096,
      auto_vacuum: 0,
      user_version: 7,
      application_id: 0,
    });
  });

  it('sees no change when only pm_ objects were created', () => {
    const file = createHostFile(tempDir());
    const changes = withDb(file, (db) => {
      const before = snapshotPlatform(db);
      db.exec(
        'CREATE TABLE pm_a (id TEXT PRIMARY KEY, k TEXT UNIQUE); CREATE INDEX pm_i ON pm_a (k);',
      );
      return platformChanges(before, snapshotPlatform(db));
    });

    expect(changes).toEqual([]);
  });

  it('matches a trigger to its table the way SQLite does, ignoring ASCII case', () => {
    const file = createHostFile(tempDir());
    const changes = withDb(file, (db) => {
      const before = snapshotPlatform(db);
      db.exec(`CREATE TABLE pm_a (id TEXT);
        CREATE TRIGGER pm_ours AFTER INSERT ON PM_A BEGIN SELECT 1; END;
        CREATE TRIGGER pm_theirs AFTER INSERT ON pm_legacy BEGIN SELECT 1; END;`);
      return platformChanges(before, snapshotPlatform(db));
    });

    expect(changes).toEqual(['created trigger pm_theirs on PM_Legacy']);
  });

  it('describes created, dropped and altered objects and changed pragmas', () => {
    const file = createHostFile(tempDir());
    const changes = withDb(file, (db) => {
      const before = snapshotPlatform(db);
      db.exec(`DROP VIEW client_names;
        CREATE INDEX users_name_idx ON users (name);
        ALTER TABLE audit_log ADD COLUMN at INTEGER;
        PRAGMA application_id = 42;`);
      return platformChanges(before, snapshotPlatform(db));
    });

    expect(changes).toEqual([
      'altered table audit_log',
      'dropped view client_names',
      'created index users_name_idx on users',
      'changed PRAGMA application_id from 0 to 42',
    ]);
  });
});

describe('guardPlatformWrites', () => {
  const tempDir = useTempDir();

  it('aborts a write to a platform table and names the table', () => {
    const file = createHostFile(tempDir());
    const caught = withDb(file, (db) => {
      guardPlatformWrites(db);
      try {
        db.exec(`UPDATE "PM_Legacy" SET note = 'x'`);
      } catch (error) {
        return error;
      }
      return undefined;
    });

    expect(platformWriteTarget(caught)).toBe('PM_Legacy');
  });

  it('lets pm_ tables be written, and disarms without a trace in the file', () => {
    const file = createHostFile(tempDir());
    const triggers = withDb(file, (db) => {
      db.exec('CREATE TABLE pm_a (id TEXT)');
      const disarm = guardPlatformWrites(db);
      db.exec(`INSERT INTO pm_a VALUES ('ok')`);
      disarm();
      db.exec(`UPDATE users SET name = name`);
      return db.prepare(`SELECT count(*) FROM sqlite_temp_schema`).pluck().get();
    });

    expect(triggers).toBe(0);
    expect(
      withDb(file, (db) =>
        db.prepare(`SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'`).pluck().get(),
      ),
    ).toBe(1);
  });

  it('does not claim errors it did not raise', () => {
    expect(platformWriteTarget(new Error('no such table: x'))).toBeUndefined();
    expect(platformWriteTarget('text')).toBeUndefined();
  });
});
