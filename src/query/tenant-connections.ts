import type { QueryConnection, QueryConnectionOptions } from './connection.js';
import { openQueryConnection } from './connection.js';

/** Options for a worker's tenant connections. */
export interface TenantConnectionsOptions extends QueryConnectionOptions {
  /** Connections kept open at once (each holds a few file descriptors). */
  max: number;
}

/**
 * The hardened connections one worker keeps, one per tenant file and keyed by that file
 * alone, so a run only ever reaches the connection of the file it names. At most `max` stay
 * open; the least recently used is closed first. When a run moves to another file, the
 * previous connection gives back its page cache: the worker's memory cap is sized for one
 * full cache, not one per open tenant.
 */
export class TenantConnections {
  // A Map iterates in insertion order: re-inserting on use keeps the oldest first.
  private readonly open = new Map<string, QueryConnection>();
  private lastFile: string | undefined;

  constructor(private readonly options: TenantConnectionsOptions) {}

  /** The connection to `file`, opened on first use; throws whatever opening it threw. */
  get(file: string): QueryConnection {
    if (this.lastFile !== undefined && this.lastFile !== file) {
      this.open.get(this.lastFile)?.releaseMemory();
    }
    this.lastFile = file;
    const known = this.open.get(file);
    this.open.delete(file);
    const connection = known ?? openQueryConnection(file, this.options);
    this.open.set(file, connection);
    for (const [oldest] of this.open) {
      if (this.open.size <= this.options.max) break;
      this.forget(oldest);
    }
    return connection;
  }

  /** Closes the connection to `file`, if open. */
  forget(file: string): void {
    this.open.get(file)?.close();
    this.open.delete(file);
  }

  /** Open connections. */
  get size(): number {
    return this.open.size;
  }
}
