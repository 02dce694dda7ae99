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
   * Lines are written within a second, warnings and errors at once, and what is left on exit.
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
  const destination = pino.destination(
    buffered
      ? {
          dest: fd,
          sync: false,
          minLength: BUFFER_BYTES,
          maxLength: MAX_BUFFERED_BYTES,
          periodicFlush: FLUSH_EVERY_MS,
        }
      : { dest: fd, sync: true },
  );
  return pino(
    {
      level,
      base: { app: 'tenant-mcp' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(buffered ? { hooks: { logMethod: flushingFrom(WARN_LEVEL, destination) } } : {}),
    },
    destination,
  );
}

const BUFFER_BYTES = 4096;
// While stderr is stalled, lines past this are dropped rather than held in memory.
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
// A quiet server's lines must not wait for traffic to reach the log.
const FLUSH_EVERY_MS = 1_000;
const WARN_LEVEL = 40;

type LogMethodHook = NonNullable<NonNullable<pino.LoggerOptions['hooks']>['logMethod']>;

/** Writes a buffered line of `level` or above at once: an operator is waiting for it. */
export function flushingFrom(level: number, destination: { flush(): void }): LogMethodHook {
  return function (this: Logger, args, method, lineLevel) {
    method.apply(this, args);
    if (lineLevel >= level) destination.flush();
  };
}

/** A logger that drops everything, for tests and library callers. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
