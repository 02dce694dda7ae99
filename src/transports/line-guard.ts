import { Transform, type TransformCallback } from 'node:stream';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

/** A JSON-RPC id as a client may have sent it, even in a message that is otherwise invalid. */
export type LineId = string | number | null;

/** A line kept from the SDK, with what is known of it for the error answer. */
export type RefusedLine =
  /** Longer than the limit; the id is read from the line's first or last bytes. */
  | { reason: 'too_large'; id: LineId; bytes: number }
  /** Not JSON at all. */
  | { reason: 'not_json' }
  /** A JSON array: a JSON-RPC batch, which MCP no longer has. */
  | { reason: 'batch' }
  /** JSON, but not one JSON-RPC 2.0 message as the SDK defines it. */
  | { reason: 'not_jsonrpc'; id: LineId };

// Enough of a line's ends to find `"id": …` whichever end the client serialized it at.
const EDGE_BYTES = 256;
const ID_PATTERN = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,15})\s*[,}]/;
// JSON's own whitespace: a line of nothing else carries no message and is skipped.
const BLANK = /^[ \t\r\n]*$/;

/**
 * Passes newline-delimited JSON-RPC messages through unchanged and keeps back every line the
 * SDK's stdio transport would mishandle, reporting it instead. The SDK closes the whole
 * session when its buffer passes 10 MiB, and it only logs a line it cannot parse or validate,
 * so a client waiting on that id would wait for ever; the caller answers a refused line.
 *
 * Each line is checked with the SDK's own message schema, so whatever passes here the SDK
 * accepts. The cost is that every line is parsed twice, here and in the SDK.
 */
export class LineGuard extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private dropping: { head: Buffer; tail: Buffer; bytes: number } | undefined;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onRefused: (line: RefusedLine) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.acceptPiece(chunk.subarray(start, nl + 1), true);
      start = nl + 1;
    }
    if (start < chunk.length) this.acceptPiece(chunk.subarray(start), false);
    done();
  }

  // A last line without its newline was still sent in full before the input ended.
  override _flush(done: TransformCallback): void {
    if (this.dropping || this.pendingBytes > 0) this.endLine(true);
    done();
  }

  private acceptPiece(piece: Buffer, endsLine: boolean): void {
    if (this.dropping) this.discardPiece(piece);
    else if (this.pendingBytes + piece.length > this.maxLineBytes) this.startDropping(piece);
    else this.keep(piece);
    if (endsLine) this.endLine(false);
  }

  private keep(piece: Buffer): void {
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  private startDropping(piece: Buffer): void {
    const head = Buffer.concat([...this.pending, piece]).subarray(0, EDGE_BYTES);
    this.dropping = { head: Buffer.from(head), tail: Buffer.alloc(0), bytes: this.pendingBytes };
    this.pending = [];
    this.pendingBytes = 0;
    this.discardPiece(piece);
  }

  private discardPiece(piece: Buffer): void {
    const d = this.dropping!;
    d.bytes += piece.length;
    d.tail = Buffer.from(Buffer.concat([d.tail, piece]).subarray(-EDGE_BYTES));
  }

  private endLine(unterminated: boolean): void {
    if (this.dropping) {
      const { head, tail, bytes } = this.dropping;
      this.dropping = undefined;
      this.onRefused({ reason: 'too_large', id: findId(head) ?? findId(tail), bytes });
      return;
    }
    const line = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.passOrRefuse(line, unterminated);
  }

  private passOrRefuse(line: Buffer, unterminated: boolean): void {
    const text = line.toString('utf8');
    if (BLANK.test(text)) return;
    const refusal = refusalOf(text);
    if (refusal) this.onRefused(refusal);
    else this.push(unterminated ? Buffer.concat([line, NEWLINE]) : line);
  }
}

const NEWLINE = Buffer.from('\n');

/** Why the SDK would refuse `text` as a message, or undefined when it would accept it. */
function refusalOf(text: string): RefusedLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reason: 'not_json' };
  }
  if (Array.isArray(value)) return { reason: 'batch' };
  if (JSONRPCMessageSchema.safeParse(value).success) return undefined;
  return { reason: 'not_jsonrpc', id: idOf(value) };
}

/** The id of a parsed message when it is one a client could be waiting on. */
function idOf(value: unknown): LineId {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const { id } = value;
  if (typeof id === 'string') return id;
  // 1e999 parses as Infinity, which JSON cannot carry back.
  return typeof id === 'number' && Number.isFinite(id) ? id : null;
}

function findId(edge: Buffer): string | number | null {
  const match = ID_PATTERN.exec(edge.toString('utf8'));
  if (!match?.[1]) return null;
  try {
    return JSON.parse(match[1]) as string | number;
  } catch {
    return null;
  }
}
