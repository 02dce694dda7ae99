import { describe, expect, it } from 'vitest';
import { TenantMcpError } from '../../src/errors.js';
import { parseTenantId, TENANT_ID_PATTERN } from '../../src/tenancy/tenant-id.js';

function codeOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof TenantMcpError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('parseTenantId', () => {
  it.each(['acme', 'a', '7', 'a-b_c9', 'x'.repeat(63)])('accepts %j', (id) => {
    expect(parseTenantId(id)).toBe(id);
  });

  it.each([
    ['upper case', 'Acme'],
    ['a dot', 'acme.db'],
    ['a slash', 'acme/main'],
    ['a backslash', 'acme\\main'],
    ['a parent reference', '..'],
    ['a parent path', '../acme'],
    ['a leading hyphen', '-acme'],
    ['a leading underscore', '_acme'],
    ['64 characters', 'x'.repeat(64)],
    ['nothing', ''],
    ['a NUL byte', 'acme\0evil'],
    ['a trailing newline', 'acme\n'],
    ['a space', 'ac me'],
    ['a non-ASCII letter', 'acmé'],
  ])('refuses an id with %s as TENANT_ID_INVALID', (_label, id) => {
    expect(codeOf(() => parseTenantId(id))).toBe('TENANT_ID_INVALID');
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an array holding a valid id', ['acme']],
    ['an object that prints as a valid id', { toString: () => 'acme' }],
  ])('refuses %s as TENANT_ID_INVALID', (_label, value) => {
    expect(codeOf(() => parseTenantId(value))).toBe('TENANT_ID_INVALID');
  });

  it('does not echo the refused value in its message', () => {
    expect(() => parseTenantId('../../etc/passwd')).toThrow(
      expect.objectContaining({
        code: 'TENANT_ID_INVALID',
        message: expect.not.stringContaining('passwd'),
      }),
    );
  });

  it('exposes a pattern that agrees with the parser', () => {
    expect(TENANT_ID_PATTERN.test('a-b_c9')).toBe(true);
    expect(TENANT_ID_PATTERN.test('A')).toBe(false);
  });
});
