import { z } from 'zod';
import type { Cell, Column, Truncation } from './encode.js';
import type { QueryResult } from './run.js';

/**
 * The query result as zod schemas, for the MCP tool's outputSchema. Only JSON-Schema
 * shapes (no bigint, dates or transforms). Kept apart from encode.ts so the worker
 * process never loads zod.
 */

/** An INTEGER outside ±(2^53−1), as exact decimal digits. */
export const IntCellSchema = z.strictObject({ $int: z.string().regex(/^-?\d+$/) });

/** A REAL that JSON cannot carry. */
export const RealCellSchema = z.strictObject({ $real: z.enum(['NaN', 'Infinity', '-Infinity']) });

/** A TEXT cut at the per-cell limit: prefix plus full length in characters. */
export const TextCellSchema = z.strictObject({
  $text: z.string(),
  truncated: z.literal(true),
  length: z.number().int().min(0),
});

/** A BLOB: its size and its first bytes in base64. */
export const BlobCellSchema = z.strictObject({
  $blob: z.strictObject({ bytes: z.number().int().min(0), base64Prefix: z.string() }),
});

/**
 * One cell: number, string, null, or one of the `$` objects above. Options are tried in order
 * by zod on the server and by JSON Schema validators in clients, once per cell of every
 * result: the common shapes come first.
 */
export const CellSchema = z.union([
  z.number(),
  z.string(),
  z.null(),
  IntCellSchema,
  RealCellSchema,
  TextCellSchema,
  BlobCellSchema,
]);

/** A column: name (duplicates kept, in order) and declared type or null. */
export const ColumnSchema = z.strictObject({ name: z.string(), type: z.string().nullable() });

/** Why the rows stopped early, or null when complete. */
export const TruncationSchema = z
  .strictObject({ reason: z.enum(['row_limit', 'byte_limit']) })
  .nullable();

/** The raw shape of a query result, as an MCP outputSchema takes it. */
export const QueryResultShape = {
  columns: z.array(ColumnSchema),
  rows: z.array(z.array(CellSchema)),
  rowCount: z.number().int().min(0),
  truncated: TruncationSchema,
  elapsedMs: z.number().min(0),
};

/** The query result as one object schema. */
export const QueryResultSchema = z.strictObject(QueryResultShape);

// Compile-time proof that the schemas and the hand-written types describe the same data.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;

/** True by construction; fails to compile if a schema and its type drift apart. */
export type SchemasMatchTypes = Holds<
  Same<
    [
      z.infer<typeof CellSchema>,
      z.infer<typeof ColumnSchema>,
      z.infer<typeof TruncationSchema>,
      z.infer<typeof QueryResultSchema>,
    ],
    [Cell, Column, Truncation, QueryResult]
  >
>;
