import type { IncomingMessage } from 'node:http';
import { TenantMcpError } from '../../errors.js';
import type { HttpSettings } from './settings.js';

/**
 * Refuses requests a browser could have been tricked into sending (DNS rebinding, cross-site
 * pages): the Host must be one this server answers to, and an Origin, when a browser sends
 * one, must be allowed or be the origin of that Host. Header values are never echoed back.
 */
export function checkBrowserSafety(req: IncomingMessage, settings: HttpSettings): void {
  checkSingleHost(req.rawHeaders);
  checkHost(req.headers.host, settings.allowedHosts);
  checkOrigin(req.headers.origin, settings.allowedOrigins, req.headers.host);
}

/**
 * REQUEST_INVALID for more than one Host header (RFC 9112 section 3.2 asks for 400): Node keeps
 * only the first, and a proxy in front might have chosen the other.
 */
function checkSingleHost(rawHeaders: readonly string[]): void {
  let count = 0;
  // Names and values alternate.
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'host') count += 1;
  }
  if (count > 1) throw new TenantMcpError('REQUEST_INVALID', 'more than one Host header');
}

/** HOST_REFUSED unless `host` is on the allowlist (compared without regard to case). */
export function checkHost(host: string | undefined, allowed: ReadonlySet<string>): void {
  if (host === undefined || !allowed.has(host.toLowerCase())) {
    throw new TenantMcpError('HOST_REFUSED', 'the Host header names a host this server refuses', {
      hint: 'add it to http.allowedHosts',
    });
  }
}

/**
 * ORIGIN_REFUSED when an Origin is sent that is neither one of the allowed origins nor the
 * origin of `host` itself. A same-origin request comes from a page this server's own address
 * served, and this server serves no pages; a rebinding page has the attacker's Host, which
 * `checkHost` refuses first.
 */
export function checkOrigin(
  origin: string | undefined,
  allowed: ReadonlySet<string>,
  host: string | undefined,
): void {
  if (origin === undefined || allowed.has(origin) || isOriginOf(origin, host)) return;
  throw new TenantMcpError('ORIGIN_REFUSED', 'requests from this Origin are refused', {
    hint: 'add it to http.allowedOrigins',
  });
}

function isOriginOf(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const lower = origin.toLowerCase();
  const name = host.toLowerCase();
  return lower === `http://${name}` || lower === `https://${name}`;
}
