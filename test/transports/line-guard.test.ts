import { describe, expect, it } from 'vitest';
import { LineGuard, type OversizedLine } from '../../src/transports/line-guard.js';

/** Feeds `chunks` through a guard and collects what passes and what is dropped. */
async function guard(
  max: number,
  chunks: string[],
): Promise<{ out: string; dropped: OversizedLine[] }> {
  const dropped: OversizedLine[] = [];
  const g = new LineGuard(max, (line) => dropped.push(line));
  let out = '';
  g.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise((done) => g.on('end', done));
  for (const c of chunks) g.write(Buffer.from(c));
  g.end();
  await ended;
  return { out, dropped };
}

describe('LineGuard', () => {
  it('passes lines within the limit through unchanged, across chunk borders', async () => {
    const { out, dropped } = await guard(20, ['{"a":1}\n{"b"', ':2}\n', '{"c":3}\n']);
    expect(out).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(dropped).toEqual([]);
  });

  it('drops a line over the limit and keeps the lines around it', async () => {
    const big = `{"jsonrpc":"2.0","id":7,"method":"x","params":"${'y'.repeat(100)}"}`;
    const { out, dropped } = await guard(64, [
      '{"a":1}\n',
      big.slice(0, 30),
      big.slice(30),
      '\n{"b":2}\n',
    ]);
    expect(out).toBe('{"a":1}\n{"b":2}\n');
    expect(dropped).toEqual([{ id: 7, bytes: big.length + 1 }]);
  });

  it('finds the id at the end of the line, where the SDK client puts it', async () => {
    const big = `{"method":"tools/call","params":{"s":"${'z'.repeat(500)}"},"jsonrpc":"2.0","id":"req-9"}\n`;
    const { dropped } = await guard(100, [big]);
    expect(dropped[0]?.id).toBe('req-9');
  });

  it('reports a null id when none can be read', async () => {
    const { dropped } = await guard(10, [`${'q'.repeat(50)}\n`]);
    expect(dropped).toEqual([{ id: null, bytes: 51 }]);
  });
});
