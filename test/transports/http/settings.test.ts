import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/schema.js';
import {
  checkHttpConfig,
  isLoopback,
  metadataUrlFor,
  resolveHttpSettings,
} from '../../../src/transports/http/settings.js';
import { failure } from '../../support/failure.js';

function http(values: Record<string, unknown> = {}) {
  const raw = { dataRoot: '/d', auth: { secretEnv: 'S' }, http: values };
  return ConfigSchema.parse(raw).http;
}

describe('checkHttpConfig', () => {
  it('accepts the defaults: loopback with default hosts', () => {
    expect(() => checkHttpConfig(http())).not.toThrow();
  });

  it('refuses a non-loopback host without allowedHosts, naming the key', () => {
    const error = failure(() => checkHttpConfig(http({ host: '10.0.0.5' })));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('http.allowedHosts is required');
  });

  it('refuses every interface without a public resourceUrl', () => {
    const config = http({ host: '0.0.0.0', allowedHosts: ['mcp.example.com'] });
    const error = failure(() => checkHttpConfig(config));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('http.resourceUrl');
  });

  it('accepts every interface with allowedHosts and resourceUrl', () => {
    const config = http({
      host: '0.0.0.0',
      allowedHosts: ['mcp.example.com'],
      resourceUrl: 'https://mcp.example.com/mcp',
    });
    expect(() => checkHttpConfig(config)).not.toThrow();
  });
});

describe('checkHttpConfig and http.path', () => {
  it.each([
    '/healthz',
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/mcp',
  ])('refuses %s, which would hide the health check or the metadata', (path) => {
    const error = failure(() => checkHttpConfig(http({ path })));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      'http.path must not be /healthz or under /.well-known/oauth-protected-resource',
    );
  });

  it.each(['/mcp', '/', '/healthz/mcp', '/.well-known/mcp'])('accepts %s', (path) => {
    expect(() => checkHttpConfig(http({ path }))).not.toThrow();
  });
});

describe('resolveHttpSettings', () => {
  it('allows the loopback names with and without the bound port by default', () => {
    const settings = resolveHttpSettings(http({ port: 0 }), 4321);
    expect([...settings.allowedHosts].sort()).toEqual(
      ['127.0.0.1', '127.0.0.1:4321', '[::1]', '[::1]:4321', 'localhost', 'localhost:4321'].sort(),
    );
  });

  it('names the endpoint by the bound port unless resourceUrl is set', () => {
    expect(resolveHttpSettings(http({ port: 0 }), 4321).resourceUrl).toBe(
      'http://127.0.0.1:4321/mcp',
    );
    const settings = resolveHttpSettings(http({ resourceUrl: 'https://a.example/x/mcp' }), 1);
    expect(settings.resourceUrl).toBe('https://a.example/x/mcp');
    expect(settings.resourceMetadataUrl).toBe(
      'https://a.example/.well-known/oauth-protected-resource/x/mcp',
    );
  });

  it('brackets an IPv6 loopback host in URLs and Host values', () => {
    const settings = resolveHttpSettings(http({ host: '::1' }), 9);
    expect(settings.resourceUrl).toBe('http://[::1]:9/mcp');
    expect(settings.allowedHosts.has('[::1]:9')).toBe(true);
  });

  it('keeps configured allowedHosts as given, lowercased, and no loopback default', () => {
    const settings = resolveHttpSettings(http({ allowedHosts: ['MCP.Example.com'] }), 1);
    expect([...settings.allowedHosts]).toEqual(['mcp.example.com']);
  });

  it('compares origins in serialized form', () => {
    const settings = resolveHttpSettings(http({ allowedOrigins: ['https://App.example.com/'] }), 1);
    expect([...settings.allowedOrigins]).toEqual(['https://app.example.com']);
  });
});

describe('metadataUrlFor', () => {
  it('puts the well-known segment between the origin and the path (RFC 9728)', () => {
    expect(metadataUrlFor('http://127.0.0.1:3100/mcp')).toBe(
      'http://127.0.0.1:3100/.well-known/oauth-protected-resource/mcp',
    );
    expect(metadataUrlFor('https://mcp.example.com/')).toBe(
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    );
  });
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.1', 'example.com', '127.0.0.1.example.com'])(
    '%s is not',
    (host) => {
      expect(isLoopback(host)).toBe(false);
    },
  );
});
