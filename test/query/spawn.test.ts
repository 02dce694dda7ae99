import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheSizeKiB, NODE_BASELINE_MB, workerCommand } from '../../src/query/spawn.js';

const tools = { node: process.execPath, shell: '/bin/sh' };

describe('workerCommand', () => {
  it('starts node with a heap cap inside a shell that sets the data limit first', () => {
    const { command, args } = workerCommand('/w/worker.js', 100, tools);
    expect(command).toBe('/bin/sh');
    expect(args.slice(2)).toEqual([
      'sh',
      String((NODE_BASELINE_MB + 100) * 1024),
      process.execPath,
      '--max-old-space-size=100',
      '/w/worker.js',
      '--tenant-mcp-query-worker',
    ]);
  });

  it('puts setpriv with a parent-death signal in front when it is available', () => {
    const { command, args } = workerCommand('/w/worker.js', 100, { ...tools, setpriv: '/s' });
    expect([command, ...args.slice(0, 4)]).toEqual(['/s', '--pdeathsig', 'KILL', '--', '/bin/sh']);
  });
});

describe('the started command', () => {
  let dir: string;

  beforeEach(() => {
    // Quotes, spaces and $ in the path prove nothing is spliced into the shell script.
    dir = join(mkdtempSync(join(tmpdir(), 'tenant-mcp-spawn-')), `it's a "dir" $HOME`);
    mkdirSync(dir);
  });

  afterEach(() => {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('runs the exact script path with RLIMIT_DATA set to baseline plus budget', () => {
    const script = join(dir, 'limits.cjs');
    writeFileSync(
      script,
      "process.stdout.write(require('fs').readFileSync('/proc/self/limits', 'utf8'))",
    );
    const { command, args } = workerCommand(script, 40, tools);
    const out = spawnSync(command, args, { encoding: 'utf8' });
    const line = out.stdout.split('\n').find((l) => l.startsWith('Max data size'));
    const bytes = String((NODE_BASELINE_MB + 40) * 1024 * 1024);
    expect(line?.split(/\s{2,}/).slice(1, 3)).toEqual([bytes, bytes]);
  });
});

describe('cacheSizeKiB', () => {
  it('gives the page cache an eighth of the budget, at most 16 MiB', () => {
    expect(cacheSizeKiB(32)).toBe(4_096);
    expect(cacheSizeKiB(256)).toBe(16_384);
    expect(cacheSizeKiB(4_096)).toBe(16_384);
  });
});
