import type { Server } from 'node:http';
import type { Logger } from '../../log/logger.js';

/** Counts for the health check. */
export interface ConnectionStats {
  readonly max: number;
  /** New connections closed at once because `max` were open. */
  readonly dropped: number;
}

// One warning per this many milliseconds at most: a flood of connections must not become a
// flood of log lines.
const WARN_EVERY_MS = 10_000;

/**
 * Caps the client connections `server` keeps open at `max`: Node closes a new one at once when
 * `max` are open. Each connection holds a file descriptor, and idle keep-alive connections or
 * slow senders would otherwise take the descriptors the tenants' files need.
 */
export function capConnections(server: Server, max: number, logger: Logger): () => ConnectionStats {
  server.maxConnections = max;
  let dropped = 0;
  let warnedAt = -Infinity;
  server.on('drop', () => {
    dropped += 1;
    const now = performance.now();
    if (now - warnedAt < WARN_EVERY_MS) return;
    warnedAt = now;
    logger.warn(
      { event: 'connections_dropped', max, dropped },
      'new connections are closed at once: http.maxConnections are open',
    );
  });
  return () => ({ max, dropped });
}
