import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ms, summarize } from './stats.js';
import { serverEnv, writeBenchConfig, type BenchTarget } from './target.js';

const STARTS = 11;

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'bench', version: '1' },
  },
})}\n`;

/** Median time from spawn to the answer of `initialize`, beside a bare `node -e ''`. */
export async function benchColdStart(
  target: BenchTarget,
  print: (l?: string) => void,
): Promise<void> {
  const config = writeBenchConfig(target);
  const args = [join(target.repo, 'bin/tenant-mcp.js'), '--config', config];
  const bare: number[] = [];
  const server: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    bare.push(await timeBareNode());
    server.push(await timeInitialize(args, serverEnv(target)));
  }
  const b = summarize(bare).p50;
  const s = summarize(server).p50;
  print();
  print(`Cold start, median of ${STARTS} (spawn to initialize answered)`);
  print(`  node -e ''                 ${ms(b)}`);
  print(`  tenant-mcp stdio           ${ms(s)}  (${(s / b).toFixed(2)}x bare node)`);
}

function timeBareNode(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return new Promise((done) => child.once('exit', () => done(performance.now() - t0)));
}

function timeInitialize(args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.write(INITIALIZE);
  return new Promise((done, fail) => {
    const early = (code: number | null) => fail(new Error(`server exited with ${code} first`));
    child.once('exit', early);
    child.stdout.once('data', () => {
      const elapsed = performance.now() - t0;
      child.off('exit', early);
      child.once('exit', () => done(elapsed));
      child.stdin.end();
    });
  });
}
