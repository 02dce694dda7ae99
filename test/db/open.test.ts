import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepared } from '../../src/db/open.js';

let db: Database.Database;

beforeEach(() => {
  db = new Database(':memory:');
  db.exec(
    'CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t VALUES (1, ?)'.replace(
      '?',
      "'a'",
    ),
  );
});

afterEach(() => db.close());

describe('prepared', () => {
  it('hands back the same statement for the same SQL on the same connection', () => {
    const first = prepared(db, 'SELECT name FROM t WHERE id = ?');
    const second = prepared(db, 'SELECT name FROM t WHERE id = ?');
    expect(second).toBe(first);
    expect(second.get(1)).toEqual({ name: 'a' });
  });

  it('keeps connections apart', () => {
    const other = new Database(':memory:');
    other.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t VALUES (1, 'b')");
    try {
      expect(prepared(other, 'SELECT name FROM t').get()).toEqual({ name: 'b' });
      expect(prepared(db, 'SELECT name FROM t').get()).toEqual({ name: 'a' });
    } finally {
      other.close();
    }
  });

  it('turns pluck off again for the next caller', () => {
    expect(prepared(db, 'SELECT name FROM t').pluck().get()).toBe('a');
    expect(prepared(db, 'SELECT name FROM t').get()).toEqual({ name: 'a' });
  });

  it('sees a table created after the statement was first prepared', () => {
    expect(
      prepared(db, "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get(),
    ).toEqual({ n: 1 });
    db.exec('CREATE TABLE u (x)');
    expect(
      prepared(db, "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get(),
    ).toEqual({ n: 2 });
  });

  it('stays bounded when callers build many different texts', () => {
    const first = prepared(db, 'SELECT 0');
    for (let i = 1; i <= 600; i++) prepared(db, `SELECT ${i}`);
    expect(prepared(db, 'SELECT 0')).not.toBe(first);
    expect(prepared(db, 'SELECT 600').pluck().get()).toBe(600);
  });
});
