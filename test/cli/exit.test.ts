import { describe, expect, it } from 'vitest';
import { EXIT_INTERNAL, EXIT_USER_ERROR, exitCodeFor, failureLine } from '../../src/cli/exit.js';
import { TenantMcpError, type ErrorCode } from '../../src/errors.js';

describe('exitCodeFor', () => {
  it.each<ErrorCode>([
    'USAGE',
    'CONFIG_INVALID',
    'CONFIG_NOT_FOUND',
    'LISTEN_FAILED',
    'KEY_INVALID',
    'TOKEN_MISSING',
    'TOKEN_EXPIRED',
    'TOKEN_BAD_SIGNATURE',
    'TOKEN_CLAIM_INVALID',
    'TENANT_ID_INVALID',
    'TENANT_NOT_FOUND',
    'TENANT_FILE_REFUSED',
  ])('exits with 2 for %s', (code) => {
    expect(exitCodeFor(new TenantMcpError(code, 'problem'))).toBe(2);
  });

  it('exits with 1 for INTERNAL', () => {
    expect(exitCodeFor(new TenantMcpError('INTERNAL', 'internal error'))).toBe(1);
  });

  it('exits with 1 for anything that is not a TenantMcpError', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('boom')).toBe(1);
    expect(exitCodeFor(undefined)).toBe(1);
  });

  it('names the user and internal exit codes 2 and 1', () => {
    expect([EXIT_USER_ERROR, EXIT_INTERNAL]).toEqual([2, 1]);
  });
});

describe('failureLine', () => {
  it('names the code and message of a known error on one line', () => {
    const line = failureLine(new TenantMcpError('TENANT_NOT_FOUND', "tenant 'acme' not found"));

    expect(line).toBe("tenant-mcp: TENANT_NOT_FOUND: tenant 'acme' not found\n");
  });

  it('adds the hint in parentheses', () => {
    const error = new TenantMcpError('USAGE', 'unknown command', { hint: 'try --help' });

    expect(failureLine(error)).toBe('tenant-mcp: USAGE: unknown command (try --help)\n');
  });

  it('keeps the message of an unexpected error out of the line', () => {
    const cause = new Error('ENOENT: open /srv/tenants/acme/secret.key');

    expect(failureLine(cause)).toBe('tenant-mcp: INTERNAL: internal error\n');
  });

  it("keeps the cause's message out of the line of an INTERNAL error", () => {
    const cause = new Error('password=hunter2 at /srv/tenants/acme');
    const line = failureLine(new TenantMcpError('INTERNAL', 'internal error', { cause }));

    expect(line).not.toContain('hunter2');
    expect(line).not.toContain('/srv/tenants');
  });

  it('writes something readable for a thrown non-error value', () => {
    expect(failureLine('raw string')).toBe('tenant-mcp: INTERNAL: internal error\n');
  });
});
