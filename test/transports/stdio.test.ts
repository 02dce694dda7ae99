import { PassThrough } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../src/log/logger.js';
import { connectStdio, type StdioConnection } from '../../src/transports/stdio.js';

interface Reply {
  jsonrpc: string;
  id: string | number | null;
  result?: { content?: { text: string }[] };
  error?: { code: number; message: string; data?: { code: string } };
}

/** A call of the `wait` tool that has started; `finish` lets it answer. */
interface Waiting {
  finish(text: string): void;
  signal: AbortSignal;
}

/**
 * A server whose `wait` tool answers only when the test says so, connected over a pair of
 * in-process streams the way the bin connects it over stdin and stdout.
 */
async function startServer(graceMs = 60_000) {
  const waiting = new Map<string, Waiting>();
  const server = new McpServer({ name: 'stdio-test', version: '1.0.0' });
  server.registerTool('wait', { inputSchema: { key: z.string() } }, ({ key }, extra) => {
    return new Promise((resolve) => {
      const finish = (text: string) => resolve({ content: [{ type: 'text', text }] });
      waiting.set(key, { finish, signal: extra.signal });
    });
  });

  const input = new PassThrough();
  const output = new PassThrough();
  const replies: Reply[] = [];
  let buffered = '';
  output.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) replies.push(JSON.parse(line) as Reply);
  });
  const connection = await connectStdio(server, input, output, silentLogger(), { graceMs });
  const send = (line: object | string) =>
    input.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
  send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: INIT_PARAMS });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await vi.waitFor(() => expect(replies.map((r) => r.id)).toContain(0));

  const callWait = (id: number, key: string) =>
    send({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'wait', arguments: { key } },
    });
  const started = (key: string) => vi.waitFor(() => waiting.get(key) ?? fail(`${key} waits`));
  const replyTo = (id: number | string | null) => replies.find((r) => r.id === id);
  return { connection, input, replies, send, callWait, started, replyTo, buffered: () => buffered };
}

const INIT_PARAMS = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'raw-client', version: '1' },
};

function fail(what: string): never {
  throw new Error(`not yet: ${what}`);
}

let open: StdioConnection | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await open?.stop();
  open = undefined;
});

type TestServer = Awaited<ReturnType<typeof startServer>>;

/** A server (the one `afterEach` stops) with call 2 to `wait` for `key` running. */
async function serverWithCall(
  key: string,
  graceMs?: number,
): Promise<{ s: TestServer; call: Waiting }> {
  const s = await startServer(graceMs);
  open = s.connection;
  s.callWait(2, key);
  return { s, call: await s.started(key) };
}

/**
 * Ends stdin with the grace's timer faked (vi.waitFor keeps real ones), and waits until the end
 * has been seen and the grace is running.
 */
async function endInputIntoGrace(s: TestServer): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  s.input.end();
  await vi.waitFor(() => expect(vi.getTimerCount()).toBe(1));
}

/** Once the connection has closed: call 2 was aborted and never answered. */
async function expectCutOff(s: TestServer, call: Waiting): Promise<void> {
  await s.connection.closed;
  expect(call.signal.aborted).toBe(true);
  expect(s.replyTo(2)).toBeUndefined();
}

describe('the end of stdin', () => {
  it('lets requests already received finish and answers them before closing', async () => {
    const s = await startServer();
    open = s.connection;
    s.callWait(2, 'a');
    s.callWait(4, 'b');
    const [a, b] = [await s.started('a'), await s.started('b')];
    await endInputIntoGrace(s);

    b.finish('second');
    a.finish('first');
    await s.connection.closed;

    expect(s.replyTo(2)?.result?.content?.[0]?.text).toBe('first');
    expect(s.replyTo(4)?.result?.content?.[0]?.text).toBe('second');
    expect(s.buffered()).toBe('');
  });

  it('closes at once when nothing is running', async () => {
    const s = await startServer();
    open = s.connection;
    s.input.end();
    await s.connection.closed;
    expect(s.replies.map((r) => r.id)).toEqual([0]);
    expect(s.buffered()).toBe('');
  });

  it('answers a last request that has no newline', async () => {
    const s = await startServer();
    open = s.connection;
    s.input.end(JSON.stringify({ jsonrpc: '2.0', id: 'last', method: 'ping' }));
    await s.connection.closed;
    expect(s.replyTo('last')).toEqual({ jsonrpc: '2.0', id: 'last', result: {} });
  });

  it('cancels a request still running when the grace runs out, leaving it unanswered', async () => {
    const { s, call } = await serverWithCall('slow', 5_000);
    await endInputIntoGrace(s);
    vi.advanceTimersByTime(5_000);
    await expectCutOff(s, call);
  });

  it('does not wait for a request its client cancelled', async () => {
    const { s, call } = await serverWithCall('dropped');
    s.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } });
    s.input.end();
    await expectCutOff(s, call);
  });

  it('stops at once when stop() is called during the grace', async () => {
    const { s, call } = await serverWithCall('slow');
    await endInputIntoGrace(s);
    await s.connection.stop();
    await expectCutOff(s, call);
  });
});

describe('a line that is not one JSON-RPC message', () => {
  it('gets -32700 with a null id when it is not JSON, and the session keeps serving', async () => {
    const s = await startServer();
    open = s.connection;
    s.send('{"jsonrpc":"2.0","id":5,"method":');
    s.send({ jsonrpc: '2.0', id: 6, method: 'ping' });
    await vi.waitFor(() => expect(s.replyTo(6)).toEqual({ jsonrpc: '2.0', id: 6, result: {} }));

    expect(s.replies.slice(1, 2)).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32700,
          message: expect.stringMatching(/^REQUEST_PARSE_ERROR: /) as string,
          data: { code: 'REQUEST_PARSE_ERROR' },
        },
      },
    ]);
  });

  it('gets -32600 with a null id when it is a batch', async () => {
    const s = await startServer();
    open = s.connection;
    s.send([{ jsonrpc: '2.0', id: 7, method: 'ping' }]);
    await vi.waitFor(() => expect(s.replyTo(null)).toBeDefined());

    expect(s.replyTo(null)?.error).toEqual({
      code: -32600,
      message: expect.stringMatching(/^REQUEST_INVALID: .*batches are not supported/) as string,
      data: { code: 'REQUEST_INVALID' },
    });
    expect(s.replyTo(7)).toBeUndefined();
  });

  it('gets -32600 with its id when it has an extra top-level key', async () => {
    const s = await startServer();
    open = s.connection;
    s.send({ jsonrpc: '2.0', id: 'extra', method: 'ping', trace: 'abc' });
    await vi.waitFor(() => expect(s.replyTo('extra')).toBeDefined());

    expect(s.replyTo('extra')?.error?.code).toBe(-32600);
    expect(s.replyTo('extra')?.error?.data).toEqual({ code: 'REQUEST_INVALID' });
  });

  it('gets -32600 with its id when its jsonrpc version is not 2.0', async () => {
    const s = await startServer();
    open = s.connection;
    s.send({ jsonrpc: '1.0', id: 8, method: 'ping' });
    await vi.waitFor(() => expect(s.replyTo(8)).toBeDefined());

    expect(s.replyTo(8)?.error?.code).toBe(-32600);
    expect(s.replyTo(8)?.error?.data).toEqual({ code: 'REQUEST_INVALID' });
  });

  it('carries REQUEST_TOO_LARGE in data for an oversized line', async () => {
    const s = await startServer();
    open = s.connection;
    const params = { name: 'wait', arguments: { key: 'x'.repeat(5 * 1024 * 1024) } };
    s.send({ jsonrpc: '2.0', id: 9, method: 'tools/call', params });
    await vi.waitFor(() => expect(s.replyTo(9)).toBeDefined());

    expect(s.replyTo(9)?.error).toEqual({
      code: -32600,
      message: expect.stringMatching(/^REQUEST_TOO_LARGE: /) as string,
      data: { code: 'REQUEST_TOO_LARGE' },
    });
  });
});
