import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TenantMcpError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import type { QueryRunner } from '../../src/mcp/context.js';
import {
  TenantPool,
  type TenantPoolOptions,
  type TenantQueryPool,
} from '../../src/tenancy/tenant-pool.js';
import { capturingLogger, createHostFile, createTenant, withDb } from '../migrations/fixtures.js';
import { failure } from '../support/failure.js';

/** A query pool that only records what the tenant pool asks of it. */
interface RecordingQueryPool extends TenantQueryPool {
  readonly forTenantCalls: [string, string][];
  readonly forgotten: string[];
}

function recordingQueryPool(): RecordingQueryPool {
  const forTenantCalls: [string, string][] = [];
  const forgotten: string[] = [];
  const runner: QueryRunner = { run: () => Promise.reject(new Error('not used in these tests')) };
  return {
    forTenantCalls,
    forgotten,
    forTenant(tenantId, file) {
      forTenantCalls.push([tenantId, file]);
      return runner;
    },
    forget(file) {
      forgotten.push(file);
    },
  };
}

let dir: string;
let root: string;
let queryPool: RecordingQueryPool;
let pools: TenantPool[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenant-mcp-pool-'));
  root = join(dir, 'data');
  mkdirSync(join(root, 'tenants'), { recursive: true });
  queryPool = recordingQueryPool();
  pools = [];
});

afterEach(async () => {
  vi.useRealTimers();
  for (const pool of pools) {
    const closed = pool.close();
    // A test that failed before releasing its leases must not hang here as well.
    if (pool.stats().leased === 0) await closed;
  }
  rmSync(dir, { recursive: true, force: true });
});

function newPool(options: Partial<TenantPoolOptions> = {}): TenantPool {
  const pool = new TenantPool({
    dataRoot: root,
    queryPool,
    logger: silentLogger(),
    maxOpen: 4,
    idleMs: 60_000,
    ...options,
  });
  pools.push(pool);
  return pool;
}

function usersIn(pool: TenantPool, tenantId: string): number {
  const lease = pool.lease(tenantId);
  try {
    return lease.handle.db.prepare('SELECT count(*) FROM users').pluck().get() as number;
  } finally {
    lease.release();
  }
}

describe('TenantPool.lease', () => {
  it('opens nothing until the first lease', () => {
    createTenant(root, 'acme');

    const pool = newPool();

    expect(pool.stats()).toEqual({
      open: 0,
      leased: 0,
      opens: 0,
      hits: 0,
      evictions: 0,
      closes: 0,
      maxOpen: 4,
    });
    expect(queryPool.forTenantCalls).toEqual([]);
  });

  it('opens the tenant on the first lease and serves the second from the same handle', () => {
    const file = createTenant(root, 'acme');
    const pool = newPool();

    const first = pool.lease('acme');
    const second = pool.lease('acme');

    expect(second.handle).toBe(first.handle);
    expect(first.handle.tenantId).toBe('acme');
    expect(first.handle.db.prepare('SELECT count(*) FROM users').pluck().get()).toBe(2);
    expect(queryPool.forTenantCalls).toEqual([['acme', file]]);
    expect(pool.stats()).toMatchObject({ open: 1, leased: 1, opens: 1, hits: 1, closes: 0 });

    first.release();
    second.release();

    expect(pool.stats()).toMatchObject({ open: 1, leased: 0, opens: 1, hits: 1, closes: 0 });
    expect(first.handle.db.open).toBe(true);
  });

  it('counts each tenant as one open handle', () => {
    createTenant(root, 'acme');
    createTenant(root, 'globex');
    const pool = newPool();

    expect(usersIn(pool, 'acme')).toBe(2);
    expect(usersIn(pool, 'globex')).toBe(2);
    expect(usersIn(pool, 'acme')).toBe(2);

    expect(pool.stats()).toMatchObject({ open: 2, leased: 0, opens: 2, hits: 1 });
  });

  it('refuses a tenant without a file with TENANT_NOT_FOUND and caches nothing', () => {
    const pool = newPool();

    expect(failure(() => pool.lease('ghost')).code).toBe('TENANT_NOT_FOUND');
    expect(pool.stats()).toMatchObject({ open: 0, opens: 0 });
    expect(queryPool.forTenantCalls).toEqual([]);
  });

  it.each(['../x', 'A', 'a/b', '', 'a\0b'])(
    'refuses the tenant id %j with TENANT_ID_INVALID and caches nothing',
    (id) => {
      createTenant(root, 'acme');
      const pool = newPool();

      expect(failure(() => pool.lease(id)).code).toBe('TENANT_ID_INVALID');
      expect(pool.stats()).toMatchObject({ open: 0, opens: 0 });
      expect(queryPool.forTenantCalls).toEqual([]);
    },
  );

  it('refuses an empty tenant file with TENANT_FILE_REFUSED', () => {
    mkdirSync(join(root, 'tenants', 'acme'));
    writeFileSync(join(root, 'tenants', 'acme', 'main.db'), '');
    const pool = newPool();

    expect(failure(() => pool.lease('acme')).code).toBe('TENANT_FILE_REFUSED');
    expect(pool.stats().open).toBe(0);
  });

  it('refuses a file that is not a database with TENANT_FILE_UNREADABLE and forgets no file', () => {
    mkdirSync(join(root, 'tenants', 'acme'));
    writeFileSync(join(root, 'tenants', 'acme', 'main.db'), 'not a database at all');
    const pool = newPool();

    expect(failure(() => pool.lease('acme')).code).toBe('TENANT_FILE_UNREADABLE');
    expect(pool.stats()).toMatchObject({ open: 0, opens: 0 });
    expect(queryPool.forTenantCalls).toEqual([]);
  });

  it('releases a lease once however often release is called', () => {
    createTenant(root, 'acme');
    createTenant(root, 'globex');
    const pool = newPool({ maxOpen: 1 });
    const first = pool.lease('acme');
    const second = pool.lease('acme');
    usersIn(pool, 'globex');

    first.release();
    first.release();

    expect(second.handle.db.open).toBe(true);
    second.release();
    expect(second.handle.db.open).toBe(false);
  });
});

describe('TenantPool and the tenant file changing underneath', () => {
  it('reopens a tenant whose file was replaced, closing the old handle', () => {
    const file = createTenant(root, 'acme');
    const pool = newPool();
    const old = pool.lease('acme');
    old.release();
    const restored = join(dir, 'restored');
    mkdirSync(restored);
    const replacement = createHostFile(restored);
    withDb(replacement, (db) => db.exec(`INSERT INTO users VALUES ('u-cy', 'cy@x.test', 'Cy', 1)`));
    renameSync(replacement, file);

    expect(usersIn(pool, 'acme')).toBe(3);
    expect(old.handle.db.open).toBe(false);
    expect(pool.stats()).toMatchObject({ open: 1, opens: 2, hits: 0, closes: 1, evictions: 0 });
  });

  it('tells the query workers to drop a replaced file at once, even while a request holds it', () => {
    const file = createTenant(root, 'acme');
    const pool = newPool();
    const old = pool.lease('acme');
    const restored = join(dir, 'restored');
    mkdirSync(restored);
    renameSync(createHostFile(restored), file);

    expect(usersIn(pool, 'acme')).toBe(2);

    expect(queryPool.forgotten).toEqual([file]);
    expect(old.handle.db.open).toBe(true);
    old.release();
    expect(old.handle.db.open).toBe(false);
  });

  it('refuses a tenant whose folder was removed with TENANT_NOT_FOUND, closing its handle', () => {
    const file = createTenant(root, 'acme');
    const pool = newPool();
    const old = pool.lease('acme');
    old.release();
    rmSync(join(root, 'tenants', 'acme'), { recursive: true });

    expect(failure(() => pool.lease('acme')).code).toBe('TENANT_NOT_FOUND');
    expect(old.handle.db.open).toBe(false);
    expect(queryPool.forgotten).toEqual([file]);
    expect(pool.stats()).toMatchObject({ open: 0, closes: 1 });
  });
});

describe('TenantPool eviction', () => {
  it('keeps a handle evicted while leased working, and closes it on release', () => {
    const acmeFile = createTenant(root, 'acme');
    createTenant(root, 'globex');
    const pool = newPool({ maxOpen: 1 });
    const lease = pool.lease('acme');

    usersIn(pool, 'globex');

    expect(pool.stats()).toMatchObject({ open: 2, leased: 1, evictions: 1, closes: 0 });
    expect(lease.handle.db.prepare('SELECT name FROM users ORDER BY id').pluck().all()).toEqual([
      'Ada',
      'Ben',
    ]);
    expect(queryPool.forgotten).toEqual([]);

    lease.release();

    expect(lease.handle.db.open).toBe(false);
    expect(queryPool.forgotten).toEqual([acmeFile]);
    expect(pool.stats()).toMatchObject({ open: 1, leased: 0, evictions: 1, closes: 1 });
  });

  it('closes an unleased handle as soon as it is evicted', () => {
    const acmeFile = createTenant(root, 'acme');
    createTenant(root, 'globex');
    const pool = newPool({ maxOpen: 1 });
    const lease = pool.lease('acme');
    lease.release();

    usersIn(pool, 'globex');

    expect(lease.handle.db.open).toBe(false);
    expect(queryPool.forgotten).toEqual([acmeFile]);
    expect(pool.stats()).toMatchObject({ open: 1, opens: 2, evictions: 1, closes: 1 });
  });

  it('never lends a retired handle again: the next lease opens a fresh one', () => {
    const acmeFile = createTenant(root, 'acme');
    const globexFile = createTenant(root, 'globex');
    const pool = newPool({ maxOpen: 1 });
    const old = pool.lease('acme');
    usersIn(pool, 'globex');

    const fresh = pool.lease('acme');

    expect(fresh.handle).not.toBe(old.handle);
    expect(pool.stats()).toMatchObject({ open: 2, leased: 2, opens: 3, hits: 0 });
    expect(queryPool.forgotten).toEqual([globexFile]);

    // The fresh handle still uses the file, so the workers keep their connection to it.
    old.release();
    expect(old.handle.db.open).toBe(false);
    expect(fresh.handle.db.open).toBe(true);
    expect(queryPool.forgotten).toEqual([globexFile]);

    fresh.release();
    usersIn(pool, 'globex');
    expect(queryPool.forgotten).toEqual([globexFile, acmeFile]);
  });

  it('still evicts and opens when the query pool fails to forget a file', () => {
    createTenant(root, 'acme');
    createTenant(root, 'globex');
    queryPool.forget = () => {
      throw new Error('worker gone');
    };
    const pool = newPool({ maxOpen: 1 });
    const acme = pool.lease('acme');
    acme.release();

    expect(usersIn(pool, 'globex')).toBe(2);
    expect(acme.handle.db.open).toBe(false);
    expect(pool.stats()).toMatchObject({ open: 1, evictions: 1, closes: 1 });
  });

  it('closes the connection when the query pool cannot serve the tenant', () => {
    createTenant(root, 'acme');
    queryPool.forTenant = () => {
      throw new TenantMcpError('QUERY_WORKER_FAILED', 'no workers');
    };
    const pool = newPool();

    expect(failure(() => pool.lease('acme')).code).toBe('QUERY_WORKER_FAILED');
    expect(pool.stats()).toMatchObject({ open: 0, opens: 0 });
  });
});

describe('TenantPool idle time', () => {
  // lru-cache reads its own clock; the pool takes a fake one beside vitest's fake timers.
  const clock = { now: () => Date.now() };

  it('closes a handle left idle for idleMs without anyone touching the pool', () => {
    vi.useFakeTimers();
    const file = createTenant(root, 'acme');
    const pool = newPool({ idleMs: 1_000, clock });
    const lease = pool.lease('acme');
    lease.release();

    vi.advanceTimersByTime(900);
    expect(lease.handle.db.open).toBe(true);

    vi.advanceTimersByTime(200);
    expect(lease.handle.db.open).toBe(false);
    expect(queryPool.forgotten).toEqual([file]);
    expect(pool.stats()).toMatchObject({ open: 0, evictions: 1, closes: 1 });
  });

  it('counts idle time from the last release', () => {
    vi.useFakeTimers();
    createTenant(root, 'acme');
    const pool = newPool({ idleMs: 1_000, clock });
    const lease = pool.lease('acme');

    vi.advanceTimersByTime(700);
    usersIn(pool, 'acme');
    vi.advanceTimersByTime(700);
    expect(lease.handle.db.open).toBe(true);
    lease.release();
    vi.advanceTimersByTime(700);
    expect(lease.handle.db.open).toBe(true);

    vi.advanceTimersByTime(400);
    expect(lease.handle.db.open).toBe(false);
  });

  it('keeps a handle that expires while leased open until it is released', () => {
    vi.useFakeTimers();
    createTenant(root, 'acme');
    const pool = newPool({ idleMs: 1_000, clock });
    const lease = pool.lease('acme');

    vi.advanceTimersByTime(1_500);

    expect(pool.stats()).toMatchObject({ open: 1, leased: 1, evictions: 1, closes: 0 });
    expect(lease.handle.db.prepare('SELECT count(*) FROM users').pluck().get()).toBe(2);
    lease.release();
    expect(lease.handle.db.open).toBe(false);
  });
});

describe('TenantPool first-use migration', () => {
  it('migrates once per open, before the connection is opened', () => {
    const file = createTenant(root, 'acme');
    const calls: [string, string][] = [];
    const pool = newPool({ migrate: (tenantId, f) => void calls.push([tenantId, f]) });

    usersIn(pool, 'acme');
    usersIn(pool, 'acme');

    expect(calls).toEqual([['acme', file]]);
  });

  it('fails the lease with the migration error, caches nothing, and tries again next time', () => {
    createTenant(root, 'acme');
    let attempts = 0;
    const migrate = (): void => {
      attempts += 1;
      if (attempts === 1) throw new TenantMcpError('MIGRATION_FAILED', 'migration 0002 failed');
    };
    const pool = newPool({ migrate });

    expect(failure(() => pool.lease('acme')).code).toBe('MIGRATION_FAILED');
    expect(pool.stats()).toMatchObject({ open: 0, opens: 0 });
    expect(queryPool.forTenantCalls).toEqual([]);

    expect(usersIn(pool, 'acme')).toBe(2);
    expect(attempts).toBe(2);
    expect(pool.stats()).toMatchObject({ open: 1, opens: 1 });
  });
});

describe('TenantPool.close', () => {
  it('closes idle handles at once, leased ones on release, and resolves after the last', async () => {
    const acmeFile = createTenant(root, 'acme');
    const globexFile = createTenant(root, 'globex');
    const pool = newPool();
    const acme = pool.lease('acme');
    const globex = pool.lease('globex');
    globex.release();
    let closed = false;

    const closing = pool.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));

    expect(closed).toBe(false);
    expect(globex.handle.db.open).toBe(false);
    expect(acme.handle.db.open).toBe(true);
    expect(queryPool.forgotten).toEqual([globexFile]);

    acme.release();
    await closing;

    expect(acme.handle.db.open).toBe(false);
    expect(queryPool.forgotten).toEqual([globexFile, acmeFile]);
    expect(pool.stats()).toMatchObject({ open: 0, leased: 0, closes: 2, evictions: 0 });
  });

  it('refuses leases once closing with SERVER_CLOSING', async () => {
    createTenant(root, 'acme');
    const pool = newPool();
    const held = pool.lease('acme');
    const closing = pool.close();

    expect(failure(() => pool.lease('acme')).code).toBe('SERVER_CLOSING');
    expect(pool.stats().hits).toBe(0);

    held.release();
    await closing;
    expect(failure(() => pool.lease('acme')).code).toBe('SERVER_CLOSING');
  });

  it('resolves at once when nothing is open, and returns the same promise when called again', async () => {
    const pool = newPool();

    const first = pool.close();

    expect(pool.close()).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });
});

describe('TenantPool logs', () => {
  it('name the tenant and never a path, even when the query pool fails', async () => {
    createTenant(root, 'acme');
    createTenant(root, 'globex');
    queryPool.forget = (file) => {
      throw new Error(`cannot forget ${file}`);
    };
    const { logger, lines } = capturingLogger();
    const pool = newPool({ maxOpen: 1, logger });
    const held = pool.lease('acme');

    usersIn(pool, 'globex');
    held.release();
    await pool.close();

    expect(lines.map((line) => [line.tenant, line.msg])).toEqual([
      ['acme', 'tenant opened'],
      ['globex', 'tenant opened'],
      ['acme', 'tenant retired while leased; closes on release'],
      ['acme', 'query pool did not forget tenant'],
      ['acme', 'tenant closed'],
      ['globex', 'query pool did not forget tenant'],
      ['globex', 'tenant closed'],
    ]);
    expect(JSON.stringify(lines)).not.toContain(dir);
  });
});

describe('TenantPool options', () => {
  it.each([
    ['maxOpen', { maxOpen: 0 }],
    ['idleMs', { idleMs: 1.5 }],
  ])('refuses a bad %s with a RangeError naming it', (name, options) => {
    expect(() => newPool(options)).toThrow(
      new RangeError(`TenantPool option ${name} must be a positive integer`),
    );
  });
});
