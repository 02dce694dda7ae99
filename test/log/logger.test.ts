import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, flushingFrom } from '../../src/log/logger.js';

let dir: string;
let fd: number;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenant-mcp-logger-'));
  file = join(dir, 'log');
  fd = openSync(file, 'w');
});

afterEach(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

describe('a buffered logger', () => {
  it('holds a line back, then writes it without any further line', async () => {
    const logger = createLogger('info', { buffered: true, fd });

    logger.info({ event: 'quiet' }, 'a lone line');

    expect(readFileSync(file, 'utf8')).toBe('');
    await vi.waitFor(() => expect(readFileSync(file, 'utf8')).toContain('"event":"quiet"'), {
      timeout: 3_000,
    });
  });

  it('leaves out tokens and params whatever the caller passes', async () => {
    const logger = createLogger('info', { buffered: true, fd });

    logger.warn({ token: 'eyJ.secret.sig', params: [42] }, 'careless');

    await vi.waitFor(() => expect(readFileSync(file, 'utf8')).toContain('careless'), {
      timeout: 3_000,
    });
    const line = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(line).toMatchObject({ token: '[redacted]', params: '[redacted]' });
    expect(JSON.stringify(line)).not.toContain('eyJ');
  });
});

describe('flushingFrom', () => {
  it('flushes after warnings and errors, not after info lines', () => {
    const destination = { flush: vi.fn() };
    const lines: string[] = [];
    const logger = pino(
      { hooks: { logMethod: flushingFrom(40, destination) } },
      { write: (line: string) => void lines.push(line) },
    );

    logger.info('routine');
    expect(destination.flush).not.toHaveBeenCalled();
    logger.warn('look');
    logger.error('now');

    expect(destination.flush).toHaveBeenCalledTimes(2);
    expect(lines).toHaveLength(3);
  });
});
