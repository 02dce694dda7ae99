import pino from 'pino';

/** The structured logger every module receives; it never writes to stdout. */
export type Logger = pino.Logger;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

// Keys that must never reach a log line even if a caller passes them by mistake.
const REDACT = ['token', 'secret', 'authorization', 'params', '*.token', '*.secret', '*.params'];

/**
 * Creates a JSON logger on file descriptor 2. stdout is the MCP protocol in stdio mode,
 * so the destination is fixed to stderr rather than configurable.
 */
export function createLogger(level: LogLevel, destination: number = 2): Logger {
  return pino(
    {
      level,
      base: { app: 'tenant-mcp' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: destination, sync: true }),
  );
}

/** A logger that drops everything, for tests and library callers. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
