import type { Agent } from 'node:http';
import { join } from 'node:path';
import { Random } from '../demo/random.js';
import { failureOf, getPlain, loadAgent, postMcp } from './http-client.js';
import {
  peakOf,
  sampleCpu,
  sampleTree,
  type CpuSample,
  startLoadServer,
  type LoadServer,
  type LoadServerLimits,
  type TreeSample,
} from './http-server.js';
import { buildLoadRoot, type LoadTenant } from './http-tenants.js';
import { ms, summarize } from './stats.js';

/** What the HTTP load bench needs: the repository (for the built server) and a scratch folder. */
export interface HttpLoadOptions {
  repo: string;
  scratch: string;
  /** Extra node flags for the server, such as `--cpu-prof`. */
  serverNodeFlags?: string[];
}

const TENANTS = 200;
const WORKING_SET = 50;
const LIMITS: LoadServerLimits = {
  maxOpenTenants: 64,
  maxConcurrentRequests: 256,
  maxConcurrentRequestsPerTenant: 16,
};
const WARM_UP_MS = 1_000;
const PHASE_MS = 5_000;
// Bounds each phase even if the server answers far faster than expected.
const MAX_CALLS_PER_PHASE = 100_000;
const SAMPLE_EVERY_MS = 100;
const ERROR_SAMPLES = 3;
const ERROR_SAMPLE_CHARS = 300;

interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

const WORK_ITEM: ToolCall = { name: 'work_item', arguments: { key: 'SPRING-1' } };
const LIST_TABLES: ToolCall = { name: 'list_tables', arguments: {} };
const POINT_QUERY: ToolCall = {
  name: 'query',
  arguments: { sql: 'SELECT id, full_name FROM clients WHERE id = ?', params: [7] },
};

/** One measured run: `clients` loops, each calling `tool` for a tenant drawn from `tenants`. */
interface Phase {
  label: string;
  clients: number;
  tenants: number;
  /** A tool call, or a bare ping: what every request costs before any tool runs. */
  tool: ToolCall | 'ping';
}

const PHASES: Phase[] = [
  { label: 'work_item, all tenants (evicting)', clients: 64, tenants: TENANTS, tool: WORK_ITEM },
  { label: 'ping (no tool), warm pool', clients: 32, tenants: WORKING_SET, tool: 'ping' },
  { label: 'work_item, warm pool', clients: 32, tenants: WORKING_SET, tool: WORK_ITEM },
  { label: 'work_item, warm pool', clients: 64, tenants: WORKING_SET, tool: WORK_ITEM },
  { label: 'list_tables, warm pool', clients: 32, tenants: WORKING_SET, tool: LIST_TABLES },
  { label: 'query (workers), warm pool', clients: 32, tenants: WORKING_SET, tool: POINT_QUERY },
];

interface PhaseResult {
  calls: number;
  errors: number;
  seconds: number;
  latencies: number[];
  errorSamples: string[];
  peak: TreeSample;
  /** CPU used during the run by the server and by its query workers. */
  cpu: CpuSample;
}

/**
 * Drives `tenant-mcp serve --http` on loopback with concurrent keep-alive clients: first over
 * more tenants than the pool keeps open, then over a working set that fits. One line per
 * phase (calls per second, latency, errors, the server's peak descriptors and memory), then
 * the server's resources before and after and its health answers.
 */
export async function benchHttpLoad(
  options: HttpLoadOptions,
  print: (l?: string) => void,
): Promise<void> {
  const scratch = join(options.scratch, 'http-load');
  const root = await buildLoadRoot(scratch, join(options.repo, 'migrations'), TENANTS);
  const server = await startLoadServer({
    repo: options.repo,
    dataRoot: root.root,
    secret: root.secret,
    limits: LIMITS,
    nodeFlags: options.serverNodeFlags,
  });
  try {
    printHeader(print);
    const before = sampleTree(server.pid);
    const healthBefore = await health(server);
    let peak = before;
    const errors: string[] = [];
    for (const phase of PHASES) {
      const result = await measure(server, root.tenants, phase);
      print(phaseLine(phase, result));
      peak = peakOf(peak, result.peak);
      errors.push(...result.errorSamples);
    }
    printResources(print, { 'before load': before, peak, 'after load': sampleTree(server.pid) });
    printHealth(print, 'before load', healthBefore);
    printHealth(print, 'after load', await health(server));
    for (const sample of errors.slice(0, ERROR_SAMPLES)) print(`  error: ${sample}`);
  } finally {
    await server.stop();
  }
}

function printHeader(print: (l?: string) => void): void {
  print();
  print(
    `HTTP load on loopback: ${TENANTS} tenants (copies of one small tenant), ` +
      `maxOpenTenants ${LIMITS.maxOpenTenants}, log level info`,
  );
  print(
    `  each phase: ${WARM_UP_MS / 1000} s untimed, then ${PHASE_MS / 1000} s measured; ` +
      'cpu/call: ms of server CPU (+ query workers); fds, rss: the server at its peak',
  );
  print(
    `  ${'phase'.padEnd(36)}${'clients'.padEnd(9)}${'tenants'.padEnd(9)}${'calls/s'.padEnd(9)}` +
      `${'p50'.padEnd(10)}${'p99'.padEnd(10)}${'max'.padEnd(11)}${'errors'.padEnd(10)}` +
      `${'cpu/call'.padEnd(14)}${'fds'.padEnd(6)}rss`,
  );
}

function phaseLine(phase: Phase, result: PhaseResult): string {
  const s = summarize(result.latencies);
  const max = result.latencies.reduce((a, b) => Math.max(a, b), 0);
  const rate = Math.round(result.calls / result.seconds);
  return (
    `  ${phase.label.padEnd(36)}${String(phase.clients).padEnd(9)}` +
    `${String(phase.tenants).padEnd(9)}${String(rate).padEnd(9)}${ms(s.p50).padEnd(10)}` +
    `${ms(s.p99).padEnd(10)}${ms(max).padEnd(11)}` +
    `${`${result.errors}/${result.calls}`.padEnd(10)}${cpuPerCall(result).padEnd(14)}` +
    `${String(result.peak.fds).padEnd(6)}${mib(result.peak.rssMiB)}`
  );
}

function printResources(print: (l?: string) => void, samples: Record<string, TreeSample>): void {
  print('  server process and its children (query workers):');
  for (const [label, s] of Object.entries(samples)) {
    print(
      `    ${label.padEnd(12)} server ${s.fds} fds, ${mib(s.rssMiB)}; ` +
        `${s.children} children ${s.childFds} fds, ${mib(s.childRssMiB)}`,
    );
  }
}

// One line per group of counters, so that a long health answer stays readable.
function printHealth(print: (l?: string) => void, label: string, answer: string): void {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer) as Record<string, unknown>;
  } catch {
    print(`  /healthz ${label}: ${answer.slice(0, ERROR_SAMPLE_CHARS)}`);
    return;
  }
  print(`  /healthz ${label}:`);
  for (const [group, value] of Object.entries(body)) {
    const text =
      typeof value === 'object' && value !== null
        ? Object.entries(value)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(', ')
        : String(value);
    print(`    ${group}: ${text}`);
  }
}

// Server CPU per call, plus the query workers' where they worked.
function cpuPerCall({ cpu, calls }: PhaseResult): string {
  const own = (cpu.ownMs / calls).toFixed(2);
  const workers = cpu.childMs / calls;
  return workers >= 0.01 ? `${own}+${workers.toFixed(2)}` : own;
}

const mib = (value: number) => `${value.toFixed(0)} MiB`;

/** What one phase's loops share: where to send, whom to call as, and one set of sockets. */
interface LoadRun {
  server: LoadServer;
  tenants: LoadTenant[];
  phase: Phase;
  agent: Agent;
  random: Random;
}

/**
 * Runs `phase` untimed, then measured, over the same keep-alive connections: a Node server
 * busy with open connections serves a new connection's first request late (seconds late when
 * saturated), and that start-up cost is not what the measured figures are about.
 */
async function measure(
  server: LoadServer,
  tenants: LoadTenant[],
  phase: Phase,
): Promise<PhaseResult> {
  const agent = loadAgent(phase.clients);
  const random = new Random(phase.clients * 1000 + phase.tenants);
  const run: LoadRun = { server, tenants, phase, agent, random };
  try {
    await runLoad(run, WARM_UP_MS);
    return await runLoad(run, PHASE_MS);
  } finally {
    agent.destroy();
  }
}

async function runLoad(run: LoadRun, durationMs: number): Promise<PhaseResult> {
  const { server, tenants, phase, agent, random } = run;
  const url = new URL(server.path, server.origin);
  const result: PhaseResult = {
    calls: 0,
    errors: 0,
    seconds: 0,
    latencies: [],
    errorSamples: [],
    peak: sampleTree(server.pid),
    cpu: sampleCpu(server.pid),
  };
  const sampler = setInterval(() => {
    result.peak = peakOf(result.peak, sampleTree(server.pid));
  }, SAMPLE_EVERY_MS);
  const deadline = performance.now() + durationMs;

  // Each virtual client waits for its answer before sending the next call.
  const client = async () => {
    while (performance.now() < deadline && result.calls < MAX_CALLS_PER_PHASE) {
      const tenant = tenants[random.int(0, phase.tenants - 1)]!;
      result.calls++;
      await call(agent, url, tenant, callBody(phase.tool, result.calls), result);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: phase.clients }, client));
  result.seconds = (performance.now() - started) / 1000;

  clearInterval(sampler);
  const cpu = sampleCpu(server.pid);
  result.cpu = { ownMs: cpu.ownMs - result.cpu.ownMs, childMs: cpu.childMs - result.cpu.childMs };
  return result;
}

async function call(
  agent: Agent,
  url: URL,
  tenant: LoadTenant,
  body: string,
  result: PhaseResult,
): Promise<void> {
  const started = performance.now();
  let failure: string | undefined;
  try {
    failure = failureOf(await postMcp(agent, url, tenant.token, body));
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  result.latencies.push(performance.now() - started);
  if (failure === undefined) return;
  result.errors++;
  if (result.errorSamples.length < ERROR_SAMPLES) {
    result.errorSamples.push(`${tenant.id}: ${failure.slice(0, ERROR_SAMPLE_CHARS)}`);
  }
}

function callBody(tool: ToolCall | 'ping', id: number): string {
  if (tool === 'ping') return JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: tool });
}

// The health answer's body, or why there is none; it carries counters, never a tenant id.
async function health(server: LoadServer): Promise<string> {
  const agent = loadAgent(1);
  try {
    const answer = await getPlain(agent, new URL('/healthz', server.origin));
    return answer.status === 200 ? answer.body : `HTTP ${answer.status} ${answer.body}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    agent.destroy();
  }
}
