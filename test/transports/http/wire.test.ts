import { describe, expect, it } from 'vitest';
import { TenantMcpError, type ErrorCode } from '../../../src/errors.js';
import { httpFailure } from '../../../src/transports/http/wire.js';

const CHALLENGE = {
  resourceMetadataUrl: 'https://m.example/.well-known/oauth-protected-resource/mcp',
  requiredScopes: [],
};

function failureFor(code: ErrorCode, message = 'problem') {
  return httpFailure(new TenantMcpError(code, message), CHALLENGE);
}

describe('httpFailure', () => {
  it.each<[ErrorCode, number]>([
    ['TOKEN_MISSING', 401],
    ['TOKEN_EXPIRED', 401],
    ['TOKEN_CLAIM_INVALID', 401],
    ['TOKEN_INSUFFICIENT_SCOPE', 403],
    ['HOST_REFUSED', 403],
    ['ORIGIN_REFUSED', 403],
    ['TENANT_NOT_FOUND', 403],
    ['TENANT_FILE_REFUSED', 403],
    ['NOT_FOUND', 404],
    ['METHOD_NOT_ALLOWED', 405],
    ['NOT_ACCEPTABLE', 406],
    ['REQUEST_TOO_LARGE', 413],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['REQUEST_PARSE_ERROR', 400],
    ['REQUEST_INVALID', 400],
    ['TENANT_OVERLOADED', 429],
    ['SERVER_OVERLOADED', 503],
    ['SERVER_CLOSING', 503],
    ['SERVER_STARTING', 503],
    ['PROTOCOL_VERSION_UNSUPPORTED', 400],
    ['TENANT_BUSY', 503],
    ['MIGRATION_DRIFT', 500],
  ])('answers %s with HTTP %i', (code, status) => {
    expect(failureFor(code).status).toBe(status);
  });

  it('carries the code in the JSON-RPC error, its message prefixed with it', () => {
    const failure = httpFailure(
      new TenantMcpError('TENANT_OVERLOADED', 'too many', { hint: 'wait' }),
      CHALLENGE,
      9,
    );
    expect(failure.body).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: {
        code: -32000,
        message: 'TENANT_OVERLOADED: too many',
        data: { code: 'TENANT_OVERLOADED', hint: 'wait' },
      },
    });
    expect(failure.headers['retry-after']).toBe('1');
  });

  it('uses JSON-RPC -32700 for a parse error and -32600 for an invalid request', () => {
    expect(failureFor('REQUEST_PARSE_ERROR').body.error.code).toBe(-32700);
    expect(failureFor('REQUEST_INVALID').body.error.code).toBe(-32600);
  });

  it('answers anything unknown with 500 "internal error", keeping its message out', () => {
    const failure = httpFailure(new Error('/secret/path/main.db is locked'), CHALLENGE);
    expect(failure.status).toBe(500);
    expect(failure.body.error).toEqual({
      code: -32603,
      message: 'INTERNAL: internal error',
      data: { code: 'INTERNAL' },
    });
    expect(JSON.stringify(failure)).not.toContain('/secret');
  });

  it('asks a client of a busy tenant to retry after the five-second first-use cool-down', () => {
    const failure = failureFor('TENANT_BUSY');
    expect(failure.status).toBe(503);
    expect(failure.headers['retry-after']).toBe('5');
  });

  it("asks a starting server's client to retry without closing the connection", () => {
    const failure = failureFor('SERVER_STARTING');
    expect(failure.headers['retry-after']).toBe('1');
    expect(failure.headers.connection).toBeUndefined();
    expect(failure.body.error.code).toBe(-32000);
  });

  it('challenges a request without credentials with no error code (RFC 6750 section 3.1)', () => {
    expect(failureFor('TOKEN_MISSING').headers['www-authenticate']).toBe(
      'Bearer resource_metadata="https://m.example/.well-known/oauth-protected-resource/mcp"',
    );
    const scoped = httpFailure(new TenantMcpError('TOKEN_MISSING', 'none'), {
      ...CHALLENGE,
      requiredScopes: ['a', 'b'],
    });
    expect(scoped.headers['www-authenticate']).toBe(
      'Bearer scope="a b", resource_metadata="https://m.example/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('adds no WWW-Authenticate header to failures that are not about the token', () => {
    expect(failureFor('HOST_REFUSED').headers['www-authenticate']).toBeUndefined();
  });

  it('keeps quotes, backslashes and line breaks out of the challenge', () => {
    const failure = failureFor('TOKEN_MALFORMED', 'bad "token"\\\r\nInjected: yes');
    expect(failure.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="TOKEN_MALFORMED: bad tokenInjected: yes", ' +
        'resource_metadata="https://m.example/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('asks the client to close the connection after a refused upload', () => {
    expect(failureFor('REQUEST_TOO_LARGE').headers.connection).toBe('close');
  });
});
