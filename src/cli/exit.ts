import { asTenantMcpError, type ErrorCode } from '../errors.js';

/** Exit code for a run that failed because of something the user can fix. */
export const EXIT_USER_ERROR = 2;
export const EXIT_INTERNAL = 1;

// LISTEN_FAILED is the user's to fix too: a port in use or not permitted, a host not local.
const USER_PREFIXES = [
  'USAGE',
  'CONFIG_',
  'LISTEN_FAILED',
  'TOKEN_',
  'KEY_',
  'TENANT_',
  'MIGRATION',
];

/** The one place that maps error codes to process exit codes. */
export function exitCodeFor(error: unknown): number {
  const { code } = asTenantMcpError(error);
  return isUserError(code) ? EXIT_USER_ERROR : EXIT_INTERNAL;
}

/** One stderr line naming the failure; internal errors keep their detail out of it. */
export function failureLine(error: unknown): string {
  const known = asTenantMcpError(error);
  const hint = known.hint ? ` (${known.hint})` : '';
  return `tenant-mcp: ${known.code}: ${known.message}${hint}\n`;
}

function isUserError(code: ErrorCode): boolean {
  return USER_PREFIXES.some((p) => code.startsWith(p));
}
