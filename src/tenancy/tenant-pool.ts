import { lstatSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { openReadOnly, sqliteCodeOf, type Connection } from '../db/open.js';
import { serverClosing, TenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { QueryRunner } from '../mcp/context.js';
import { resolveTenantFile } from './tenant-file.js';
import { parseTenantId } from './tenant-id.js';

/** The part of the shared query pool the tenant pool needs. */
export interface TenantQueryPool {
  /** A runner for one tenant's file; cheap, opens nothing until a query runs. */
  forTenant(tenantId: string, file: string): QueryRunner;
  /** Closes the connection to `file` in every worker. */
  forget(file: string): void;
}

/** Brings one tenant file's pm_ schema up to date before it is opened; throws to refuse it. */
export type TenantMigrator = (tenantId: string, file: string) => void;

/** One open tenant. */
export interface TenantHandle {
  readonly tenantId: string;
  /** Read-only connection for the server's own introspection SQL, never for model SQL. */
  readonly db: Connection;
  readonly queries: QueryRunner;
}

/** A handle lent to one request; `release` is idempotent and must be called when it ends. */
export interface TenantLease {
  readonly handle: TenantHandle;
  release(): void;
}

/** Counts for health checks and logs. `open` includes retired handles still leased. */
export interface TenantPoolStats {
  /** Handles not yet closed. */
  open: number;
  /** Handles with at least one lease. */
  leased: number;
  /** Handles opened since start. */
  opens: number;
  /** Leases served by a handle already open. */
  hits: number;
  /** Handles pushed out by the size bound or the idle time. */
  evictions: number;
  /** Handles closed since start. */
  closes: number;
  maxOpen: number;
}

/** How the pool finds, opens and bounds tenants. */
export interface TenantPoolOptions {
  dataRoot: string;
  queryPool: TenantQueryPool;
  logger: Logger;
  /** Handles kept open at once; leased handles pushed out stay open until released. */
  maxOpen: number;
  /** A handle unused (unleased and not leased again) this long is closed. */
  idleMs: number;
  /** Called once per open, before the connection; an error fails the lease, nothing cached. */
  migrate?: TenantMigrator | undefined;
  /** Milliseconds for idle times; tests pass a fake one. Defaults to `performance`. */
  clock?: { now(): number } | undefined;
}

/** The pool's own record of a handle. */
interface Entry {
  readonly handle: TenantHandle;
  readonly file: string;
  /** Device and inode of the file when opened; undefined never matches. */
  readonly identity: string | undefined;
  leases: number;
  /** Out of the cache: never lent again, closed when its last lease ends. */
  retired: boolean;
}

/**
 * Open tenants for HTTP mode: a bounded, idle-expiring cache of handles, opened on first
 * lease and shared by concurrent requests of one tenant. A handle pushed out of the cache
 * while a request uses it is retired, not closed: it closes when its last lease ends, so
 * eviction never breaks a running call.
 */
export class TenantPool {
  readonly #options: TenantPoolOptions;
  readonly #cache: LRUCache<string, Entry>;
  readonly #live = new Set<Entry>();
  readonly #counts = { opens: 0, hits: 0, evictions: 0, closes: 0 };
  #drained: Promise<void> | undefined;
  #onDrained: (() => void) | undefined;

  constructor(options: TenantPoolOptions) {
    assertPositiveInteger('maxOpen', options.maxOpen);
    assertPositiveInteger('idleMs', options.idleMs);
    this.#options = options;
    this.#cache = new LRUCache<string, Entry>({
      max: options.maxOpen,
      ttl: options.idleMs,
      ttlAutopurge: true,
      updateAgeOnGet: true,
      ...(options.clock === undefined ? {} : { perf: options.clock }),
      dispose: (entry, _tenantId, reason) => this.#onRemoved(entry, reason),
    });
  }

  /**
   * Lends the tenant's handle, opening it (resolve and check the file, migrate, open) when
   * none is cached. Throws TenantMcpError: TENANT_ID_INVALID, TENANT_NOT_FOUND,
   * TENANT_FILE_REFUSED, TENANT_FILE_UNREADABLE, MIGRATION_*, TENANT_BUSY, SERVER_CLOSING.
   */
  lease(tenantIdValue: unknown): TenantLease {
    if (this.#drained !== undefined) throw serverClosing();
    const tenantId = parseTenantId(tenantIdValue);
    const cached = this.#cached(tenantId);
    if (cached !== undefined) {
      this.#counts.hits += 1;
      return this.#lend(cached);
    }
    const entry = this.#open(tenantId);
    this.#cache.set(tenantId, entry);
    return this.#lend(entry);
  }

  /** Current counts. */
  stats(): TenantPoolStats {
    let leased = 0;
    for (const entry of this.#live) if (entry.leases > 0) leased += 1;
    return { open: this.#live.size, leased, ...this.#counts, maxOpen: this.#options.maxOpen };
  }

  /**
   * Refuses new leases with SERVER_CLOSING, closes unleased handles now and leased ones when
   * released; resolves once every handle is closed. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.#drained === undefined) {
      this.#drained = new Promise((resolve) => (this.#onDrained = resolve));
      this.#cache.clear();
      this.#resolveIfDrained();
    }
    return this.#drained;
  }

  /**
   * The cached entry, unless its file was removed or replaced (a restored backup) since it was
   * opened: a lease then never reaches data the tenant folder no longer holds.
   */
  #cached(tenantId: string): Entry | undefined {
    const entry = this.#cache.get(tenantId);
    if (entry === undefined || sameFile(entry)) return entry;
    this.#options.logger.info(
      { tenant: tenantId },
      'tenant file replaced or removed since opened; handle retired',
    );
    this.#cache.delete(tenantId);
    // A handle still leased closes later, and by then a fresh handle of the same path would stop
    // the workers from dropping the old file: they are told now. An unleased one closed above.
    if (entry.leases > 0) this.#forget(entry);
    return undefined;
  }

  #open(tenantId: string): Entry {
    const { dataRoot, queryPool, migrate } = this.#options;
    const { file } = resolveTenantFile(dataRoot, tenantId);
    migrate?.(tenantId, file);
    // Taken before opening: a file swapped in between is caught by the next lease.
    const identity = fileIdentity(file);
    // The server's only thread serves every tenant: a lock the host holds on a file not in WAL
    // mode fails this tenant's call at once (TENANT_BUSY) rather than stalling everyone.
    const db = openReadOnly(file, tenantId, 0);
    let queries: QueryRunner;
    try {
      queries = queryPool.forTenant(tenantId, file);
    } catch (error) {
      db.close();
      throw error;
    }
    const entry: Entry = {
      handle: Object.freeze({ tenantId, db, queries }),
      file,
      identity,
      leases: 0,
      retired: false,
    };
    this.#live.add(entry);
    this.#counts.opens += 1;
    this.#options.logger.debug({ tenant: tenantId }, 'tenant opened');
    return entry;
  }

  #lend(entry: Entry): TenantLease {
    entry.leases += 1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#return(entry);
    };
    return Object.freeze({ handle: entry.handle, release });
  }

  #return(entry: Entry): void {
    entry.leases -= 1;
    if (entry.leases > 0) return;
    if (entry.retired) {
      this.#closeEntry(entry);
      return;
    }
    // Idle time counts from the end of the last request, not from its start.
    if (this.#cache.peek(entry.handle.tenantId) === entry) this.#cache.get(entry.handle.tenantId);
  }

  /** lru-cache's dispose: must never throw, or `set` throws and the new value leaks. */
  #onRemoved(entry: Entry, reason: LRUCache.DisposeReason): void {
    try {
      if (reason === 'evict' || reason === 'expire') this.#counts.evictions += 1;
      entry.retired = true;
      if (entry.leases === 0) {
        this.#closeEntry(entry);
      } else {
        const log = { tenant: entry.handle.tenantId, reason, leases: entry.leases };
        this.#options.logger.debug(log, 'tenant retired while leased; closes on release');
      }
    } catch (error) {
      this.#logFailure(entry, 'tenant retirement failed', error);
    }
  }

  #closeEntry(entry: Entry): void {
    if (!this.#live.delete(entry)) return;
    this.#counts.closes += 1;
    try {
      entry.handle.db.close();
    } catch (error) {
      this.#logFailure(entry, 'tenant connection did not close', error);
    }
    this.#forgetUnlessStillOpen(entry);
    this.#options.logger.debug({ tenant: entry.handle.tenantId }, 'tenant closed');
    this.#resolveIfDrained();
  }

  /** A fresh handle of the same tenant may be live beside a retired one: it keeps the file. */
  #forgetUnlessStillOpen(entry: Entry): void {
    for (const other of this.#live) if (other.file === entry.file) return;
    this.#forget(entry);
  }

  #forget(entry: Entry): void {
    try {
      this.#options.queryPool.forget(entry.file);
    } catch (error) {
      this.#logFailure(entry, 'query pool did not forget tenant', error);
    }
  }

  #resolveIfDrained(): void {
    if (this.#live.size === 0) this.#onDrained?.();
  }

  #logFailure(entry: Entry, message: string, error: unknown): void {
    this.#options.logger.warn({ tenant: entry.handle.tenantId, err: errorSummary(error) }, message);
  }
}

/** True while the entry's path still names the file it opened. */
function sameFile(entry: Entry): boolean {
  return entry.identity !== undefined && fileIdentity(entry.file) === entry.identity;
}

/** Device and inode of `file`, or undefined when it is gone or cannot be examined. */
function fileIdentity(file: string): string | undefined {
  try {
    const stats = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    return stats === undefined ? undefined : `${stats.dev}:${stats.ino}`;
  } catch {
    // Whatever hides the file now, the reopen that follows reports it without a path.
    return undefined;
  }
}

/** Name and codes only: messages of foreign errors may carry a path. */
function errorSummary(error: unknown): { name: string; code?: string } {
  const name = error instanceof Error ? error.name : typeof error;
  const code = error instanceof TenantMcpError ? error.code : sqliteCodeOf(error);
  return code === undefined ? { name } : { name, code };
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`TenantPool option ${name} must be a positive integer`);
  }
}
