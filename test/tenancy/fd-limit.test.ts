import { describe, expect, it } from 'vitest';
import {
  boundedConnections,
  boundedMaxOpen,
  parseFdLimit,
  readFdLimit,
} from '../../src/tenancy/fd-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('parseFdLimit', () => {
  it('reads the soft limit of the "Max open files" line', () => {
    expect(parseFdLimit(LIMITS)).toBe(1024);
  });

  it('gives undefined for an unlimited soft limit', () => {
    expect(parseFdLimit(LIMITS.replace('1024  ', 'unlimited'))).toBeUndefined();
  });

  it('gives undefined when the line is missing', () => {
    expect(parseFdLimit('Max cpu time unlimited unlimited seconds\n')).toBeUndefined();
  });
});

describe('readFdLimit', () => {
  it('reads a positive limit on Linux and none elsewhere', () => {
    const limit = readFdLimit();

    if (process.platform === 'linux') {
      expect(Number.isSafeInteger(limit) && (limit ?? 0) > 0).toBe(true);
    } else {
      expect(limit).toBeUndefined();
    }
  });
});

describe('boundedMaxOpen', () => {
  it.each([
    // configured, fd limit, reserve, expected
    [64, 1024, undefined, 64],
    [1_000, 1024, undefined, 256],
    [64, 400, undefined, 48],
    [64, 300, undefined, 14],
    [64, 258, undefined, 1],
    [64, 100, undefined, 1],
    [500, 1024, 100, 308],
    [500, 20_000, 1_000, 500],
    [64, undefined, undefined, 64],
  ])(
    'bounds %i tenants under an fd limit of %s (reserve %s) to %i',
    (configured, fd, reserve, expected) => {
      expect(boundedMaxOpen(configured, fd, reserve)).toBe(expected);
    },
  );

  it('refuses a configured bound below 1', () => {
    expect(() => boundedMaxOpen(0, 1024)).toThrow(RangeError);
  });
});

describe('boundedConnections', () => {
  it.each([
    // configured, fd limit, open tenants, expected
    [1024, 20_000, 64, 1024],
    [1024, 1024, 64, 576],
    [1024, 4096, 1_000, 840],
    [1024, 512, 64, 64],
    [32, 512, 64, 32],
    [1024, undefined, 64, 1024],
  ])(
    'bounds %i connections under an fd limit of %s with %i open tenants to %i',
    (configured, fd, maxOpen, expected) => {
      expect(boundedConnections(configured, fd, maxOpen)).toBe(expected);
    },
  );
});
