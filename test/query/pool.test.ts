import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueryPool } from '../../src/query/pool.js';
import { MIN_TIMEOUT_MS } from '../../src/query/pool-errors.js';
import { START_FLOOR_MS } from '../../src/query/scheduler.js';
import type { QueryRequest, QueryResult } from '../../src/query/run.js';
import {
  builtWorkerPath,
  createTenantFixture,
  ENDLESS,
  isRunning,
  launchPool,
  LIMITS,
  rejection,
  startPool,
  workerPids,
  type TenantFixture,
} from './fixture.js';

const COUNT_USERS = 'SELECT count(*) FROM users';

let fixture: TenantFixture;
let pool: QueryPool | undefined;

/** A call of the fixture's tenant, `acme`. */
function run(request: QueryRequest, signal?: AbortSignal): Promise<QueryResult> {
  return pool!.forTenant('acme', fixture.file).run(request, signal);
}

beforeEach(() => {
  fixture = createTenantFixture();
});

afterEach(async () => {
  await pool?.close();
  pool = undefined;
  fixture.remove();
});

describe('QueryPool', () => {
  it('starts one worker per configured slot and answers a point lookup', async () => {
    pool = await startPool(fixture, { workers: 3 });
    expect(workerPids()).toHaveLength(3);
    const result = await run({ sql: 'SELECT name FROM users WHERE id = ?', params: ['u2'] });
    expect(result.rows).toEqual([['Bo']]);
    expect(result.columns).toEqual([{ name: 'name', type: 'TEXT' }]);
  });

  it('carries exact values and errors with their codes across the process boundary', async () => {
    pool = await startPool(fixture);
    const big = await run({ sql: 'SELECT 9223372036854775807, 1e999, NULL' });
    expect(big.rows).toEqual([[{ $int: '9223372036854775807' }, { $real: 'Infinity' }, null]]);
    expect(await rejection(run({ sql: 'SELECT * FROM nope' }))).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_ERROR',
      hint: expect.stringMatching(/list_tables/),
    });
  });

  it('kills a query at its deadline with QUERY_TIMEOUT and keeps answering', async () => {
    pool = await startPool(fixture, { workers: 1 });
    const [before] = workerPids();
    expect(await rejection(run({ sql: ENDLESS, timeoutMs: 100 }))).toMatchObject({
      code: 'QUERY_TIMEOUT',
    });
    expect((await run({ sql: COUNT_USERS })).rows).toEqual([[3]]);
    expect(workerPids()).not.toContain(before);
  });

  it('clamps a requested deadline to maxTimeoutMs', async () => {
    pool = await startPool(fixture, { timeoutMs: 50, maxTimeoutMs: 100 });
    expect(await rejection(run({ sql: ENDLESS, timeoutMs: 600_000 }))).toMatchObject({
      code: 'QUERY_TIMEOUT',
      message: 'the query did not finish within 100 ms',
    });
  });

  it('raises a requested deadline below the smallest time limit to it', async () => {
    pool = await startPool(fixture, { workers: 1 });
    expect(await rejection(run({ sql: ENDLESS, timeoutMs: 1 }))).toMatchObject({
      code: 'QUERY_TIMEOUT',
      message: `the query did not finish within ${MIN_TIMEOUT_MS} ms`,
    });
  });

  it('refuses a timeoutMs that is not a positive integer with QUERY_INVALID', async () => {
    pool = await startPool(fixture);
    for (const timeoutMs of [0, -5, 1.5]) {
      expect(await rejection(run({ sql: COUNT_USERS, timeoutMs }))).toMatchObject({
        code: 'QUERY_INVALID',
      });
    }
  });

  it('refuses bad input before it reaches a worker', async () => {
    pool = await startPool(fixture, { workers: 1 });
    const busy = rejection(run({ sql: ENDLESS, timeoutMs: 20_000 }));
    expect(await rejection(run({ sql: 'SELECT ?', params: [{ x: 1 }] }))).toMatchObject({
      code: 'QUERY_PARAMS_INVALID',
    });
    expect(await rejection(run({ sql: 42 as unknown as string }))).toMatchObject({
      code: 'QUERY_INVALID',
    });
    expect(await rejection(run({ sql: 'SELECT 1', maxRows: -1 }))).toMatchObject({
      code: 'QUERY_INVALID',
    });
    await pool.close();
    expect(await busy).toMatchObject({ code: 'QUERY_WORKER_FAILED' });
  });

  it('serves other calls while one query runs long', async () => {
    pool = await startPool(fixture, { workers: 2 });
    let slowSettled = false;
    const slow = rejection(
      run({ sql: ENDLESS, timeoutMs: 20_000 }).finally(() => {
        slowSettled = true;
      }),
    );
    for (let i = 0; i < 5; i += 1) {
      expect((await run({ sql: COUNT_USERS })).rows).toEqual([[3]]);
    }
    expect(slowSettled).toBe(false);
    await pool.close();
    expect(await slow).toMatchObject({ code: 'QUERY_WORKER_FAILED' });
  });

  it('fails a call that waited its whole deadline in the queue with QUERY_OVERLOADED, not a timeout of its own SQL', async () => {
    pool = await startPool(fixture, { workers: 1 });
    const running = rejection(run({ sql: ENDLESS, timeoutMs: 20_000 }));
    const [busy] = workerPids();
    expect(await rejection(run({ sql: COUNT_USERS, timeoutMs: 50 }))).toMatchObject({
      code: 'QUERY_OVERLOADED',
      message: expect.stringContaining(
        'timed out waiting for a query worker: none was free in time to run the query within 50 ms',
      ),
    });
    expect(workerPids()).toEqual([busy]);
    await pool.close();
    expect(await running).toMatchObject({ code: 'QUERY_WORKER_FAILED' });
  });

  it('fails a waiting call with too little time left when a worker frees, sending and killing nothing', async () => {
    pool = await startPool(fixture, { workers: 1 });
    const [worker] = workerPids();
    const answered = run({ sql: COUNT_USERS });
    const waiting = rejection(run({ sql: COUNT_USERS, timeoutMs: 5_000 }));
    // The waiting call's timer is seconds away; only the check at hand-over can refuse it.
    const late = performance.now() + 5_000 - START_FLOOR_MS + 1;
    const clock = vi.spyOn(performance, 'now').mockReturnValue(late);
    try {
      expect((await answered).rows).toEqual([[3]]);
      expect(await waiting).toMatchObject({
        code: 'QUERY_OVERLOADED',
        message: expect.stringContaining('timed out waiting for a query worker'),
      });
      expect(pool.stats()).toMatchObject({ busy: 0, queued: 0, tenants: 0 });
    } finally {
      clock.mockRestore();
    }
    expect(workerPids()).toEqual([worker]);
  });

  it('kills the worker of a running call the client cancels, and serves the next call', async () => {
    pool = await startPool(fixture, { workers: 1 });
    const [busy] = workerPids();
    const controller = new AbortController();
    const running = rejection(run({ sql: ENDLESS, timeoutMs: 20_000 }, controller.signal));
    controller.abort();
    expect(await running).toMatchObject({ code: 'QUERY_CANCELLED' });
    expect((await run({ sql: COUNT_USERS })).rows).toEqual([[3]]);
    expect(workerPids()).not.toContain(busy);
  });

  it('leaves no abort listener behind once a call is answered', async () => {
    pool = await startPool(fixture);
    const signal = new AbortController().signal;
    const add = vi.spyOn(signal, 'addEventListener');
    const remove = vi.spyOn(signal, 'removeEventListener');
    for (let i = 0; i < 12; i += 1) await run({ sql: COUNT_USERS }, signal);
    expect(add).toHaveBeenCalledTimes(12);
    expect(remove.mock.calls.map((c) => c[1])).toEqual(add.mock.calls.map((c) => c[1]));
  });

  it('takes a cancelled call out of the queue without touching the running one', async () => {
    pool = await startPool(fixture, { workers: 1 });
    const running = rejection(run({ sql: ENDLESS, timeoutMs: 20_000 }));
    const [busy] = workerPids();
    const controller = new AbortController();
    const queued = rejection(run({ sql: COUNT_USERS }, controller.signal));
    controller.abort();
    expect(await queued).toMatchObject({ code: 'QUERY_CANCELLED' });
    expect(workerPids()).toEqual([busy]);
    await pool.close();
    expect(await running).toMatchObject({ code: 'QUERY_WORKER_FAILED' });
  });

  it('refuses calls beyond the queue bound with QUERY_OVERLOADED at once', async () => {
    pool = await startPool(fixture, { workers: 1 }, { maxQueue: 2 });
    const pending = [1, 2, 3].map(() => rejection(run({ sql: ENDLESS, timeoutMs: 20_000 })));
    expect(await rejection(run({ sql: COUNT_USERS }))).toMatchObject({
      code: 'QUERY_OVERLOADED',
    });
    await pool.close();
    for (const call of pending) expect(await call).toMatchObject({ code: 'QUERY_WORKER_FAILED' });
  });

  it('fails the call of a dying worker with QUERY_WORKER_FAILED, then replaces it', async () => {
    pool = await startPool(fixture, { workers: 1 });
    const running = rejection(run({ sql: ENDLESS, timeoutMs: 20_000 }));
    const [victim] = workerPids();
    process.kill(victim!, 'SIGKILL');
    expect(await running).toMatchObject({ code: 'QUERY_WORKER_FAILED' });
    // The lost worker was running acme's call: acme is charged until its replacement is ready.
    expect(pool.stats()).toMatchObject({ starting: 1, tenants: 1, restartsCharged: 1 });
    expect((await run({ sql: COUNT_USERS })).rows).toEqual([[3]]);
  });

  it('caps native memory: SQLite fails with SQLITE_NOMEM and the pool answers on', async () => {
    pool = await startPool(fixture, { workers: 1, workerMemoryMb: 32 });
    const [pid] = workerPids();
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    expect(limits).toMatch(/Max data size\s+100663296\s+100663296/);
    expect(await rejection(run({ sql: 'SELECT randomblob(200000000)' }))).toMatchObject({
      code: 'QUERY_FAILED',
      sqliteCode: 'SQLITE_NOMEM',
    });
    expect(pool.stats()).toMatchObject({ starting: 1, restartsCharged: 1 });
    expect((await run({ sql: COUNT_USERS })).rows).toEqual([[3]]);
  });

  it('refuses to start on a missing tenant file, without naming its path', async () => {
    const missing = join(fixture.dataRoot, 'tenants', 'acme', 'gone.db');
    const error = await rejection(startPool({ ...fixture, file: missing }));
    expect(error).toMatchObject({ code: 'TENANT_FILE_UNREADABLE' });
    expect(error.message).not.toContain(fixture.dataRoot);
    expect(workerPids()).toEqual([]);
  });

  it('launches without waiting for its workers, and a call made at once waits for one', async () => {
    pool = launchPool(fixture);
    expect((await run({ sql: COUNT_USERS })).rows).toEqual([[3]]);
    expect(workerPids()).toHaveLength(LIMITS.workers);
  });

  it('fails each call on a missing file of a launched pool, without naming its path', async () => {
    const missing = join(fixture.dataRoot, 'tenants', 'acme', 'gone.db');
    pool = launchPool({ ...fixture, file: missing });
    const gone = pool.forTenant('acme', missing);
    const error = await rejection(gone.run({ sql: COUNT_USERS, timeoutMs: 20_000 }));
    expect(error).toMatchObject({ code: 'TENANT_FILE_UNREADABLE' });
    expect(error.message).not.toContain(fixture.dataRoot);
    expect(await rejection(gone.run({ sql: COUNT_USERS }))).toMatchObject({
      code: 'TENANT_FILE_UNREADABLE',
    });
    expect(workerPids()).toHaveLength(LIMITS.workers);
  });

  it('kills every worker on close and resolves once they have exited', async () => {
    pool = await startPool(fixture);
    const pids = workerPids();
    await pool.close();
    expect(pids.filter(isRunning)).toEqual([]);
    expect(await rejection(run({ sql: COUNT_USERS }))).toMatchObject({
      code: 'QUERY_WORKER_FAILED',
    });
  });
});

describe('QueryPool and its parent process', () => {
  function host(script: string): ReturnType<typeof spawn> {
    const file = join(fixture.dataRoot, 'host.mjs');
    const poolUrl = pathToFileURL(join(builtWorkerPath(), '..', 'pool.js')).href;
    const loggerUrl = pathToFileURL(join(builtWorkerPath(), '..', '..', 'log', 'logger.js')).href;
    const limits = JSON.stringify({ ...LIMITS, timeoutMs: 60_000, maxTimeoutMs: 60_000 });
    writeFileSync(
      file,
      `import { QueryPool } from '${poolUrl}';
       import { silentLogger } from '${loggerUrl}';
       const file = ${JSON.stringify(fixture.file)};
       const pool = await QueryPool.start({ file, limits: ${limits}, logger: silentLogger() });
       const acme = pool.forTenant('acme', file);
       ${script}`,
    );
    return spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  }

  function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
    return new Promise((resolve) => {
      child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    });
  }

  it('lets its parent exit on its own when idle', async () => {
    const child = host(`await acme.run({ sql: 'SELECT 1' }); console.log('done');`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(await firstLine(child)).toBe('done');
    expect(await exited).toBe(0);
  });

  it('has its workers killed when the parent dies, even one busy inside SQLite', async () => {
    const child = host(`
      acme.run({ sql: ${JSON.stringify(ENDLESS)} }).catch(() => {});
      console.log('running');`);
    expect(await firstLine(child)).toBe('running');
    const pids = workerPids(child.pid);
    expect(pids).toHaveLength(LIMITS.workers);
    child.kill('SIGKILL');
    await vi.waitFor(() => expect(pids.filter(isRunning)).toEqual([]), { timeout: 10_000 });
  });
});
