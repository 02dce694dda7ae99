import pino from 'pino';

/** The structured logger every module receives; it never writes to stdout. */
export type Logger = pino.Logger;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

// Keys that must never reach a log line even if a caller passes them by mistake.
const REDACT = ['token', 'secret', 'authorization', 'params', '*.token', '*.secret', '*.params'];

/** How the logger writes. */
export interface LoggerOptions {
  /**
   * Gathers lines into writes of a few kilobytes instead of one write per line. The HTTP
   * server logs a line per request, and writing each one was a tenth of a small call's time.
   * Lines still buffered are written on exit; call `flush()` after a line someone waits for.
   */
  buffered?: boolean;
  /** The file descriptor; stderr unless a test says otherwise. */
  fd?: number;
}

/**
 * Creates a JSON logger on file descriptor 2. stdout is the MCP protocol in stdio mode,
 * so the destination is fixed to stderr rather than configurable.
 */
export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const { buffered = false, fd = 2 } = options;
  return pino(
    {
      level,
      base: { app: 'tenant-mcp' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination(
      buffered
        ? { dest: fd, sync: false, minLength: BUFFER_BYTES, maxLength: MAX_BUFFERED_BYTES }
        : { dest: fd, sync: true },
    ),
  );
}

const BUFFER_BYTES = 4096;
// While stderr is stalled, lines past this are dropped rather than held in memory.
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** A logger that drops everything, for tests and library callers. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
