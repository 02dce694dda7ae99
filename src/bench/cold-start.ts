import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { join } from 'node:path';
import { ms, summarize } from './stats.js';
import { serverEnv, writeBenchConfig, type BenchTarget } from './target.js';

const STARTS = 11;

const line = (message: object) => `${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`;

const INITIALIZE = line({
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'bench', version: '1' },
  },
});

// What a client sends once initialize is answered, then a point lookup as its first call.
const FIRST_QUERY =
  line({ method: 'notifications/initialized' }) +
  line({
    id: 2,
    method: 'tools/call',
    params: {
      name: 'query',
      arguments: { sql: 'SELECT * FROM clients WHERE id = ?', params: [7] },
    },
  });

/**
 * Medians from spawn to the answer of `initialize`, and to the answer of a first query (which
 * waits for a query worker), beside a bare `node -e ''`. Runs are interleaved so that all
 * three see the same background load.
 */
export async function benchColdStart(
  target: BenchTarget,
  print: (l?: string) => void,
): Promise<void> {
  const args = [join(target.repo, 'bin/tenant-mcp.js'), '--config', writeBenchConfig(target)];
  const env = serverEnv(target);
  const bare: number[] = [];
  const initialize: number[] = [];
  const firstQuery: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    bare.push(await timeBareNode());
    initialize.push((await timeServer(args, env, 1))[0]);
    firstQuery.push((await timeServer(args, env, 2))[1]);
  }
  const b = summarize(bare).p50;
  const s = summarize(initialize).p50;
  print();
  print(`Cold start, median of ${STARTS} (spawn to answer)`);
  print(`  node -e ''                 ${ms(b)}`);
  print(`  tenant-mcp initialize      ${ms(s)}  (${(s / b).toFixed(2)}x bare node)`);
  print(`  tenant-mcp first query     ${ms(summarize(firstQuery).p50)}  (waits for a worker)`);
}

function timeBareNode(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return new Promise((done) => child.once('exit', () => done(performance.now() - t0)));
}

/** Times from spawn to each of the first `answers` answers, then lets the server exit. */
async function timeServer(
  args: string[],
  env: Record<string, string>,
  answers: 1 | 2,
): Promise<[number, number]> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise((done) => child.once('exit', done));
  const early = exited.then((code) => Promise.reject(new Error(`server exited with ${code}`)));
  // The server exits once its stdin ends, after the answers: that rejection is expected.
  early.catch(() => {});
  child.stdin.write(INITIALIZE);
  const times = await Promise.race([answerTimes(child, t0, answers), early]);
  child.stdin.end();
  await exited;
  return times;
}

function answerTimes(
  child: ChildProcessByStdio<Writable, Readable, null>,
  t0: number,
  answers: 1 | 2,
): Promise<[number, number]> {
  const times: number[] = [];
  let pending = '';
  return new Promise((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
        const answer = pending.slice(0, end);
        pending = pending.slice(end + 1);
        times.push(performance.now() - t0);
        if (/"isError":true|"error":/.test(answer)) fail(new Error(`server answered ${answer}`));
        if (times.length === 1 && answers === 2) child.stdin.write(FIRST_QUERY);
        if (times.length === answers) done([times[0] ?? NaN, times.at(-1) ?? NaN]);
      }
    });
  });
}
