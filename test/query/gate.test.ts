import { describe, expect, it } from 'vitest';
import {
  checkQueryText,
  endOfFirstStatement,
  gateStatement,
  leadingWord,
  MAX_SQL_CHARS,
  prepareStatement,
  requireReadKeyword,
  requireNoPathSources,
  requireReadOnlyStatement,
  requireSingleStatement,
  skipTrivia,
} from '../../src/query/gate.js';
import { useConnectedFixture } from './fixture.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('skipTrivia', () => {
  it('skips spaces, tabs, newlines, form feeds and carriage returns', () => {
    expect(skipTrivia(' \t\n\f\rSELECT')).toBe(5);
  });

  it('does not treat a vertical tab as whitespace, as SQLite does not', () => {
    expect(skipTrivia('\vSELECT')).toBe(0);
  });

  it('skips line comments up to and including the newline', () => {
    expect(skipTrivia('-- x\n-- y\nSELECT')).toBe(10);
  });

  it('ends a block comment at the first */ because SQLite comments do not nest', () => {
    const sql = '/* /* inner */ DELETE FROM t */ SELECT 1';
    expect(sql.slice(skipTrivia(sql))).toBe('DELETE FROM t */ SELECT 1');
  });

  it('runs an unterminated block or line comment to the end of the text', () => {
    expect(skipTrivia('/* SELECT 1')).toBe(11);
    expect(skipTrivia('-- SELECT 1')).toBe(11);
  });
});

describe('leadingWord', () => {
  it('reads the first word after comments and whitespace', () => {
    expect(leadingWord('/* c */ -- d\n  select*from t')).toBe('select');
  });

  it('reads identifier characters SQLite would join into one word', () => {
    expect(leadingWord('SELECT_x$1 FROM t')).toBe('SELECT_x$1');
  });

  it('is empty when the text starts with a symbol', () => {
    expect(leadingWord('(SELECT 1)')).toBe('');
  });
});

describe('requireReadKeyword', () => {
  it.each(['SELECT 1', 'with x as (select 1) select * from x', 'VaLuEs (1)', '\n/**/SELECT 1'])(
    'accepts %j',
    (sql) => {
      expect(() => requireReadKeyword(sql)).not.toThrow();
    },
  );

  it.each([
    'DELETE FROM users',
    '/* SELECT */ DELETE FROM users',
    '-- SELECT\nDELETE FROM users',
    'ATTACH DATABASE x AS y',
    'PRAGMA query_only = OFF',
    'EXPLAIN SELECT 1',
    'REPLACE INTO users VALUES (1)',
    'SELECTX 1',
    'ſelect 1',
    '(SELECT 1)',
  ])('refuses %j with QUERY_NOT_READ_ONLY', (sql) => {
    expect(codeOf(() => requireReadKeyword(sql))).toBe('QUERY_NOT_READ_ONLY');
  });
});

describe('checkQueryText', () => {
  it('refuses a non-string, an empty text and a text of only comments', () => {
    expect(codeOf(() => checkQueryText(42))).toBe('QUERY_INVALID');
    expect(codeOf(() => checkQueryText(''))).toBe('QUERY_INVALID');
    expect(codeOf(() => checkQueryText(' -- nothing\n/* here */'))).toBe('QUERY_INVALID');
  });

  it('refuses a NUL character, after which SQLite would silently stop reading', () => {
    expect(codeOf(() => checkQueryText('SELECT 1;\0DROP TABLE users'))).toBe('QUERY_INVALID');
  });

  it('refuses text longer than the maximum', () => {
    expect(codeOf(() => checkQueryText(`SELECT 1${' '.repeat(MAX_SQL_CHARS)}`))).toBe(
      'QUERY_INVALID',
    );
  });
});

describe('requireNoPathSources', () => {
  it.each([
    'SELECT file FROM pragma_database_list',
    'SELECT * FROM "PRAGMA_Database_List"',
    'SELECT * FROM main.[pragma_database_list]',
  ])('refuses %j, whose rows would show server paths, with QUERY_INVALID', (sql) => {
    expect(codeOf(() => requireNoPathSources(sql))).toBe('QUERY_INVALID');
  });

  it('accepts the other pragma functions', () => {
    expect(() => requireNoPathSources("SELECT * FROM pragma_table_info('users')")).not.toThrow();
  });
});

describe('requireSingleStatement', () => {
  it('finds the end of the first statement outside strings, names and comments', () => {
    const sql = `SELECT ';', "a;b", [c;d], \`e;f\`, 'it''s;' /* ; */ -- ;\n; SELECT 2`;
    expect(sql.slice(endOfFirstStatement(sql))).toBe(' SELECT 2');
  });

  it.each([
    'SELECT 1',
    'SELECT 1;',
    'SELECT 1;   -- trailing comment',
    'SELECT 1; /* trailing block */',
    'SELECT 1;;  ;',
    'SELECT 1; /* unterminated',
  ])('accepts %j: only semicolons, whitespace and comments follow', (sql) => {
    expect(() => requireSingleStatement(sql)).not.toThrow();
  });

  it.each(['SELECT 1; DROP TABLE users', 'SELECT 1;; SELECT 2', "SELECT 'a;'; DELETE FROM t"])(
    'refuses %j with QUERY_MULTIPLE_STATEMENTS',
    (sql) => {
      expect(codeOf(() => requireSingleStatement(sql))).toBe('QUERY_MULTIPLE_STATEMENTS');
    },
  );
});

describe('the layers that need a connection', () => {
  const t = useConnectedFixture();

  it('prepareStatement refuses two statements with QUERY_MULTIPLE_STATEMENTS on its own', () => {
    expect(codeOf(() => prepareStatement(t.conn.db, 'SELECT 1; SELECT 2'))).toBe(
      'QUERY_MULTIPLE_STATEMENTS',
    );
  });

  it('prepareStatement turns a syntax error into QUERY_FAILED with the SQLite code', () => {
    let error: unknown;
    try {
      prepareStatement(t.conn.db, 'SELEC 1');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'QUERY_FAILED', sqliteCode: 'SQLITE_ERROR' });
  });

  it('requireReadOnlyStatement refuses WITH ... DELETE, which passes the keyword layer', () => {
    const sql = 'WITH x AS (SELECT 1) DELETE FROM users';
    expect(() => requireReadKeyword(sql)).not.toThrow();
    const stmt = prepareStatement(t.conn.db, sql);
    expect(codeOf(() => requireReadOnlyStatement(stmt))).toBe('QUERY_NOT_READ_ONLY');
  });

  it('requireReadOnlyStatement alone would pass ATTACH and BEGIN, hence the keyword layer', () => {
    const begin = prepareStatement(t.conn.db, 'BEGIN');
    expect(begin.readonly).toBe(true);
    expect(codeOf(() => requireReadOnlyStatement(begin))).toBe('QUERY_NOT_READ_ONLY');
    expect(codeOf(() => gateStatement(t.conn.db, "ATTACH 'x' AS y"))).toBe('QUERY_NOT_READ_ONLY');
  });

  it('runs the keyword layer before prepare, because preparing a PRAGMA already applies it', () => {
    prepareStatement(t.conn.db, 'PRAGMA cache_size = -1234');
    expect(t.conn.db.pragma('cache_size', { simple: true })).toBe(-1234n);
    expect(codeOf(() => gateStatement(t.conn.db, 'PRAGMA cache_size = -999'))).toBe(
      'QUERY_NOT_READ_ONLY',
    );
    expect(t.conn.db.pragma('cache_size', { simple: true })).toBe(-1234n);
  });

  it('gateStatement returns a reader for a table-valued pragma function', () => {
    const stmt = gateStatement(t.conn.db, "SELECT name FROM pragma_table_info('users')");
    expect(stmt.pluck().all()).toEqual(['id', 'email', 'name', 'created_at']);
  });
});
