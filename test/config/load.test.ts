import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { failure } from '../support/failure.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-mcp-config-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(config: unknown, name = 'mcp.config.json'): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { dataRoot: 'data', auth: { secretEnv: 'TENANT_MCP_JWT_SECRET' }, ...extra };
}

describe('loadConfig', () => {
  it('parses the mcp.config.json shipped in the repository', () => {
    const config = loadConfig(path.join(repoRoot, 'mcp.config.json'));

    expect(config.file).toBe(path.join(repoRoot, 'mcp.config.json'));
    expect(config.dataRoot).toBe(path.join(repoRoot, 'demo'));
    expect(config.migrations.dir).toBe(path.join(repoRoot, 'migrations'));
    expect(config.auth).toMatchObject({
      algorithms: ['HS256'],
      secretEnv: 'TENANT_MCP_JWT_SECRET',
      issuer: 'tenant-mcp-demo',
      audience: 'tenant-mcp',
      tenantClaim: 'tenant_id',
      clockToleranceSeconds: 30,
    });
    expect(config.query.maxRowLimit).toBe(5000);
  });

  it('fills in defaults for every section a minimal config leaves out', () => {
    const config = loadConfig(writeConfig(minimal()));

    expect(config.auth.algorithms).toEqual(['HS256']);
    expect(config.auth.tenantClaim).toBe('tenant_id');
    expect(config.auth.clockToleranceSeconds).toBe(30);
    expect(config.migrations).toEqual({
      dir: path.join(dir, 'migrations'),
      onStartup: true,
      busyTimeoutMs: 5000,
      onFirstUse: true,
    });
    expect(config.query.defaultRowLimit).toBe(200);
    expect(config.query.maxRowLimit).toBe(5000);
    expect(config.log.level).toBe('info');
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.http.path).toBe('/mcp');
    expect(config.http.allowedOrigins).toEqual([]);
  });

  it('resolves relative paths against the config file folder, not the working directory', () => {
    const file = writeConfig(
      {
        dataRoot: 'data',
        auth: { algorithms: ['ES256'], publicKeyFile: 'keys/public.pem' },
        migrations: { dir: '../shared/migrations' },
      },
      path.join('etc', 'tenant-mcp', 'mcp.config.json'),
    );
    const configDir = path.join(dir, 'etc', 'tenant-mcp');

    const config = loadConfig(path.relative(process.cwd(), file));

    expect(config.file).toBe(file);
    expect(config.dataRoot).toBe(path.join(configDir, 'data'));
    expect(config.auth.publicKeyFile).toBe(path.join(configDir, 'keys', 'public.pem'));
    expect(config.migrations.dir).toBe(path.join(dir, 'etc', 'shared', 'migrations'));
    expect(config.dataRoot).not.toBe(path.resolve(process.cwd(), 'data'));
  });

  it('resolves a relative jwksFile against the config file folder', () => {
    const file = writeConfig(minimal({ auth: { algorithms: ['RS256'], jwksFile: 'jwks.json' } }));

    expect(loadConfig(file).auth.jwksFile).toBe(path.join(dir, 'jwks.json'));
  });

  it('keeps absolute paths as they are', () => {
    const dataRoot = path.join(os.tmpdir(), 'elsewhere', 'data');
    const file = writeConfig(minimal({ dataRoot }));

    expect(loadConfig(file).dataRoot).toBe(dataRoot);
  });

  it('refuses an unknown key at the root with CONFIG_INVALID naming the key', () => {
    const error = failure(() => loadConfig(writeConfig(minimal({ logLevel: 'debug' }))));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('unknown key logLevel');
  });

  it('refuses a misspelled nested key with CONFIG_INVALID naming its full path', () => {
    const error = failure(() => loadConfig(writeConfig(minimal({ query: { maxRowLimt: 10 } }))));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('query.maxRowLimt');
  });

  it('refuses a misspelled key inside auth with its full path', () => {
    const config = { dataRoot: 'data', auth: { secretEnv: 'S', audiance: 'tenant-mcp' } };
    const error = failure(() => loadConfig(writeConfig(config)));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('auth.audiance');
  });

  it('refuses a config without dataRoot, naming dataRoot', () => {
    const error = failure(() => loadConfig(writeConfig({ auth: { secretEnv: 'S' } })));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('dataRoot');
  });

  it('refuses HMAC algorithms without secretEnv', () => {
    const config = minimal({ auth: { algorithms: ['HS256'], publicKeyFile: 'public.pem' } });
    const error = failure(() => loadConfig(writeConfig(config)));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('auth.secretEnv: HMAC algorithms need secretEnv');
  });

  it('refuses a mix of HS256 and RS256', () => {
    const config = minimal({ auth: { algorithms: ['HS256', 'RS256'], secretEnv: 'S' } });
    const error = failure(() => loadConfig(writeConfig(config)));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('auth.algorithms: mix of HMAC and public-key algorithms');
  });

  it('refuses public-key algorithms that name a secret', () => {
    const config = minimal({ auth: { algorithms: ['ES256'], secretEnv: 'S' } });
    const error = failure(() => loadConfig(writeConfig(config)));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('auth.secretEnv');
  });

  it('refuses an auth section that names two key sources', () => {
    const config = minimal({ auth: { secretEnv: 'S', jwksFile: 'jwks.json' } });
    const error = failure(() => loadConfig(writeConfig(config)));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('set exactly one of secretEnv, publicKeyFile or jwksFile');
  });

  it('refuses the none algorithm', () => {
    const config = minimal({ auth: { algorithms: ['none'], secretEnv: 'S' } });

    expect(failure(() => loadConfig(writeConfig(config))).code).toBe('CONFIG_INVALID');
  });

  it('refuses a defaultRowLimit above maxRowLimit, naming query.defaultRowLimit', () => {
    const config = minimal({ query: { defaultRowLimit: 501, maxRowLimit: 500 } });
    const error = failure(() => loadConfig(writeConfig(config)));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('query.defaultRowLimit: exceeds maxRowLimit');
  });

  it('accepts a defaultRowLimit equal to maxRowLimit', () => {
    const config = minimal({ query: { defaultRowLimit: 500, maxRowLimit: 500 } });

    expect(loadConfig(writeConfig(config)).query.defaultRowLimit).toBe(500);
  });

  it('refuses a timeoutMs above maxTimeoutMs', () => {
    const config = minimal({ query: { timeoutMs: 10_000, maxTimeoutMs: 5_000 } });
    const error = failure(() => loadConfig(writeConfig(config)));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('query.timeoutMs: exceeds maxTimeoutMs');
  });

  it('refuses a per-tenant request cap above the overall cap, naming the per-tenant key', () => {
    const http = { maxConcurrentRequests: 8, maxConcurrentRequestsPerTenant: 9 };
    const error = failure(() => loadConfig(writeConfig(minimal({ http }))));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(
      'http.maxConcurrentRequestsPerTenant: 9 exceeds maxConcurrentRequests 8',
    );
  });

  it('lowers the default per-tenant request cap to a lowered overall cap', () => {
    const config = loadConfig(writeConfig(minimal({ http: { maxConcurrentRequests: 8 } })));

    expect(config.http.maxConcurrentRequestsPerTenant).toBe(8);
  });

  it('defaults the per-tenant request cap to 16', () => {
    expect(loadConfig(writeConfig(minimal())).http.maxConcurrentRequestsPerTenant).toBe(16);
  });

  it('accepts a per-tenant request cap equal to the overall cap', () => {
    const http = { maxConcurrentRequests: 8, maxConcurrentRequestsPerTenant: 8 };

    expect(loadConfig(writeConfig(minimal({ http }))).http.maxConcurrentRequestsPerTenant).toBe(8);
  });

  it('defaults the connection cap to 1024, or to a higher overall request cap', () => {
    expect(loadConfig(writeConfig(minimal())).http.maxConnections).toBe(1024);
    const http = { maxConcurrentRequests: 2_000 };
    expect(loadConfig(writeConfig(minimal({ http }))).http.maxConnections).toBe(2_000);
  });

  it('refuses a connection cap below the overall request cap, naming maxConnections', () => {
    const http = { maxConcurrentRequests: 8, maxConnections: 4 };
    const error = failure(() => loadConfig(writeConfig(minimal({ http }))));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('http.maxConnections: 4 is below maxConcurrentRequests 8');
  });

  it.each(['/a/../healthz', '/./mcp', '/mcp/.', '/a//mcp', '//mcp', '/mcp/'])(
    'refuses http.path %s, which clients would normalise, with CONFIG_INVALID naming http.path',
    (httpPath) => {
      const error = failure(() => loadConfig(writeConfig(minimal({ http: { path: httpPath } }))));

      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toContain('http.path: must be a normalised path');
    },
  );

  it.each(['/', '/mcp', '/v1/mcp', '/a.b/..c/mcp~1'])('accepts http.path %s', (httpPath) => {
    expect(loadConfig(writeConfig(minimal({ http: { path: httpPath } }))).http.path).toBe(httpPath);
  });

  it('refuses a file that is not JSON with CONFIG_INVALID', () => {
    const error = failure(() => loadConfig(writeConfig('{ "dataRoot": "data", ')));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^config is not valid JSON/);
  });

  it('refuses a missing file with CONFIG_NOT_FOUND', () => {
    const error = failure(() => loadConfig(path.join(dir, 'absent.json')));

    expect(error.code).toBe('CONFIG_NOT_FOUND');
  });

  it('refuses a folder given as the config file with CONFIG_NOT_FOUND', () => {
    expect(failure(() => loadConfig(dir)).code).toBe('CONFIG_NOT_FOUND');
  });
});

describe('parseConfig', () => {
  it('resolves paths against the folder of the file it is told the text came from', () => {
    const file = path.join(dir, 'conf', 'mcp.config.json');
    const config = parseConfig(JSON.stringify(minimal()), file);

    expect(config.file).toBe(file);
    expect(config.dataRoot).toBe(path.join(dir, 'conf', 'data'));
  });
});
