import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { MIN_TIMEOUT_MS, resolveTimeout } from '../../src/query/pool-errors.js';
import { failure } from '../support/failure.js';
import { LIMITS } from './fixture.js';

/** A config holding only the required keys and `query`. */
function configText(query: Record<string, unknown>): string {
  return JSON.stringify({ dataRoot: 'data', auth: { secretEnv: 'SECRET' }, query });
}

describe('resolveTimeout', () => {
  it('takes the configured default when the call names no time limit', () => {
    expect(resolveTimeout(undefined, LIMITS)).toBe(LIMITS.timeoutMs);
  });

  it('raises a time limit below MIN_TIMEOUT_MS to it', () => {
    expect([1, 9, 10, 11].map((ms) => resolveTimeout(ms, LIMITS))).toEqual([10, 10, 10, 11]);
  });

  it('lowers a time limit above maxTimeoutMs to it', () => {
    expect(resolveTimeout(600_000, LIMITS)).toBe(LIMITS.maxTimeoutMs);
    expect(resolveTimeout(5, { ...LIMITS, maxTimeoutMs: MIN_TIMEOUT_MS })).toBe(MIN_TIMEOUT_MS);
  });

  it('refuses a time limit that is not a positive integer with QUERY_INVALID', () => {
    for (const ms of [0, -1, 2.5, '100', null]) {
      expect(failure(() => resolveTimeout(ms, LIMITS)).code).toBe('QUERY_INVALID');
    }
  });
});

describe('MIN_TIMEOUT_MS', () => {
  it('is the smallest timeoutMs and maxTimeoutMs the config accepts', () => {
    const at = { timeoutMs: MIN_TIMEOUT_MS, maxTimeoutMs: MIN_TIMEOUT_MS };
    expect(parseConfig(configText(at), '/etc/mcp.config.json').query).toMatchObject(at);
    for (const key of ['timeoutMs', 'maxTimeoutMs']) {
      const below = { ...at, [key]: MIN_TIMEOUT_MS - 1 };
      const error = failure(() => parseConfig(configText(below), '/etc/mcp.config.json'));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toContain(`query.${key}`);
    }
  });
});
