import { describe, expect, it } from 'vitest';
import { statementKeywords, transactionKeywordIn } from '../../src/migrations/statements.js';

describe('statementKeywords', () => {
  it('gives the first keyword of each statement, upper-cased', () => {
    expect(statementKeywords('create table pm_a (id);\nINSERT INTO pm_a VALUES (1);')).toEqual([
      'CREATE',
      'INSERT',
    ]);
  });

  it('counts a last statement without a semicolon', () => {
    expect(statementKeywords('SELECT 1; select 2')).toEqual(['SELECT', 'SELECT']);
  });

  it('skips comments, string literals and quoted names', () => {
    const sql = `-- COMMIT;
      /* ROLLBACK; */
      INSERT INTO pm_a VALUES ('x; COMMIT; y', 'it''s; END');
      CREATE TABLE "pm_b; COMMIT" ([a; END] TEXT, \`b;RELEASE\` TEXT);`;

    expect(statementKeywords(sql)).toEqual(['INSERT', 'CREATE']);
  });

  it('reads a trigger body, CASE … END included, as part of its CREATE TRIGGER', () => {
    const sql = `CREATE TEMP TRIGGER pm_t AFTER INSERT ON pm_a
      WHEN CASE WHEN NEW.id > 0 THEN 1 END
      BEGIN
        UPDATE pm_a SET n = CASE WHEN n IS NULL THEN 1 ELSE n + 1 END;
        DELETE FROM pm_b;
      END;
      DROP TABLE pm_c;`;

    expect(statementKeywords(sql)).toEqual(['CREATE', 'DROP']);
  });
});

describe('transactionKeywordIn', () => {
  it.each([
    ['COMMIT', 'CREATE TABLE pm_a (id);\nCOMMIT;\nDROP TABLE users;'],
    ['BEGIN', 'BEGIN;\nCREATE TABLE pm_a (id);'],
    ['END', 'CREATE TABLE pm_a (id); END TRANSACTION;'],
    ['ROLLBACK', 'rollback;'],
    ['SAVEPOINT', 'SAVEPOINT s; CREATE TABLE pm_a (id); RELEASE s;'],
  ])('finds %s', (keyword, sql) => {
    expect(transactionKeywordIn(sql)).toBe(keyword);
  });

  it('finds nothing in a migration that only creates tables and triggers', () => {
    const sql = `CREATE TABLE pm_a (id TEXT, "end" TEXT);
      CREATE TRIGGER pm_a_touch AFTER UPDATE ON pm_a BEGIN SELECT 1; END;`;

    expect(transactionKeywordIn(sql)).toBeUndefined();
  });
});
