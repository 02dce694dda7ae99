import { z } from 'zod';

/** Algorithms tenant-mcp accepts for tenant tokens; anything else is refused at load. */
export const HmacAlgorithms = ['HS256', 'HS384', 'HS512'] as const;
export const AsymmetricAlgorithms = ['RS256', 'ES256', 'EdDSA'] as const;
const Algorithm = z.enum([...HmacAlgorithms, ...AsymmetricAlgorithms]);

const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const Auth = z
  .strictObject({
    algorithms: z.array(Algorithm).min(1).default(['HS256']),
    secretEnv: EnvName.optional(),
    publicKeyFile: z.string().min(1).optional(),
    jwksFile: z.string().min(1).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    tenantClaim: z.string().min(1).default('tenant_id'),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
  })
  .superRefine((auth, ctx) => {
    const sources = [auth.secretEnv, auth.publicKeyFile, auth.jwksFile].filter(Boolean).length;
    if (sources !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'set exactly one of secretEnv, publicKeyFile or jwksFile',
      });
    }
    const hmac = auth.algorithms.filter((a) => a.startsWith('HS')).length;
    if (hmac !== 0 && hmac !== auth.algorithms.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['algorithms'],
        message: 'mix of HMAC and public-key algorithms',
      });
    }
    if (hmac > 0 && !auth.secretEnv) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretEnv'],
        message: 'HMAC algorithms need secretEnv',
      });
    }
    if (hmac === 0 && auth.secretEnv) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretEnv'],
        message: 'public-key algorithms need publicKeyFile or jwksFile, not a secret',
      });
    }
  });

const Migrations = z.strictObject({
  dir: z.string().min(1).default('migrations'),
  onStartup: z.boolean().default(true),
  busyTimeoutMs: z.number().int().min(0).max(60_000).default(5_000),
  /** HTTP mode: migrate a tenant file when it is first opened (onStartup migrates them all). */
  onFirstUse: z.boolean().default(true),
});

const Query = z
  .strictObject({
    defaultRowLimit: z.number().int().min(1).max(100_000).default(200),
    maxRowLimit: z.number().int().min(1).max(100_000).default(5_000),
    maxResultBytes: z
      .number()
      .int()
      .min(1_024)
      .max(64 * 1024 * 1024)
      .default(1_000_000),
    maxCellChars: z.number().int().min(16).max(1_000_000).default(2_000),
    timeoutMs: z.number().int().min(10).max(600_000).default(5_000),
    maxTimeoutMs: z.number().int().min(10).max(600_000).default(30_000),
    workers: z.number().int().min(1).max(32).default(2),
    maxQueue: z.number().int().min(0).max(10_000).default(64),
    workerMemoryMb: z.number().int().min(32).max(16_384).default(256),
    /** Workers one tenant may hold at once; default all in stdio, all but one over HTTP. */
    perTenantWorkers: z.number().int().min(1).max(32).optional(),
    /** Queries one tenant may have running or waiting; beyond that, QUERY_OVERLOADED. */
    perTenantQueue: z.number().int().min(1).max(10_000).default(16),
    /** Tenant connections each worker keeps open (three file descriptors each). */
    workerTenantConnections: z.number().int().min(1).max(1_024).default(32),
  })
  .superRefine((q, ctx) => {
    if (q.defaultRowLimit > q.maxRowLimit) {
      ctx.addIssue({ code: 'custom', path: ['defaultRowLimit'], message: 'exceeds maxRowLimit' });
    }
    if (q.timeoutMs > q.maxTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['timeoutMs'], message: 'exceeds maxTimeoutMs' });
    }
  });

const Url = z.url({ protocol: /^https?$/ });

const PER_TENANT_REQUESTS = 16;
// Far above what a server of 256 concurrent requests needs, far below a usual descriptor limit.
const CONNECTIONS = 1_024;

/**
 * True for "/" and for paths whose every segment is a name: clients and proxies normalise
 * "/a/../mcp", "/a//mcp" or "/mcp/" before sending, so an endpoint there could not be reached.
 */
function isNormalPath(path: string): boolean {
  if (path === '/') return true;
  return path
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

const Http = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(3100),
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a URL path such as /mcp')
      .refine(isNormalPath, {
        message: "must be a normalised path: no '.' or '..' segments, no '//', no trailing '/'",
      })
      .default('/mcp'),
    /** The public URL of the MCP endpoint, as clients and tokens name it (RFC 9728 resource). */
    resourceUrl: Url.optional(),
    /** Host header values accepted (host or host:port); default: loopback names when bound to loopback. */
    allowedHosts: z.array(z.string().min(1)).optional(),
    /** Origins accepted from browsers (scheme://host[:port]); requests without Origin pass. */
    allowedOrigins: z.array(Url).default([]),
    maxBodyBytes: z
      .number()
      .int()
      .min(1_024)
      .max(16 * 1024 * 1024)
      .default(1_000_000),
    /** Scopes every token must carry; a token without them gets 403. */
    requiredScopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/)).default([]),
    authorizationServers: z.array(Url).default([]),
    scopesSupported: z.array(z.string().min(1)).optional(),
    /** Tenants kept open at once; also bounded by the file-descriptor limit. */
    maxOpenTenants: z.number().int().min(1).max(100_000).default(64),
    /** An open tenant unused this long is closed. */
    tenantIdleMs: z.number().int().min(1_000).max(86_400_000).default(300_000),
    maxConcurrentRequests: z.number().int().min(1).max(100_000).default(256),
    /** Default: 16, or maxConcurrentRequests when that is lower. */
    maxConcurrentRequestsPerTenant: z.number().int().min(1).max(10_000).optional(),
    /**
     * Open client connections (each a file descriptor); beyond it a new one is closed at once.
     * Default: 1024, or maxConcurrentRequests when that is higher.
     */
    maxConnections: z.number().int().min(1).max(100_000).optional(),
    /** On SIGTERM, how long in-flight requests may take before handles are closed anyway. */
    shutdownGraceMs: z.number().int().min(0).max(600_000).default(10_000),
  })
  .superRefine((http, ctx) => {
    const { maxConcurrentRequests: overall, maxConcurrentRequestsPerTenant: perTenant } = http;
    if (perTenant !== undefined && perTenant > overall) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxConcurrentRequestsPerTenant'],
        message: `${perTenant} exceeds maxConcurrentRequests ${overall}`,
      });
    }
    if (http.maxConnections !== undefined && http.maxConnections < overall) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxConnections'],
        message: `${http.maxConnections} is below maxConcurrentRequests ${overall}`,
      });
    }
    if (http.requiredScopes.length > 0 && http.scopesSupported !== undefined) {
      const missing = http.requiredScopes.filter((s) => !http.scopesSupported?.includes(s));
      if (missing.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['scopesSupported'],
          message: `lacks required scopes ${missing.join(', ')}`,
        });
      }
    }
  })
  .transform((http) => ({
    ...http,
    maxConcurrentRequestsPerTenant:
      http.maxConcurrentRequestsPerTenant ??
      Math.min(PER_TENANT_REQUESTS, http.maxConcurrentRequests),
    maxConnections: http.maxConnections ?? Math.max(CONNECTIONS, http.maxConcurrentRequests),
  }));

const Log = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The shape of mcp.config.json. Unknown keys are errors, so a typo never passes silently. */
export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  dataRoot: z.string().min(1),
  auth: Auth,
  migrations: Migrations.default(Migrations.parse({})),
  query: Query.default(Query.parse({})),
  http: Http.default(Http.parse({})),
  log: Log.default(Log.parse({})),
});

export type RawConfig = z.infer<typeof ConfigSchema>;
export type AuthConfig = z.infer<typeof Auth>;
export type QueryConfig = z.infer<typeof Query>;
export type MigrationsConfig = z.infer<typeof Migrations>;
export type HttpConfig = z.infer<typeof Http>;
