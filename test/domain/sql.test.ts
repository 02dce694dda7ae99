import { describe, expect, it } from 'vitest';
import { dropNulls, iso } from '../../src/domain/sql.js';

describe('iso', () => {
  it('writes Unix seconds as UTC without milliseconds', () => {
    expect(iso(1768208400)).toBe('2026-01-12T09:00:00Z');
  });

  it('shows a value no date can hold as it is stored', () => {
    expect(iso(1e20)).toBe('100000000000000000000');
  });
});

describe('dropNulls', () => {
  it('leaves out null fields and keeps falsy values', () => {
    expect(dropNulls({ a: null, b: 0, c: '', d: false })).toEqual({ b: 0, c: '', d: false });
  });
});
