import type BetterSqlite3 from 'better-sqlite3';
import { TenantMcpError } from '../errors.js';

/** What a caller may pass as `params`: positional (`?`) or named (`:x`, `@x`, `$x`). */
export type QueryParams = readonly unknown[] | Readonly<Record<string, unknown>>;

/** A value SQLite binds: text, REAL, INTEGER (as bigint) or NULL. */
export type BindValue = string | number | bigint | null;

/** Parameters ready for better-sqlite3: an array or a null-prototype object. */
export type BindParams = BindValue[] | Record<string, BindValue>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MAX_NAME_CHARS = 128;
const VALUE_RULE = 'must be a string, number, boolean, null or {"$int": "<digits>"}';

/** Converts JSON parameters to bind values; anything else is QUERY_PARAMS_INVALID. */
export function toBindParams(params: unknown): BindParams | undefined {
  if (params === undefined || params === null) return undefined;
  if (Array.isArray(params)) return params.map((value, i) => toBindValue(value, `params[${i}]`));
  if (isPlainObject(params)) return namedParams(params);
  throw invalid('params must be an array (for ? placeholders) or an object (for :name ones)');
}

function namedParams(params: Record<string, unknown>): Record<string, BindValue> {
  // A null prototype keeps a key such as __proto__ an ordinary entry.
  const out: Record<string, BindValue> = Object.create(null);
  for (const [key, value] of Object.entries(params)) {
    const name = /^[:@$]/.test(key) ? key.slice(1) : key;
    if (name === '' || name.length > MAX_NAME_CHARS) {
      throw invalid(`params has an invalid name: ${JSON.stringify(key.slice(0, MAX_NAME_CHARS))}`);
    }
    if (Object.hasOwn(out, name)) throw invalid(`params names ${name} twice`);
    out[name] = toBindValue(value, `params.${name}`);
  }
  return out;
}

/** Converts one JSON value; integers bind as INTEGER, booleans as 0 or 1. */
export function toBindValue(value: unknown, where: string): BindValue {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'number') return numberValue(value, where);
  if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) return value;
  if (isPlainObject(value)) return bigIntegerValue(value, where);
  throw invalid(`${where} ${VALUE_RULE}`);
}

function numberValue(value: number, where: string): number | bigint {
  if (!Number.isFinite(value)) throw invalid(`${where} must be a finite number`);
  // Integers beyond the 64-bit range stay REAL, as SQLite itself would store them.
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 63) return BigInt(value);
  return value;
}

function bigIntegerValue(value: Record<string, unknown>, where: string): bigint {
  const keys = Object.keys(value);
  const digits = value.$int;
  if (keys.length !== 1 || typeof digits !== 'string' || !/^-?\d{1,20}$/.test(digits)) {
    throw invalid(`${where} ${VALUE_RULE}`);
  }
  const n = BigInt(digits);
  if (n < INT64_MIN || n > INT64_MAX) throw invalid(`${where} is outside the 64-bit integer range`);
  return n;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function invalid(message: string, cause?: unknown): TenantMcpError {
  return new TenantMcpError('QUERY_PARAMS_INVALID', message, {
    cause,
    hint: 'Pass params as an array for ? placeholders or an object for :name placeholders.',
  });
}

/** Binds parameters to the statement; count or name mismatches become QUERY_PARAMS_INVALID. */
export function bindParams(stmt: BetterSqlite3.Statement, params: BindParams | undefined): void {
  try {
    if (params === undefined) stmt.bind();
    else stmt.bind(params);
  } catch (error) {
    const message = error instanceof Error ? error.message : 'parameters could not be bound';
    throw invalid(message, error);
  }
}
