import { describe, expect, it } from 'vitest';
import { ConcurrencyLimits } from '../../../src/transports/http/limits.js';
import { failure } from '../../support/failure.js';

describe('ConcurrencyLimits', () => {
  it("refuses a tenant's request over its cap with TENANT_OVERLOADED", () => {
    const limits = new ConcurrencyLimits(10, 2);
    limits.acquire('a');
    limits.acquire('a');
    expect(failure(() => limits.acquire('a')).code).toBe('TENANT_OVERLOADED');
    expect(() => limits.acquire('b')).not.toThrow();
  });

  it('refuses anyone over the overall cap with SERVER_OVERLOADED', () => {
    const limits = new ConcurrencyLimits(2, 2);
    limits.acquire('a');
    limits.acquire('b');
    expect(failure(() => limits.acquire('c')).code).toBe('SERVER_OVERLOADED');
  });

  it('gives a slot back once, however often release is called', () => {
    const limits = new ConcurrencyLimits(2, 1);
    const release = limits.acquire('a');
    limits.acquire('b');
    release();
    release();
    expect(limits.stats()).toMatchObject({ active: 1, activeTenants: 1 });
    expect(() => limits.acquire('a')).not.toThrow();
    expect(failure(() => limits.acquire('c')).code).toBe('SERVER_OVERLOADED');
  });

  it('counts refusals of each kind', () => {
    const limits = new ConcurrencyLimits(2, 1);
    limits.acquire('a');
    failure(() => limits.acquire('a'));
    limits.acquire('b');
    failure(() => limits.acquire('c'));
    failure(() => limits.acquire('c'));
    expect(limits.stats()).toEqual({
      active: 2,
      activeTenants: 2,
      refusedServer: 2,
      refusedTenant: 1,
    });
  });
});
