import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LOAD_AUDIENCE, LOAD_ISSUER } from './http-tenants.js';

/** The `http` settings the load bench passes to the server. */
export interface LoadServerLimits {
  maxOpenTenants: number;
  maxConcurrentRequests: number;
  maxConcurrentRequestsPerTenant: number;
}

/** Where the server's files are and how it is limited. */
export interface LoadServerOptions {
  repo: string;
  dataRoot: string;
  secret: string;
  limits: LoadServerLimits;
  /** Extra node flags for the server process, such as `--cpu-prof`. */
  nodeFlags?: string[];
}

/** A server started by the bench, listening on a loopback port. */
export interface LoadServer {
  pid: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The MCP endpoint path the server announced. */
  path: string;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

const LISTEN_TIMEOUT_MS = 15_000;
// Enough of the server's last stderr to say why it died, never more.
const STDERR_TAIL_CHARS = 2_000;

/**
 * Starts `tenant-mcp serve --http` on an ephemeral loopback port and resolves once it has
 * announced that port. Its stderr is drained for the whole run: a full pipe would stall it.
 */
export async function startLoadServer(options: LoadServerOptions): Promise<LoadServer> {
  const config = writeLoadConfig(options);
  const bin = join(options.repo, 'bin/tenant-mcp.js');
  const args = [...(options.nodeFlags ?? []), bin, 'serve', '--http', '--config', config];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', TENANT_MCP_JWT_SECRET: options.secret },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const { port, path } = await listeningAddress(child).catch((error: unknown) => {
    // A server that never said where it listens would otherwise outlive the bench.
    child.kill('SIGKILL');
    throw error;
  });
  return {
    pid: child.pid ?? -1,
    origin: `http://127.0.0.1:${port}`,
    path,
    stop: (graceMs = 15_000) => stopChild(child, graceMs),
  };
}

// Level info: the server announces its port at info. The access log lines that come with it
// are part of what a production server at its default level pays for.
function writeLoadConfig(options: LoadServerOptions): string {
  const file = join(options.dataRoot, 'load.config.json');
  const config = {
    dataRoot: options.dataRoot,
    auth: {
      algorithms: ['HS256'],
      secretEnv: 'TENANT_MCP_JWT_SECRET',
      issuer: LOAD_ISSUER,
      audience: LOAD_AUDIENCE,
    },
    migrations: { dir: join(options.repo, 'migrations') },
    http: { host: '127.0.0.1', port: 0, ...options.limits },
    log: { level: 'info' },
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

type ServerChild = ChildProcessByStdio<null, null, Readable>;

function listeningAddress(child: ServerChild): Promise<{ port: number; path: string }> {
  let pending = '';
  let tail = '';
  let found = false;
  let address: { port: number; path: string } | undefined;
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error('the server did not listen in time')),
      LISTEN_TIMEOUT_MS,
    );
    child.stderr.on('data', (chunk: Buffer) => {
      if (found) return;
      const text = chunk.toString();
      tail = (tail + text).slice(-STDERR_TAIL_CHARS);
      pending += text;
      // Only whole lines: the rest of the last one comes with the next chunk.
      const end = pending.lastIndexOf('\n');
      const lines = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      address ??= findListening(lines);
      // The port comes first; calls are served once startup migrations are done.
      if (address === undefined || !lines.includes('"http_ready"')) return;
      found = true;
      clearTimeout(timer);
      done(address);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!found) fail(new Error(`the server exited with ${code}: ${tail}`));
    });
  });
}

function findListening(lines: string): { port: number; path: string } | undefined {
  for (const line of lines.split('\n')) {
    if (!line.includes('"http_listening"')) continue;
    const entry = parseLine(line);
    if (typeof entry.port === 'number') {
      return { port: entry.port, path: typeof entry.path === 'string' ? entry.path : '/mcp' };
    }
  }
  return undefined;
}

function parseLine(line: string): { port?: unknown; path?: unknown } {
  try {
    return JSON.parse(line) as { port?: unknown; path?: unknown };
  } catch {
    return {};
  }
}

function stopChild(child: ServerChild, graceMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode);
  }
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
    child.kill('SIGTERM');
  });
}

/** Open descriptors and resident memory of a process and of all its descendants. */
export interface TreeSample {
  fds: number;
  rssMiB: number;
  children: number;
  childFds: number;
  childRssMiB: number;
}

/** Reads /proc for `pid` and its descendants; a process that vanished meanwhile counts 0. */
export function sampleTree(pid: number): TreeSample {
  const own = sampleProcess(pid);
  const descendants = descendantsOf(pid).map(sampleProcess);
  return {
    fds: own.fds,
    rssMiB: own.rssMiB,
    children: descendants.length,
    childFds: descendants.reduce((total, s) => total + s.fds, 0),
    childRssMiB: descendants.reduce((total, s) => total + s.rssMiB, 0),
  };
}

/** The larger of each figure of two samples. */
export function peakOf(a: TreeSample, b: TreeSample): TreeSample {
  return {
    fds: Math.max(a.fds, b.fds),
    rssMiB: Math.max(a.rssMiB, b.rssMiB),
    children: Math.max(a.children, b.children),
    childFds: Math.max(a.childFds, b.childFds),
    childRssMiB: Math.max(a.childRssMiB, b.childRssMiB),
  };
}

/** CPU time used so far, in milliseconds, by a process and (summed) by its descendants. */
export interface CpuSample {
  ownMs: number;
  childMs: number;
}

// Linux reports these times in USER_HZ ticks, which is 100 per second on every architecture
// it runs on today; Node has no sysconf to ask.
const MS_PER_TICK = 10;

/** Reads the CPU time of `pid` and of its live descendants from /proc. */
export function sampleCpu(pid: number): CpuSample {
  const childMs = descendantsOf(pid).reduce((total, child) => total + cpuMsOf(child), 0);
  return { ownMs: cpuMsOf(pid), childMs };
}

function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return 0;
  }
}

function sampleProcess(pid: number): { fds: number; rssMiB: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { fds: readdirSync(`/proc/${pid}/fd`).length, rssMiB: rssKiB / 1024 };
  } catch {
    return { fds: 0, rssMiB: 0 };
  }
}

// Query workers are exec'd by a shell (and setpriv), so the tree is walked, not one level.
function descendantsOf(pid: number): number[] {
  const children = childrenOf(pid);
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter((word) => word.trim() !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}
