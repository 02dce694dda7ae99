import { WORKER_FLAG } from './protocol.js';

/**
 * How a worker process is started, and how its memory is capped.
 *
 * `--max-old-space-size` bounds only the JavaScript heap. SQLite's page cache, sorter
 * and temp b-trees are native allocations, so the whole process also gets RLIMIT_DATA
 * (`ulimit -d`). RLIMIT_AS is no use: V8 reserves address ranges it never touches, so
 * Node 20 does not even start under 512 MiB of it. RLIMIT_DATA counts writable private
 * mappings, and a SQLite allocation past it fails cleanly as SQLITE_NOMEM while the
 * worker lives on. A bare Node process needs about 50 MiB of it (below that it aborts
 * or hangs at startup), so the limit is that baseline plus the configured budget.
 *
 * `setpriv --pdeathsig KILL` (util-linux) asks the kernel to kill the worker when the
 * pool's process dies: a worker busy inside a native SQLite call never sees the IPC
 * channel close, so the 'disconnect' handler alone cannot stop it.
 */

/** Data-segment allowance for Node itself, added to `workerMemoryMb`. */
export const NODE_BASELINE_MB = 64;

/** Page cache ceiling per worker connection, in KiB (the build's default). */
export const MAX_CACHE_KIB = 16 * 1024;

/** A program and its arguments. */
export interface WorkerCommand {
  command: string;
  args: string[];
}

/** Tools found on this machine; `setpriv` is optional. */
export interface SpawnTools {
  node: string;
  shell: string;
  setpriv?: string;
}

/** The command that starts one capped worker running `workerPath`. */
export function workerCommand(
  workerPath: string,
  memoryMb: number,
  tools: SpawnTools,
): WorkerCommand {
  const node = [tools.node, `--max-old-space-size=${memoryMb}`, workerPath, WORKER_FLAG];
  const dataKiB = String((NODE_BASELINE_MB + memoryMb) * 1024);
  // The limit arrives as "$1", never spliced into the script; if ulimit fails, no start.
  const capped = [tools.shell, '-c', 'ulimit -d "$1" || exit 126; shift; exec "$@"', 'sh', dataKiB];
  const argv = [...capped, ...node];
  if (tools.setpriv !== undefined) argv.unshift(tools.setpriv, '--pdeathsig', 'KILL', '--');
  const [command, ...args] = argv;
  return { command: command ?? tools.shell, args };
}

/** SQLite page cache for a worker with `memoryMb` of budget: an eighth, at most 16 MiB. */
export function cacheSizeKiB(memoryMb: number): number {
  return Math.min(MAX_CACHE_KIB, Math.floor((memoryMb * 1024) / 8));
}
