import { readdirSync, readlinkSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueryPool } from '../../src/query/pool.js';
import type { QueryRunner } from '../../src/query/run.js';
import {
  createTenantFixture,
  ENDLESS,
  OTHER_SECRET,
  rejection,
  startPool,
  tenantFile,
  workerPids,
  writeSecretFile,
  type TenantFixture,
} from './fixture.js';

/** One pool serving many tenants: isolation, bad files, forget, and fairness between tenants. */

const COUNT_USERS = 'SELECT count(*) FROM users';
const SECRET = 'SELECT v FROM secrets';

let fixture: TenantFixture;
let pool: QueryPool;
let acme: QueryRunner;
let other: QueryRunner;

async function open(...args: Parameters<typeof startPool>): Promise<void> {
  pool = await startPool(...args);
  acme = pool.forTenant('acme', fixture.file);
  other = pool.forTenant('other', fixture.otherFile);
}

async function rowsOf(queries: QueryRunner, sql: string): Promise<unknown[][]> {
  return (await queries.run({ sql })).rows;
}

/** Settles `promise` and records its label in `order` when it does. */
function track(promise: Promise<unknown>, label: string, order: string[]): Promise<unknown> {
  return promise.then(
    () => order.push(label),
    () => order.push(label),
  );
}

beforeEach(() => {
  fixture = createTenantFixture();
});

afterEach(async () => {
  await pool?.close();
  fixture.remove();
});

describe('a pool shared by tenants', () => {
  it('answers each tenant from its own file only, on the same worker', async () => {
    await open(fixture, { workers: 1 });
    for (let round = 0; round < 3; round += 1) {
      expect(await rowsOf(acme, COUNT_USERS)).toEqual([[3]]);
      expect(await rowsOf(other, SECRET)).toEqual([[OTHER_SECRET]]);
      expect(await rejection(acme.run({ sql: SECRET }))).toMatchObject({ code: 'QUERY_FAILED' });
      expect(await rejection(other.run({ sql: COUNT_USERS }))).toMatchObject({
        code: 'QUERY_FAILED',
      });
    }
  });

  it('keeps tenants apart when their calls interleave across workers', async () => {
    await open(fixture, { workers: 2 });
    const calls = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0 ? rowsOf(acme, 'SELECT name FROM users ORDER BY id') : rowsOf(other, SECRET),
    );
    const answers = await Promise.all(calls);
    answers.forEach((rows, i) => {
      expect(rows).toEqual(i % 2 === 0 ? [['Ann'], ['Bo'], [null]] : [[OTHER_SECRET]]);
    });
  });

  it('fails only the call on an unreadable file, without its path, and serves on', async () => {
    await open(fixture, { workers: 1 });
    const [worker] = workerPids();
    const gone = pool.forTenant('gone', join(fixture.dataRoot, 'tenants', 'gone', 'main.db'));
    const error = await rejection(gone.run({ sql: COUNT_USERS }));
    expect(error).toMatchObject({ code: 'TENANT_FILE_UNREADABLE' });
    expect(error.message).not.toContain(fixture.dataRoot);
    expect(error.message).not.toContain('gone');
    expect(await rowsOf(acme, COUNT_USERS)).toEqual([[3]]);
    expect(await rowsOf(other, SECRET)).toEqual([[OTHER_SECRET]]);
    expect(workerPids()).toEqual([worker]);
  });

  it('reopens a file after forget, and not before', async () => {
    await open(fixture, { workers: 1 });
    expect(await rowsOf(other, SECRET)).toEqual([[OTHER_SECRET]]);
    const replacement = join(fixture.dataRoot, 'replacement.db');
    writeSecretFile(replacement, 'replaced');
    renameSync(replacement, fixture.otherFile);
    // The open connection still reads the file it opened.
    expect(await rowsOf(other, SECRET)).toEqual([[OTHER_SECRET]]);
    pool.forget(fixture.otherFile);
    expect(await rowsOf(other, SECRET)).toEqual([['replaced']]);
    expect(await rowsOf(acme, COUNT_USERS)).toEqual([[3]]);
  });

  it('keeps at most workerTenantConnections files open in a worker, answering for all', async () => {
    await open(fixture, { workers: 1, workerTenantConnections: 2 });
    const tenants = ['t0', 't1', 't2', 't3', 't4'].map((id) => {
      const file = tenantFile(fixture.dataRoot, id);
      writeSecretFile(file, `secret of ${id}`);
      return { id, queries: pool.forTenant(id, file) };
    });
    for (let round = 0; round < 2; round += 1) {
      for (const { id, queries } of tenants) {
        expect(await rowsOf(queries, SECRET)).toEqual([[`secret of ${id}`]]);
      }
    }
    const [worker] = workerPids();
    expect(openTenantFiles(worker!)).toEqual([
      tenantFile(fixture.dataRoot, 't3'),
      tenantFile(fixture.dataRoot, 't4'),
    ]);
  });
});

describe('fairness between tenants', () => {
  it("refuses a tenant's call beyond perTenantQueue with its own message, serving others", async () => {
    await open(fixture, { workers: 2, perTenantWorkers: 1, perTenantQueue: 2 });
    // Two views of one tenant id share its limit.
    const running = [acme, pool.forTenant('acme', fixture.file)].map((view) =>
      rejection(view.run({ sql: ENDLESS, timeoutMs: 20_000 })),
    );
    const refused = await rejection(acme.run({ sql: COUNT_USERS }));
    expect(refused).toMatchObject({
      code: 'QUERY_OVERLOADED',
      message: expect.stringContaining('this tenant already has 2 queries running or waiting'),
    });
    expect(await rowsOf(other, SECRET)).toEqual([[OTHER_SECRET]]);
    await pool.close();
    for (const call of running) expect(await call).toMatchObject({ code: 'QUERY_WORKER_FAILED' });
  });

  it('keeps a worker free of a tenant at perTenantWorkers, so another tenant is answered first', async () => {
    await open(fixture, { workers: 2, perTenantWorkers: 1 });
    const order: string[] = [];
    const heavy = [1, 2].map((n) =>
      track(acme.run({ sql: ENDLESS, timeoutMs: 20_000 }), `acme ${n}`, order),
    );
    expect(await rowsOf(other, SECRET)).toEqual([[OTHER_SECRET]]);
    // Answered while both of acme's queries still run or wait.
    expect(order).toEqual([]);
    expect(pool.stats()).toMatchObject({
      workers: 2,
      busy: 1,
      queued: 1,
      tenants: 1,
      maxTenantRunning: 1,
      perTenantWorkers: 1,
    });
    await pool.close();
    await Promise.all(heavy);
    expect(order.sort()).toEqual(['acme 1', 'acme 2']);
  });

  it("charges a timed-out query's restart to its tenant: its next call waits, another tenant's runs", async () => {
    await open(fixture, { workers: 2, perTenantWorkers: 1 });
    const killed = rejection(acme.run({ sql: ENDLESS, timeoutMs: 100 }));
    const next = acme.run({ sql: COUNT_USERS, timeoutMs: 20_000 });
    expect(await killed).toMatchObject({ code: 'QUERY_TIMEOUT' });
    // The other worker is idle, yet acme's next call waits for the replacement of its own.
    expect(pool.stats()).toMatchObject({
      workers: 2,
      starting: 1,
      busy: 0,
      queued: 1,
      maxTenantRunning: 1,
      restartsCharged: 1,
    });
    const light = other.run({ sql: SECRET });
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    expect((await light).rows).toEqual([[OTHER_SECRET]]);
    expect((await next).rows).toEqual([[3]]);
    expect(pool.stats()).toMatchObject({ starting: 0, tenants: 0, restartsCharged: 0 });
  });

  it("charges a cancelled query's restart to its tenant until the replacement is ready", async () => {
    await open(fixture, { workers: 2, perTenantWorkers: 1 });
    const controller = new AbortController();
    const cancelled = rejection(acme.run({ sql: ENDLESS, timeoutMs: 20_000 }, controller.signal));
    const next = acme.run({ sql: COUNT_USERS, timeoutMs: 20_000 });
    controller.abort();
    expect(await cancelled).toMatchObject({ code: 'QUERY_CANCELLED' });
    expect(pool.stats()).toMatchObject({ starting: 1, busy: 0, queued: 1, restartsCharged: 1 });
    expect((await next).rows).toEqual([[3]]);
    expect(pool.stats()).toMatchObject({ tenants: 0, restartsCharged: 0 });
  });

  it('without that cap, lets one tenant hold every worker until its deadline', async () => {
    await open(fixture, { workers: 2 }, { perTenantWorkers: 2 });
    const order: string[] = [];
    const heavy = [1, 2].map((n) =>
      track(acme.run({ sql: ENDLESS, timeoutMs: 300 }), `acme ${n}`, order),
    );
    const light = track(other.run({ sql: SECRET, timeoutMs: 20_000 }), 'other', order);
    await Promise.all([...heavy, light]);
    expect(order).toEqual(['acme 1', 'acme 2', 'other']);
  });

  it('takes the cap from the config before the option the transport passes', async () => {
    await open(fixture, { workers: 3, perTenantWorkers: 1 }, { perTenantWorkers: 3 });
    expect(pool.stats()).toMatchObject({ workers: 3, perTenantWorkers: 1 });
  });
});

/** The tenant files `pid` holds open, sorted. */
function openTenantFiles(pid: number): string[] {
  const fds = `/proc/${pid}/fd`;
  const targets = readdirSync(fds).map((fd) => {
    try {
      return readlinkSync(join(fds, fd));
    } catch {
      return '';
    }
  });
  return targets.filter((t) => t.endsWith('main.db')).sort();
}
