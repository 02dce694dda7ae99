import { describe, expect, it } from 'vitest';
import {
  latestStart,
  Scheduler,
  START_FLOOR_MS,
  type SchedulerLimits,
} from '../../src/query/scheduler.js';
import { failure } from '../support/failure.js';

interface Call {
  tenantId: string;
  n: number;
  startBy: number;
}

/** Calls in these tests may start until this moment unless a test says otherwise. */
const LATE = 1_000_000;

const LIMITS: SchedulerLimits = { maxQueue: 10, perTenantQueue: 3, perTenantWorkers: 1 };

function scheduler(limits: Partial<SchedulerLimits> = {}): Scheduler<Call> {
  return new Scheduler<Call>({ ...LIMITS, ...limits });
}

function queue(s: Scheduler<Call>, ...tenants: string[]): Call[] {
  return tenants.map((tenantId, n) => {
    const call = { tenantId, n, startBy: LATE };
    s.admit(tenantId);
    s.add(call);
    return call;
  });
}

describe('Scheduler', () => {
  it('runs the oldest call whose tenant is under its worker cap', () => {
    const s = scheduler();
    queue(s, 'a', 'a', 'b', 'a', 'c');
    expect([s.take(), s.take(), s.take(), s.take()].map((c) => c?.n)).toEqual([0, 2, 4, undefined]);
    expect(s.stats()).toMatchObject({ queued: 2, tenants: 3, maxTenantRunning: 1 });
  });

  it("lets a tenant's next call run once one of its running calls finishes", () => {
    const s = scheduler();
    const [first, second] = queue(s, 'a', 'a');
    expect(s.take()).toBe(first);
    expect(s.take()).toBeUndefined();
    s.finish(first!);
    expect(s.take()).toBe(second);
  });

  it('refuses a tenant at perTenantQueue calls running or waiting, and admits others', () => {
    const s = scheduler();
    queue(s, 'a', 'a', 'a');
    s.take();
    const error = failure(() => s.admit('a'));
    expect(error.code).toBe('QUERY_OVERLOADED');
    expect(error.message).toMatch(/this tenant already has 3 queries running or waiting/);
    expect(() => s.admit('b')).not.toThrow();
  });

  it('refuses every tenant once maxQueue calls wait', () => {
    const s = scheduler({ maxQueue: 2 });
    queue(s, 'a', 'b');
    const error = failure(() => s.admit('c'));
    expect(error.code).toBe('QUERY_OVERLOADED');
    expect(error.message).toMatch(/too many queries are waiting/);
  });

  it('forgets a tenant once its last call finishes, whether it waited, ran or was drained', () => {
    const s = scheduler({ perTenantWorkers: 2 });
    const calls = queue(s, 'a', 'b', 'a');
    s.take();
    for (const call of s.drain()) s.finish(call);
    s.finish(calls[0]!);
    expect(s.stats()).toMatchObject({ queued: 0, tenants: 0, maxTenantRunning: 0 });
  });

  it('takes a waiting call out of the queue when it finishes early (cancelled or timed out)', () => {
    const s = scheduler();
    const [, second] = queue(s, 'a', 'b');
    s.finish(second!);
    expect(s.take()?.n).toBe(0);
    expect(s.take()).toBeUndefined();
  });

  it("counts a tenant's restarting worker against its cap, so another tenant's call runs", () => {
    const s = scheduler();
    const [killed, next, other] = queue(s, 'a', 'a', 'b');
    expect(s.take()).toBe(killed);
    s.chargeRestart('a');
    s.finish(killed!);
    expect(s.take()).toBe(other);
    expect(s.take()).toBeUndefined();
    s.releaseRestart('a');
    expect(s.take()).toBe(next);
  });

  it('lets a tenant restart as many workers as its cap allows, and no more run meanwhile', () => {
    const s = scheduler({ perTenantWorkers: 2 });
    const [first, second, third] = queue(s, 'a', 'a', 'a');
    s.take();
    s.chargeRestart('a');
    s.finish(first!);
    expect(s.take()).toBe(second);
    s.chargeRestart('a');
    s.finish(second!);
    expect(s.take()).toBeUndefined();
    expect(s.stats()).toMatchObject({ maxTenantRunning: 2, restartsCharged: 2, queued: 1 });
    s.releaseRestart('a');
    expect(s.take()).toBe(third);
  });

  it('keeps a tenant tracked while a replacement is charged to it, and forgets it once released', () => {
    const s = scheduler();
    const [call] = queue(s, 'a');
    s.take();
    s.chargeRestart('a');
    s.finish(call!);
    expect(s.stats()).toMatchObject({ tenants: 1, maxTenantRunning: 1, restartsCharged: 1 });
    s.releaseRestart('a');
    s.releaseRestart('a');
    expect(s.stats()).toMatchObject({ tenants: 0, maxTenantRunning: 0, restartsCharged: 0 });
  });

  it('drops the waiting calls past their start-by time, whatever their tenant holds', () => {
    const s = scheduler();
    const calls = [
      { tenantId: 'a', n: 0, startBy: 100 },
      { tenantId: 'a', n: 1, startBy: 50 },
      { tenantId: 'b', n: 2, startBy: 80 },
      { tenantId: 'b', n: 3, startBy: 200 },
    ];
    for (const call of calls) s.add(call);
    expect(s.take()?.n).toBe(0);
    expect(s.dropLate(90).map((c) => c.n)).toEqual([1, 2]);
    expect(s.take()?.n).toBe(3);
    expect(s.dropLate(1_000)).toEqual([]);
  });
});

describe('latestStart', () => {
  it('leaves a call START_FLOOR_MS of its time limit to run in', () => {
    expect(START_FLOOR_MS).toBe(25);
    expect(latestStart(1_000, 5_000)).toBe(5_975);
    expect(latestStart(1_000, 50)).toBe(1_025);
  });

  it('leaves a call shorter than twice the floor half its time limit', () => {
    expect(latestStart(1_000, 40)).toBe(1_020);
    expect(latestStart(0, 10)).toBe(5);
  });
});
