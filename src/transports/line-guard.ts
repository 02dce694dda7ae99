import { Transform, type TransformCallback } from 'node:stream';

/** What is known of a request line that was too long to pass on. */
export interface OversizedLine {
  /** The JSON-RPC id, when it could be read from the line's first or last bytes. */
  id: string | number | null;
  bytes: number;
}

// Enough of a line's ends to find `"id": …` whichever end the client serialized it at.
const EDGE_BYTES = 256;
const ID_PATTERN = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,15})\s*[,}]/;

/**
 * Passes newline-delimited messages through unchanged but drops any line longer than
 * `maxLineBytes`, reporting it instead. The SDK's stdio transport closes the whole session
 * when its buffer passes 10 MiB; dropping the one line keeps the session and lets the
 * caller answer that request with an error.
 */
export class LineGuard extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private dropping: { head: Buffer; tail: Buffer; bytes: number } | undefined;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onOversized: (line: OversizedLine) => void,
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

  override _flush(done: TransformCallback): void {
    if (this.pendingBytes > 0) this.push(Buffer.concat(this.pending));
    done();
  }

  private acceptPiece(piece: Buffer, endsLine: boolean): void {
    if (this.dropping) this.discardPiece(piece);
    else if (this.pendingBytes + piece.length > this.maxLineBytes) this.startDropping(piece);
    else this.keep(piece);
    if (endsLine) this.endLine();
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

  private endLine(): void {
    if (this.dropping) {
      const { head, tail, bytes } = this.dropping;
      this.dropping = undefined;
      this.onOversized({ id: findId(head) ?? findId(tail), bytes });
      return;
    }
    this.push(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
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
