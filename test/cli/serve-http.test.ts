import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  SECRET_ENV,
  buildTestRoot,
  mintTestToken,
  writeTestConfig,
  type TestRoot,
} from '../support/demo-root.js';

// The built bin as an operator runs it: `serve --http`, a listening line on stderr with the
// bound port and a ready line once startup migrations are done, requests from two tenants,
// then SIGTERM and exit 0.

let root: TestRoot;

beforeAll(() => {
  root = buildTestRoot();
});

afterAll(() => root.remove());

function writeConfig(http: Record<string, unknown>): string {
  return writeTestConfig(root.root, `http-${Object.keys(http).join('-') || 'default'}.json`, {
    http: { port: 0, ...http },
    log: { level: 'info' },
  });
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(configFile: string): Running {
  const child = spawn(process.execPath, [BIN, 'serve', '--http', '--config', configFile], {
    env: { ...process.env, [SECRET_ENV]: root.secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, stderr: () => stderr, exited };
}

/** The fields of the line logging `event`, once the server has written it. */
async function logged(running: Running, event: string): Promise<Record<string, unknown>> {
  for (;;) {
    const line = running
      .stderr()
      .split('\n')
      .find((l) => l.includes(`"event":"${event}"`));
    if (line !== undefined) return JSON.parse(line) as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function countUsers(port: number, tenantId: string): Promise<unknown> {
  const token = await mintTestToken(root, tenantId);
  const response = await fetch(`http://127.0.0.1:${port}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'query', arguments: { sql: 'SELECT count(*) FROM users' } },
    }),
  });
  const body = (await response.json()) as { result: { structuredContent: { rows: unknown[][] } } };
  return body.result.structuredContent.rows[0]?.[0];
}

describe('tenant-mcp serve --http', () => {
  it('logs the bound port, then ready, serves both tenants, and exits 0 on SIGTERM', async () => {
    const running = start(writeConfig({}));
    try {
      const line = await logged(running, 'http_listening');
      expect(line).toMatchObject({ level: 30, host: '127.0.0.1', path: '/mcp' });
      const port = line.port as number;
      expect(port).toBeGreaterThan(0);
      expect(await logged(running, 'http_ready')).toMatchObject({ port });

      const counts = [
        await countUsers(port, 'northwind-coaching'),
        await countUsers(port, 'sakura-mentors'),
      ];
      expect(counts.every((n) => typeof n === 'number' && n > 0)).toBe(true);

      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
      expect(running.stderr()).toContain('"event":"http_stopped"');
      expect(running.stderr()).not.toContain(root.secret);
    } finally {
      running.child.kill('SIGKILL');
    }
  });

  it('refuses to bind beyond loopback without allowedHosts: exit 2, one line naming the key', async () => {
    const running = start(writeConfig({ host: '0.0.0.0', resourceUrl: 'https://m.example/mcp' }));
    expect(await running.exited).toBe(2);
    expect(running.stderr()).toContain('CONFIG_INVALID: http.allowedHosts is required');
  });

  it('exits 2 with LISTEN_FAILED naming host:port and EADDRINUSE when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const running = start(writeConfig({ port }));
      expect(await running.exited).toBe(2);
      expect(running.stderr()).toContain(
        `tenant-mcp: LISTEN_FAILED: cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
