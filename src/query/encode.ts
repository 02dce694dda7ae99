import type BetterSqlite3 from 'better-sqlite3';
import { TenantMcpError } from '../errors.js';

/** An INTEGER outside ±(2^53−1), exact, as decimal digits. */
export interface IntCell {
  $int: string;
}

/** A REAL that JSON cannot carry. */
export interface RealCell {
  $real: 'NaN' | 'Infinity' | '-Infinity';
}

/** A TEXT longer than the per-cell limit: its first characters and its full length. */
export interface TextCell {
  $text: string;
  truncated: true;
  /** Full length in characters (Unicode code points), as SQLite's length() counts them. */
  length: number;
}

/** A BLOB: its size in bytes and its first bytes in base64. */
export interface BlobCell {
  $blob: { bytes: number; base64Prefix: string };
}

/** One value of a result row, JSON-safe and unambiguous: plain values, or a `$` object. */
export type Cell = null | number | string | IntCell | RealCell | TextCell | BlobCell;

/** A result column: its name (duplicates kept) and declared type (null for expressions). */
export interface Column {
  name: string;
  type: string | null;
}

/** Why a result stopped early, or null when it is complete. */
export type Truncation = { reason: 'row_limit' | 'byte_limit' } | null;

/** Bounds applied while reading rows. */
export interface ReadLimits {
  maxRows: number;
  maxResultBytes: number;
  maxCellChars: number;
}

/** Bytes of a BLOB shown in `base64Prefix`. */
export const BLOB_PREFIX_BYTES = 48;

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Encodes one SQLite value (read with safeIntegers) as a JSON-safe cell. */
export function encodeCell(value: unknown, maxCellChars: number): Cell {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return encodeText(value, maxCellChars);
    case 'bigint':
      return value >= -MAX_EXACT && value <= MAX_EXACT ? Number(value) : { $int: value.toString() };
    case 'number':
      return Number.isFinite(value) ? value : { $real: String(value) as RealCell['$real'] };
    default:
      if (value instanceof Uint8Array) return encodeBlob(value);
  }
  throw new TenantMcpError('INTERNAL', `unexpected ${typeof value} value from SQLite`);
}

function encodeBlob(value: Uint8Array): BlobCell {
  const prefix = Buffer.from(value.subarray(0, BLOB_PREFIX_BYTES)).toString('base64');
  return { $blob: { bytes: value.byteLength, base64Prefix: prefix } };
}

/** Keeps text whole up to `max` code points, otherwise cuts it without splitting a pair. */
export function encodeText(value: string, max: number): string | TextCell {
  // A string of at most `max` UTF-16 units has at most `max` code points.
  if (value.length <= max) return value;
  const cut = codePointOffset(value, max);
  if (cut === value.length) return value;
  return { $text: flatCopy(value.slice(0, cut)), truncated: true, length: codePointCount(value) };
}

// V8 represents a slice as a view that keeps the whole original string alive: a few
// hundred cut cells of a large text would then hold hundreds of megabytes.
function flatCopy(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

function isPairAt(s: string, i: number): boolean {
  const hi = s.charCodeAt(i);
  const lo = s.charCodeAt(i + 1);
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
}

/** UTF-16 index just after the first `count` code points of `s`. */
export function codePointOffset(s: string, count: number): number {
  let i = 0;
  for (let n = 0; n < count && i < s.length; n += 1) i += isPairAt(s, i) ? 2 : 1;
  return i;
}

/** Number of code points in `s` (a lone surrogate counts as one). */
export function codePointCount(s: string): number {
  let pairs = 0;
  for (let i = 0; i < s.length - 1; i += 1) {
    if (isPairAt(s, i)) {
      pairs += 1;
      i += 1;
    }
  }
  return s.length - pairs;
}

/**
 * Approximate UTF-8 size of a cell in JSON, comma included. Escapes are not counted:
 * the byte cap bounds work and output size, it does not promise an exact figure.
 */
export function estimateCellBytes(cell: Cell): number {
  if (cell === null) return 5;
  if (typeof cell === 'string') return Buffer.byteLength(cell) + 3;
  if (typeof cell === 'number') return numberBytes(cell);
  if ('$text' in cell) return Buffer.byteLength(cell.$text) + 48;
  return JSON.stringify(cell).length + 1;
}

// Digits of an integer counted by division, as String(n) costs more than the rest of
// a cell; other numbers count as the longest shortest-form double (24 characters).
function numberBytes(n: number): number {
  if (!Number.isInteger(n)) return 25;
  let size = n < 0 ? 3 : 2;
  for (let a = Math.abs(n); a >= 10; a /= 10) size += 1;
  return size;
}

/** Columns in order with declared types; duplicate names are kept. */
export function readColumns(stmt: BetterSqlite3.Statement): Column[] {
  return stmt.columns().map((c) => ({ name: c.name, type: c.type }));
}

/** Rows read so far and why reading stopped early, if it did. */
export interface RowsRead {
  rows: Cell[][];
  truncated: Truncation;
}

/**
 * Reads encoded rows up to the row and byte caps. It pulls at most one row past the
 * row cap (to know there were more) and always closes the iterator, because an
 * unfinished one keeps a read transaction open and the host's WAL then grows.
 *
 * The first pass reads integers as plain numbers, about half the cost of bigints.
 * If it meets a number beyond ±(2^53−1), which may be a rounded INTEGER, it stops and
 * the query runs again with exact bigints; only that second snapshot is returned.
 */
export function readRows(
  stmt: BetterSqlite3.Statement,
  limits: ReadLimits,
  usedBytes = 0,
): RowsRead {
  stmt.raw(true);
  return (
    readPass(stmt.safeIntegers(false), limits, usedBytes, true) ??
    (readPass(stmt.safeIntegers(true), limits, usedBytes, false) as RowsRead)
  );
}

// Returns undefined when `numbersMayBeRounded` and a value might be a rounded INTEGER.
function readPass(
  stmt: BetterSqlite3.Statement,
  limits: ReadLimits,
  usedBytes: number,
  numbersMayBeRounded: boolean,
): RowsRead | undefined {
  const rows: Cell[][] = [];
  let bytes = usedBytes;
  const iterator = stmt.iterate() as IterableIterator<unknown[]>;
  try {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      if (rows.length >= limits.maxRows) return { rows, truncated: { reason: 'row_limit' } };
      const row = next.value;
      if (numbersMayBeRounded && !row.every(isExactValue)) return undefined;
      bytes += encodeRowInPlace(row, limits.maxCellChars);
      if (bytes > limits.maxResultBytes) return { rows, truncated: { reason: 'byte_limit' } };
      rows.push(row as Cell[]);
    }
    return { rows, truncated: null };
  } finally {
    iterator.return?.();
  }
}

// Replaces each raw value by its cell (the raw row is ours alone) and returns the size.
function encodeRowInPlace(row: unknown[], maxCellChars: number): number {
  let bytes = 2;
  for (let i = 0; i < row.length; i += 1) {
    const cell = encodeCell(row[i], maxCellChars);
    row[i] = cell;
    bytes += estimateCellBytes(cell);
  }
  return bytes;
}

/** False for a number that might be a rounded 64-bit INTEGER. */
function isExactValue(value: unknown): boolean {
  return (
    typeof value !== 'number' ||
    (value <= Number.MAX_SAFE_INTEGER && value >= -Number.MAX_SAFE_INTEGER) ||
    !Number.isFinite(value)
  );
}
