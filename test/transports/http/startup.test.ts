import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/log/logger.js';
import type { HttpService } from '../../../src/transports/http/service.js';
import { MIGRATIONS_DIR, buildTestRoot, type TestRoot } from '../../support/demo-root.js';
import { rejection } from '../../support/failure.js';
import { startService } from './fixture.js';

// Startup binds the port before it touches any tenant: a second instance on a taken port fails
// at once. Startup migrations run after that, while the server answers 503 SERVER_STARTING
// (see app.test.ts), and `http_ready` says when they are done.

let root: TestRoot;
let service: HttpService | undefined;
let blocker: Server | undefined;

beforeEach(() => {
  root = buildTestRoot();
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
  root.remove();
});

type Line = Record<string, unknown>;

function capturingLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const stream = { write: (line: string) => void lines.push(JSON.parse(line) as Line) };
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A port some other process already listens on. */
async function takenPort(): Promise<number> {
  const server = createServer();
  blocker = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function indexOf(lines: Line[], test: (line: Line) => boolean): number {
  return lines.findIndex(test);
}

describe('starting the HTTP service', () => {
  it('logs http_listening, then migrates every tenant, then logs http_ready', async () => {
    const { logger, lines } = capturingLogger();
    service = await startService(root, logger);

    const listening = indexOf(lines, (l) => l.event === 'http_listening');
    const migrated = indexOf(lines, (l) => l.msg === 'startup migrations done');
    const ready = indexOf(lines, (l) => l.event === 'http_ready');

    expect(listening).toBeGreaterThanOrEqual(0);
    expect(migrated).toBeGreaterThan(listening);
    expect(ready).toBeGreaterThan(migrated);
    expect(lines[listening]).toMatchObject({ host: '127.0.0.1', port: service.port, path: '/mcp' });
    expect(lines[migrated]).toMatchObject({ tenants: 2, failed: 0 });
  });

  it('fails on a port already in use with LISTEN_FAILED before it migrates any tenant', async () => {
    const { logger, lines } = capturingLogger();
    const port = await takenPort();

    const error = await rejection(startService(root, logger, { port }));

    expect(error.code).toBe('LISTEN_FAILED');
    expect(error.message).toBe(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    expect(error.hint).toContain('http.port');
    expect(lines.filter((l) => l.tenant !== undefined)).toEqual([]);
    expect(lines.some((l) => l.msg === 'startup migrations done')).toBe(false);
    expect(lines.some((l) => typeof l.event === 'string')).toBe(false);
  });

  it('is ready without migrating when migrations.onStartup is off', async () => {
    const { logger, lines } = capturingLogger();
    service = await startService(
      root,
      logger,
      {},
      { migrations: { dir: MIGRATIONS_DIR, onStartup: false } },
    );

    expect(lines.some((l) => l.msg === 'startup migrations done')).toBe(false);
    expect(lines.map((l) => l.event).filter(Boolean)).toEqual(['http_listening', 'http_ready']);
  });

  it('stops and gives the port back when startup migrations cannot list the tenants', async () => {
    const { logger, lines } = capturingLogger();
    const empty = mkdtempSync(join(tmpdir(), 'tenant-mcp-no-tenants-'));
    try {
      const error = await rejection(startService(root, logger, {}, { dataRoot: empty }));

      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toBe('dataRoot has no readable tenants folder');
      expect(lines.map((l) => l.event).filter(Boolean)).toEqual([
        'http_listening',
        'http_stopping',
        'http_stopped',
      ]);
      const port = lines.find((l) => l.event === 'http_listening')?.port as number;
      const again = createServer();
      await new Promise<void>((resolve) => again.listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => again.close(resolve));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
