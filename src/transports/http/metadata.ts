import type { HttpConfig } from '../../config/schema.js';
import { SERVER_NAME } from '../../version.js';
import { METADATA_PREFIX, type HttpSettings } from './settings.js';

/** RFC 9728 protected-resource metadata, as served to clients looking for a token. */
export interface ResourceMetadata {
  readonly resource: string;
  readonly authorization_servers?: readonly string[];
  readonly scopes_supported?: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name: string;
}

/** The metadata document for the MCP endpoint; optional members only when configured. */
export function resourceMetadata(http: HttpConfig, settings: HttpSettings): ResourceMetadata {
  const scopes =
    http.scopesSupported ?? (http.requiredScopes.length > 0 ? http.requiredScopes : []);
  return {
    resource: settings.resourceUrl,
    ...(http.authorizationServers.length > 0
      ? { authorization_servers: http.authorizationServers }
      : {}),
    ...(scopes.length > 0 ? { scopes_supported: scopes } : {}),
    // Tokens in query strings end up in logs; only the Authorization header is read.
    bearer_methods_supported: ['header'],
    resource_name: SERVER_NAME,
  };
}

/**
 * The local paths the metadata answers on: the RFC 9728 path for the endpoint as served here
 * and as its public URL names it (a proxy may map a different path), and the bare prefix that
 * some clients try first.
 */
export function metadataPaths(settings: HttpSettings): ReadonlySet<string> {
  const publicPath = new URL(settings.resourceUrl).pathname;
  return new Set([
    `${METADATA_PREFIX}${settings.path}`,
    `${METADATA_PREFIX}${publicPath === '/' ? '' : publicPath}`,
    METADATA_PREFIX,
  ]);
}
