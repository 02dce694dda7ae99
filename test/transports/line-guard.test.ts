import { describe, expect, it } from 'vitest';
import { LineGuard, type RefusedLine } from '../../src/transports/line-guard.js';

/** Feeds `chunks` through a guard and collects what passes and what is refused. */
async function guard(
  max: number,
  chunks: string[],
): Promise<{ out: string; refused: RefusedLine[] }> {
  const refused: RefusedLine[] = [];
  const g = new LineGuard(max, (line) => refused.push(line));
  let out = '';
  g.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise((done) => g.on('end', done));
  for (const c of chunks) g.write(Buffer.from(c));
  g.end();
  await ended;
  return { out, refused };
}

const ping = (id: number | string): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });

describe('LineGuard', () => {
  it('passes messages within the limit through unchanged, across chunk borders', async () => {
    const [a, b, c] = [ping(1), ping(2), ping('three')];
    const { out, refused } = await guard(64, [
      `${a}\n${b.slice(0, 9)}`,
      `${b.slice(9)}\n`,
      c + '\n',
    ]);
    expect(out).toBe(`${a}\n${b}\n${c}\n`);
    expect(refused).toEqual([]);
  });

  it('drops a line over the limit and keeps the lines around it', async () => {
    const big = `{"jsonrpc":"2.0","id":7,"method":"x","params":"${'y'.repeat(100)}"}`;
    const { out, refused } = await guard(64, [
      `${ping(1)}\n`,
      big.slice(0, 30),
      big.slice(30),
      `\n${ping(2)}\n`,
    ]);
    expect(out).toBe(`${ping(1)}\n${ping(2)}\n`);
    expect(refused).toEqual([{ reason: 'too_large', id: 7, bytes: big.length + 1 }]);
  });

  it('finds the id at the end of an oversized line, where the SDK client puts it', async () => {
    const big = `{"method":"tools/call","params":{"s":"${'z'.repeat(500)}"},"jsonrpc":"2.0","id":"req-9"}\n`;
    const { refused } = await guard(100, [big]);
    expect(refused).toEqual([{ reason: 'too_large', id: 'req-9', bytes: big.length }]);
  });

  it('reports a null id for an oversized line when none can be read', async () => {
    const { refused } = await guard(10, [`${'q'.repeat(50)}\n`]);
    expect(refused).toEqual([{ reason: 'too_large', id: null, bytes: 51 }]);
  });

  it('refuses a line that is not JSON and passes the next one', async () => {
    const { out, refused } = await guard(1024, ['{"jsonrpc":"2.0","id":3,\n', `${ping(4)}\n`]);
    expect(refused).toEqual([{ reason: 'not_json' }]);
    expect(out).toBe(`${ping(4)}\n`);
  });

  it('refuses a batch, even one of valid messages', async () => {
    const { out, refused } = await guard(1024, [`[${ping(1)},${ping(2)}]\n`]);
    expect(refused).toEqual([{ reason: 'batch' }]);
    expect(out).toBe('');
  });

  it('refuses a message with an extra top-level key, keeping its id', async () => {
    const line = JSON.stringify({ jsonrpc: '2.0', id: 'x-1', method: 'ping', extra: true });
    const { refused } = await guard(1024, [`${line}\n`]);
    expect(refused).toEqual([{ reason: 'not_jsonrpc', id: 'x-1' }]);
  });

  it('refuses a message of another JSON-RPC version, keeping its id', async () => {
    const { refused } = await guard(1024, ['{"jsonrpc":"1.0","id":12,"method":"ping"}\n']);
    expect(refused).toEqual([{ reason: 'not_jsonrpc', id: 12 }]);
  });

  it('reports a null id for an invalid message whose id is not a string or a number', async () => {
    const { refused } = await guard(1024, [
      '{"jsonrpc":"2.0","id":{"n":1},"method":"ping"}\n',
      '{"jsonrpc":"2.0","id":1e999,"method":"ping"}\n',
      '"just a string"\n',
    ]);
    expect(refused).toEqual([
      { reason: 'not_jsonrpc', id: null },
      { reason: 'not_jsonrpc', id: null },
      { reason: 'not_jsonrpc', id: null },
    ]);
  });

  it('skips blank lines without refusing them', async () => {
    const { out, refused } = await guard(1024, ['\n  \r\n', `${ping(5)}\r\n`, '\t\n']);
    expect(out).toBe(`${ping(5)}\r\n`);
    expect(refused).toEqual([]);
  });

  it('passes a last message that has no newline, ending it with one', async () => {
    const { out, refused } = await guard(1024, [`${ping(1)}\n${ping(2)}`]);
    expect(out).toBe(`${ping(1)}\n${ping(2)}\n`);
    expect(refused).toEqual([]);
  });

  it('refuses a last line without a newline that is not JSON', async () => {
    const { refused } = await guard(1024, ['{"jsonrpc":"2.0","id":8']);
    expect(refused).toEqual([{ reason: 'not_json' }]);
  });
});
