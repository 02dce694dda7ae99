import type { HttpConfig } from '../../config/schema.js';
import { TenantMcpError } from '../../errors.js';

/** The HTTP config made concrete for one bound port: every default filled in. */
export interface HttpSettings {
  readonly path: string;
  /** The MCP endpoint's public URL, as tokens and the metadata name it (RFC 9728 resource). */
  readonly resourceUrl: string;
  /** Where this server's protected-resource metadata is published (RFC 9728 section 3.1). */
  readonly resourceMetadataUrl: string;
  /** Host header values accepted, lowercased. */
  readonly allowedHosts: ReadonlySet<string>;
  /** Origin header values accepted, in serialized form (scheme://host[:port]). */
  readonly allowedOrigins: ReadonlySet<string>;
  readonly maxBodyBytes: number;
  readonly requiredScopes: readonly string[];
}

/** The well-known path prefix of RFC 9728 protected-resource metadata. */
export const METADATA_PREFIX = '/.well-known/oauth-protected-resource';

/** The health check's path; it carries counters only, never a tenant id. */
export const HEALTH_PATH = '/healthz';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARDS = ['0.0.0.0', '::', '[::]'];

/**
 * Refuses, before anything binds, an HTTP config that would leave the server open to DNS
 * rebinding, unable to name itself, or with an endpoint hiding another route: CONFIG_INVALID
 * naming the key.
 */
export function checkHttpConfig(http: HttpConfig): void {
  if (http.path === HEALTH_PATH || isUnder(http.path, METADATA_PREFIX)) {
    throw new TenantMcpError(
      'CONFIG_INVALID',
      `http.path must not be ${HEALTH_PATH} or under ${METADATA_PREFIX}`,
      { hint: 'those paths serve the health check and the protected-resource metadata' },
    );
  }
  if (!isLoopback(http.host) && http.allowedHosts === undefined) {
    throw new TenantMcpError(
      'CONFIG_INVALID',
      'http.allowedHosts is required when http.host is not a loopback address',
      { hint: 'list the host names clients use to reach this server' },
    );
  }
  if (WILDCARDS.includes(http.host) && http.resourceUrl === undefined) {
    throw new TenantMcpError(
      'CONFIG_INVALID',
      'http.resourceUrl is required when http.host listens on every interface',
      { hint: 'give the public URL of the MCP endpoint' },
    );
  }
}

/** Fills in every default of `http` once the server is bound to `port`. */
export function resolveHttpSettings(http: HttpConfig, port: number): HttpSettings {
  const resourceUrl = http.resourceUrl ?? `http://${urlHost(http.host)}:${port}${http.path}`;
  return {
    path: http.path,
    resourceUrl,
    resourceMetadataUrl: metadataUrlFor(resourceUrl),
    allowedHosts: new Set((http.allowedHosts ?? loopbackHosts(http.host, port)).map(lower)),
    allowedOrigins: new Set(http.allowedOrigins.map((o) => new URL(o).origin)),
    maxBodyBytes: http.maxBodyBytes,
    requiredScopes: http.requiredScopes,
  };
}

/** RFC 9728 section 3.1: the well-known segment goes between the host and the resource path. */
export function metadataUrlFor(resourceUrl: string): string {
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${METADATA_PREFIX}${path}`;
}

/** True for names and addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function loopbackHosts(host: string, port: number): string[] {
  const names = new Set([...LOOPBACK_NAMES, urlHost(host)]);
  return [...names].flatMap((name) => [name, `${name}:${port}`]);
}

/** IPv6 literals need brackets inside a URL or a Host header. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function lower(value: string): string {
  return value.toLowerCase();
}
