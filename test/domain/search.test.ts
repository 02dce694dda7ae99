import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ftsOptions, searchParams } from '../../src/domain/search.js';

describe('searchParams', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(searchParams('50%_off\\').pat).toBe('%50\\%\\_off\\\\%');
  });

  it('makes an FTS5 string of the text, doubling inner quotes', () => {
    expect(searchParams('say "hi"').fts).toBe('"say ""hi"""');
  });

  it('matches literally in SQLite, whatever the text holds', () => {
    const db = new Database(':memory:');
    try {
      db.exec(`CREATE TABLE t (body TEXT);
        CREATE VIRTUAL TABLE f USING fts5 (body);
        INSERT INTO t VALUES ('50% off'), ('500 off'), ('a_b'), ('axb'), ('say "hi" now');
        INSERT INTO f SELECT body FROM t;`);
      const like = db.prepare(`SELECT body FROM t WHERE body LIKE ? ESCAPE '\\'`).pluck();
      expect(like.all(searchParams('50%').pat)).toEqual(['50% off']);
      expect(like.all(searchParams('a_b').pat)).toEqual(['a_b']);
      const match = db.prepare('SELECT body FROM f WHERE f MATCH ?').pluck();
      expect(match.all(searchParams('say "hi"').fts)).toEqual(['say "hi" now']);
      for (const text of ['OR', 'body:x', 'NEAR(a b)', 'x*', '"', '^', 'a AND b']) {
        expect(() => match.all(searchParams(text).fts), text).not.toThrow();
      }
    } finally {
      db.close();
    }
  });
});

describe('ftsOptions', () => {
  it('reads content and content_rowid in any quoting', () => {
    const sql = `CREATE VIRTUAL TABLE n USING fts5 (body, content = 'session_notes', content_rowid = 'id')`;
    expect(ftsOptions(sql)).toEqual({ content: 'session_notes', rowid: 'id' });
    expect(
      ftsOptions(`CREATE VIRTUAL TABLE n USING fts5(b, content="it""s", content_rowid=k)`),
    ).toEqual({
      content: 'it"s',
      rowid: 'k',
    });
  });

  it('reads a table that keeps its own content, or none, as having no content table', () => {
    expect(ftsOptions('CREATE VIRTUAL TABLE n USING fts5 (body)')).toEqual({});
    expect(ftsOptions(`CREATE VIRTUAL TABLE n USING fts5 (body, content='')`)).toEqual({});
  });
});
