import { readFileSync } from 'node:fs';

/** File descriptors one WAL connection holds: the database, its -wal and its -shm. */
export const FDS_PER_TENANT = 3;

/**
 * Descriptors kept back for everything else: Node's own, HTTP sockets, the query workers'
 * pipes and the short-lived connection of a first-use migration.
 */
export const DEFAULT_FD_RESERVE = 256;

/** The soft RLIMIT_NOFILE from /proc/self/limits (Linux); undefined elsewhere or unlimited. */
export function readFdLimit(): number | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    // Not Linux, or /proc is not mounted: the configured bound stands alone.
    return undefined;
  }
  return parseFdLimit(text);
}

/** The soft limit on the "Max open files" line of /proc/self/limits text. */
export function parseFdLimit(text: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  const soft = match?.[1];
  if (soft === undefined || soft === 'unlimited') return undefined;
  const value = Number(soft);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * The number of tenants that may stay open: `configured`, lowered so that their connections
 * fit in `fdLimit` after `reserve`, and never below 1.
 */
export function boundedMaxOpen(
  configured: number,
  fdLimit: number | undefined,
  reserve = DEFAULT_FD_RESERVE,
): number {
  if (!Number.isSafeInteger(configured) || configured < 1) {
    throw new RangeError('configured maxOpen must be a positive integer');
  }
  if (fdLimit === undefined) return configured;
  const fit = Math.floor((fdLimit - reserve) / FDS_PER_TENANT);
  return Math.max(1, Math.min(configured, fit));
}

// The reserve counts a few sockets among its uses: this many connections are allowed even when
// the tenants take every other descriptor.
const CONNECTIONS_FLOOR = 64;

/**
 * The number of client connections (one descriptor each) that may be open at once:
 * `configured`, lowered to what `fdLimit` leaves after `reserve` and the descriptors of
 * `maxOpen` tenants, but not below 64.
 */
export function boundedConnections(
  configured: number,
  fdLimit: number | undefined,
  maxOpen: number,
  reserve = DEFAULT_FD_RESERVE,
): number {
  if (fdLimit === undefined) return configured;
  const left = fdLimit - reserve - FDS_PER_TENANT * maxOpen;
  return Math.min(configured, Math.max(CONNECTIONS_FLOOR, left));
}
