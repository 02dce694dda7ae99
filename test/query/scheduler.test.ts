import { describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerLimits } from '../../src/query/scheduler.js';
import { failure } from '../support/failure.js';

interface Call {
  tenantId: string;
  n: number;
}

const LIMITS: SchedulerLimits = { maxQueue: 10, perTenantQueue: 3, perTenantWorkers: 1 };

function scheduler(limits: Partial<SchedulerLimits> = {}): Scheduler<Call> {
  return new Scheduler<Call>({ ...LIMITS, ...limits });
}

function queue(s: Scheduler<Call>, ...tenants: string[]): Call[] {
  return tenants.map((tenantId, n) => {
    const call = { tenantId, n };
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
});
