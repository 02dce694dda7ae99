import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueryConfig } from '../config/schema.js';
import type { TenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { noWorkers, poolClosed, workerFailed } from './pool-errors.js';
import type { FromWorker, ToWorker, WireError, WorkerSetup } from './protocol.js';
import { fromWire } from './protocol.js';
import type { WorkerCommand } from './spawn.js';
import { cacheSizeKiB, workerCommand } from './spawn.js';
import { findTools, newWorker, send, setIdle, type Worker } from './worker-handle.js';

/** What the fleet needs from the pool's options; each field means what it does in QueryPoolOptions. */
export interface FleetOptions {
  limits: QueryConfig;
  logger: Logger;
  file?: string;
  workerPath?: string;
  redact?: string[];
}

/** Where a replacement worker's cost is booked: the scheduler, per tenant. */
export interface RestartCharges {
  chargeRestart(tenantId: string): void;
  releaseRestart(tenantId: string): void;
}

/** An answer to a call, as a worker sends it. */
export type Answer = Extract<FromWorker, { id: number }>;

/** How the fleet tells the pool that its calls are affected by a change among the workers. */
export interface FleetEvents<J> {
  /** A worker became ready: waiting calls may run. */
  ready(): void;
  /** A worker answered the call it holds (or one it held before). */
  answer(worker: Worker<J>, message: Answer): void;
  /** A worker stopped for good; `job`, the call it held if any, is left for the pool to fail. */
  lost(job: J | undefined): void;
}

/** Counts of worker processes for `QueryPool.stats`. */
export interface FleetStats {
  /** Worker processes alive, starting ones included. */
  workers: number;
  starting: number;
  busy: number;
}

/** How long a new worker may take to start and open the `file` option. */
const STARTUP_MS = 15_000;
/** After this many failed starts in a row, wait before trying again. */
const MAX_START_FAILURES = 3;
const RETRY_AFTER_MS = 1_000;

/**
 * The worker processes of a query pool: it starts them, notices when they are ready or gone,
 * keeps their number at `limits.workers`, and kills them. It holds calls only as the job each
 * busy worker carries; running, timing and settling calls is the pool's part. Starts that keep
 * failing are retried after a pause rather than in a tight loop of doomed processes.
 */
export class WorkerFleet<J extends { readonly tenantId: string }> {
  private readonly workers = new Set<Worker<J>>();
  private readonly exits = new Set<Promise<void>>();
  private readonly command: WorkerCommand;
  private readonly setup: WorkerSetup;
  /** How many workers the fleet keeps alive: `limits.workers`. */
  private readonly capacity: number;
  private readonly logger: Logger;
  private stopped = false;
  private startFailures = 0;
  private retryAt = 0;
  /** Why the last worker failed to start, until one starts; calls that find no worker get it. */
  private startError: TenantMcpError | undefined;

  constructor(
    options: FleetOptions,
    private readonly charges: RestartCharges,
    private readonly events: FleetEvents<J>,
  ) {
    const { limits } = options;
    this.capacity = limits.workers;
    this.logger = options.logger;
    const workerPath = options.workerPath ?? fileURLToPath(new URL('./worker.js', import.meta.url));
    this.command = workerCommand(workerPath, limits.workerMemoryMb, findTools());
    this.setup = {
      limits: pickRunLimits(limits),
      cacheSizeKiB: cacheSizeKiB(limits.workerMemoryMb),
      maxConnections: limits.workerTenantConnections,
      redact: options.redact ?? [],
      ...(options.file === undefined ? {} : { open: path.resolve(options.file) }),
    };
  }

  /** True once `close` has been called. */
  get closed(): boolean {
    return this.stopped;
  }

  /** Worker processes alive, starting ones included. */
  get size(): number {
    return this.workers.size;
  }

  /** The error for a call that finds no worker: why the last start failed, if one did. */
  unavailable(): TenantMcpError {
    return this.startError ?? noWorkers();
  }

  stats(): FleetStats {
    let starting = 0;
    let busy = 0;
    for (const { state } of this.workers) {
      if (state === 'starting') starting += 1;
      if (state === 'busy') busy += 1;
    }
    return { workers: this.workers.size, starting, busy };
  }

  /** Sends `message` to every live worker. */
  broadcast(message: ToWorker): void {
    for (const worker of this.workers) send(worker.child, message);
  }

  /** The first idle worker, if any. */
  idle(): Worker<J> | undefined {
    for (const worker of this.workers) if (worker.state === 'idle') return worker;
    return undefined;
  }

  /** Marks `worker` busy with `job`; a busy worker keeps the parent alive until it answers. */
  assign(worker: Worker<J>, job: J): void {
    worker.state = 'busy';
    worker.job = job;
    setIdle(worker, false);
  }

  /** Marks `worker` idle again after an answer that left it fit to serve. */
  free(worker: Worker<J>): void {
    worker.state = 'idle';
    setIdle(worker, true);
  }

  /** Replaces `worker`, which asked to be replaced after answering a call of `tenantId`. */
  recycle(worker: Worker<J>, tenantId: string, error: WireError): void {
    const { code, sqliteCode } = error;
    const fields = { event: 'query_worker_recycled', tenant: tenantId, code, sqliteCode };
    this.logger.warn(fields, 'worker replaced');
    this.replaceFor(worker, tenantId);
  }

  /**
   * Kills every worker and starts no more, handing `onJob` the call each held first. Returns
   * the workers' exits still to come, for the caller to wait on.
   */
  close(onJob: (job: J) => void): Promise<void>[] {
    this.stopped = true;
    for (const worker of [...this.workers]) {
      if (worker.job !== undefined) onJob(worker.job);
      this.retire(worker);
    }
    return [...this.exits];
  }

  /** Brings the fleet back to its capacity, unless closed or backing off after failed starts. */
  replenish(): void {
    while (this.canSpawn()) this.spawn();
  }

  /**
   * Kills `worker`, lost under a call of `tenantId`, and starts its replacement charged to that
   * tenant until ready: the tenant that caused a restart pays for it with its own share of
   * the workers, so its calls cannot keep every worker restarting while others wait.
   */
  replaceFor(worker: Worker<J>, tenantId: string): void {
    this.retire(worker);
    if (!this.canSpawn()) return;
    const replacement = this.spawn();
    replacement.chargedTo = tenantId;
    this.charges.chargeRestart(tenantId);
    this.replenish();
  }

  /** Starts one worker whatever the capacity; its `ready` settles once it can serve. */
  spawn(): Worker<J> {
    const child = spawn(this.command.command, this.command.args, {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    const worker = newWorker<J>(child);
    this.workers.add(worker);
    this.exits.add(worker.exited);
    void worker.exited.then(() => this.exits.delete(worker.exited));
    child.on('message', (message: FromWorker) => this.onMessage(worker, message));
    child.once('exit', (code, signal) => this.onExit(worker, code, signal));
    child.on('error', (error) => this.onChildError(worker, error));
    worker.startupTimer = setTimeout(() => this.onStartupTimeout(worker), STARTUP_MS);
    worker.startupTimer.unref();
    send(child, { t: 'setup', setup: this.setup });
    return worker;
  }

  private canSpawn(): boolean {
    if (this.stopped || Date.now() < this.retryAt) return false;
    return this.workers.size < this.capacity;
  }

  private onMessage(worker: Worker<J>, message: FromWorker): void {
    switch (message.t) {
      case 'ready':
        return this.onReady(worker, message.openError);
      case 'result':
      case 'error':
        return this.events.answer(worker, message);
    }
  }

  private onReady(worker: Worker<J>, openError: WireError | undefined): void {
    if (worker.state !== 'starting') return;
    clearTimeout(worker.startupTimer);
    this.releaseCharge(worker);
    worker.state = 'idle';
    this.startFailures = 0;
    this.startError = undefined;
    setIdle(worker, true);
    // The worker serves on: the file may become readable, and other tenants are unaffected.
    const error = openError === undefined ? undefined : fromWire(openError);
    if (error !== undefined) {
      this.logger.warn({ event: 'query_tenant_file_unreadable', code: error.code }, error.message);
    }
    worker.settleReady(error);
    this.events.ready();
  }

  private onExit(worker: Worker<J>, code: number | null, signal: NodeJS.Signals | null): void {
    if (worker.state === 'retired') return;
    this.logger.warn({ event: 'query_worker_exit', code, signal }, 'query worker stopped');
    if (worker.state === 'starting') return this.onStartFailure(worker, workerFailed());
    const job = worker.job;
    if (job === undefined) {
      this.retire(worker);
      this.replenish();
    } else {
      this.replaceFor(worker, job.tenantId);
    }
    this.events.lost(job);
  }

  private onChildError(worker: Worker<J>, error: Error): void {
    // Without a pid this is a failed spawn, which may never emit 'exit'. Other errors (a
    // failed kill or send) belong to a process whose 'exit' handler settles everything.
    if (worker.child.pid !== undefined) return;
    const code = (error as NodeJS.ErrnoException).code;
    this.logger.error({ event: 'query_worker_spawn_failed', code }, 'cannot start worker');
    this.onStartFailure(worker, workerFailed());
  }

  private onStartupTimeout(worker: Worker<J>): void {
    if (worker.state !== 'starting') return;
    this.onStartFailure(worker, workerFailed());
  }

  private onStartFailure(worker: Worker<J>, error: TenantMcpError): void {
    if (worker.state !== 'starting') return;
    this.logger.error({ event: 'query_worker_start_failed', code: error.code }, error.message);
    worker.settleReady(error);
    this.retire(worker);
    this.startError = error;
    this.startFailures += 1;
    if (this.startFailures >= MAX_START_FAILURES) this.retryAt = Date.now() + RETRY_AFTER_MS;
    else this.replenish();
    this.events.lost(undefined);
  }

  private releaseCharge(worker: Worker<J>): void {
    if (worker.chargedTo === undefined) return;
    this.charges.releaseRestart(worker.chargedTo);
    worker.chargedTo = undefined;
  }

  /** Kills `worker` and forgets it; whatever call it held is the caller's to settle. */
  private retire(worker: Worker<J>): void {
    clearTimeout(worker.startupTimer);
    this.releaseCharge(worker);
    // A no-op once settled; otherwise start() would wait forever on a worker closed early.
    worker.settleReady(poolClosed());
    worker.state = 'retired';
    worker.job = undefined;
    this.workers.delete(worker);
    // Referenced again so that close() can wait for the 'exit' event.
    setIdle(worker, false);
    const { child } = worker;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function pickRunLimits(limits: QueryConfig): WorkerSetup['limits'] {
  const { defaultRowLimit, maxRowLimit, maxResultBytes, maxCellChars } = limits;
  return { defaultRowLimit, maxRowLimit, maxResultBytes, maxCellChars };
}
