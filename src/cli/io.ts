import type { Readable, Writable } from 'node:stream';

/** The process's edges, handed down from the entry file so nothing else touches them. */
export interface Io {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The Node binary running this process, for printing runnable client configs. */
  readonly execPath: string;
  /** The script this process runs (bin/tenant-mcp.js), for printing runnable client configs. */
  readonly scriptPath: string;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Calls `handler` once when the process is asked to stop (SIGTERM, SIGINT). */
  onStopSignal(handler: () => void): void;
}
