import { describe, expect, it } from 'vitest';
import {
  BLOB_PREFIX_BYTES,
  codePointCount,
  encodeCell,
  encodeText,
  estimateCellBytes,
  readColumns,
  readRows,
  type Cell,
} from '../../src/query/encode.js';
import { useConnectedFixture } from './fixture.js';

describe('encodeCell', () => {
  it('keeps NULL, text and numbers within ±(2^53−1) as plain JSON values', () => {
    expect(encodeCell(null, 10)).toBe(null);
    expect(encodeCell('', 10)).toBe('');
    expect(encodeCell(9007199254740991n, 10)).toBe(9007199254740991);
    expect(encodeCell(-9007199254740991n, 10)).toBe(-9007199254740991);
    expect(encodeCell(0.1, 10)).toBe(0.1);
  });

  it('marks integers beyond ±(2^53−1) as exact decimal strings', () => {
    expect(encodeCell(9007199254740992n, 10)).toEqual({ $int: '9007199254740992' });
    expect(encodeCell(-(2n ** 63n), 10)).toEqual({ $int: '-9223372036854775808' });
  });

  it('marks the REAL values JSON cannot carry', () => {
    expect(encodeCell(Number.POSITIVE_INFINITY, 10)).toEqual({ $real: 'Infinity' });
    expect(encodeCell(Number.NEGATIVE_INFINITY, 10)).toEqual({ $real: '-Infinity' });
    expect(encodeCell(Number.NaN, 10)).toEqual({ $real: 'NaN' });
  });

  it('shows a BLOB as its size and the base64 of its first bytes', () => {
    const blob = Buffer.alloc(1_000, 0xab);
    const cell = encodeCell(blob, 10) as { $blob: { bytes: number; base64Prefix: string } };
    expect(cell.$blob.bytes).toBe(1_000);
    expect(Buffer.from(cell.$blob.base64Prefix, 'base64')).toEqual(
      blob.subarray(0, BLOB_PREFIX_BYTES),
    );
  });
});

describe('encodeText', () => {
  it('keeps text of exactly the limit whole', () => {
    expect(encodeText('abcd', 4)).toBe('abcd');
  });

  it('cuts longer text and reports its full length in characters', () => {
    expect(encodeText('abcdef', 4)).toEqual({ $text: 'abcd', truncated: true, length: 6 });
  });

  it('counts an emoji as one character and never splits it', () => {
    const text = '😀😀😀😀😀';
    expect(text).toHaveLength(10);
    expect(encodeText(text, 5)).toBe(text);
    expect(encodeText(text, 2)).toEqual({ $text: '😀😀', truncated: true, length: 5 });
  });

  it('counts a lone surrogate as one character', () => {
    expect(codePointCount('a\ud800b')).toBe(3);
  });
});

describe('estimateCellBytes', () => {
  it('is the JSON size with its comma for plain values', () => {
    const cells: Cell[] = [null, 'abc', 'żółw', 12345, -7, { $int: '9007199254740993' }];
    for (const cell of cells) {
      expect(estimateCellBytes(cell)).toBe(Buffer.byteLength(JSON.stringify(cell)) + 1);
    }
  });

  it('never counts a REAL as less than its JSON size', () => {
    for (const r of [0.1, 1 / 3, -1.7976931348623157e308, 5e-324]) {
      expect(estimateCellBytes(r)).toBeGreaterThanOrEqual(JSON.stringify(r).length + 1);
    }
  });
});

describe('readRows', () => {
  const t = useConnectedFixture();
  const limits = { maxRows: 100, maxResultBytes: 1_000_000, maxCellChars: 100 };

  it('stops at the row cap, says so, and leaves no statement running', () => {
    const stmt = t.conn.db.prepare('SELECT n FROM numbers ORDER BY n');
    const read = readRows(stmt, { ...limits, maxRows: 3 });
    expect(read).toEqual({ rows: [[1], [2], [3]], truncated: { reason: 'row_limit' } });
    expect(stmt.busy).toBe(false);
  });

  it('is complete, not truncated, when the rows end exactly at the cap', () => {
    const stmt = t.conn.db.prepare('SELECT n FROM numbers WHERE n <= 3');
    expect(readRows(stmt, { ...limits, maxRows: 3 }).truncated).toBe(null);
  });

  it('stops before the row that would pass the byte cap', () => {
    const stmt = t.conn.db.prepare('SELECT n, hex(zeroblob(25)) FROM numbers');
    const read = readRows(stmt, { ...limits, maxResultBytes: 1_024 });
    expect(read.truncated).toEqual({ reason: 'byte_limit' });
    expect(read.rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(read.rows).length).toBeLessThanOrEqual(1_024);
  });

  it('releases its read snapshot after a capped read, so the host can checkpoint', () => {
    readRows(t.conn.db.prepare('SELECT n FROM numbers'), { ...limits, maxRows: 1 });
    t.fixture.host.prepare("INSERT INTO users VALUES ('u9', 'z@example.com', 'Z', 0)").run();
    const [checkpoint] = t.fixture.host.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    expect(checkpoint?.busy).toBe(0);
  });

  it('rereads with exact integers when a value beyond 2^53 appears late in the rows', () => {
    const sql = 'SELECT n, CASE WHEN n = 150 THEN 9007199254740993 ELSE n END FROM numbers';
    const read = readRows(t.conn.db.prepare(sql), { ...limits, maxRows: 200 });
    expect(read.rows[0]).toEqual([1, 1]);
    expect(read.rows[149]).toEqual([150, { $int: '9007199254740993' }]);
    expect(read.rows).toHaveLength(200);
  });

  it('keeps a REAL beyond 2^53 a number, since only INTEGERs can be rounded', () => {
    const read = readRows(t.conn.db.prepare('SELECT 1e20, 9007199254740993.0'), limits);
    expect(read.rows).toEqual([[1e20, 9007199254740992]]);
  });
});

describe('readColumns', () => {
  const t = useConnectedFixture();

  it('keeps duplicate names in order with declared types, null for expressions', () => {
    const stmt = t.conn.db.prepare('SELECT id, label AS id, price, 1 + 1 AS id FROM samples');
    expect(readColumns(stmt)).toEqual([
      { name: 'id', type: 'INTEGER' },
      { name: 'id', type: 'TEXT' },
      { name: 'price', type: 'DECIMAL(10,2)' },
      { name: 'id', type: null },
    ]);
  });
});
