import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueryConfig } from '../config/schema.js';
import type { TenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { checkQueryText } from './gate.js';
import { toBindParams } from './params.js';
import type { FromWorker, ToWorker, WireError, WorkerSetup } from './protocol.js';
import { fromWire } from './protocol.js';
import type { QueryRequest, QueryResult, QueryRunner } from './run.js';
import { resolveRowLimit } from './run.js';
import {
  cancelled,
  noFreeWorker,
  noWorkers,
  poolClosed,
  resolveTimeout,
  timedOut,
  workerFailed,
} from './pool-errors.js';
import { latestStart, Scheduler, type SchedulerStats } from './scheduler.js';
import {
  findTools,
  newWorker,
  send,
  setIdle,
  type Worker as WorkerHandle,
} from './worker-handle.js';
import type { WorkerCommand } from './spawn.js';
import { cacheSizeKiB, workerCommand } from './spawn.js';

/** Options for `QueryPool.launch` and `QueryPool.start`. */
export interface QueryPoolOptions {
  limits: QueryConfig;
  logger: Logger;
  /**
   * A tenant file every worker opens as it starts: a one-tenant (stdio) pool then pays for
   * the open up front, and `start` fails with TENANT_FILE_UNREADABLE if it cannot be opened.
   */
  file?: string;
  /**
   * Workers one tenant may hold at once, used when `limits.perTenantWorkers` is unset: the
   * transport's default (all workers for stdio, all but one over HTTP). Default: all.
   */
  perTenantWorkers?: number;
  /**
   * The compiled worker module. Defaults to worker.js beside this file, which is right
   * when running from dist/. Tests run this file from src/ (where only worker.ts
   * exists), so they build first and pass dist/query/worker.js here.
   */
  workerPath?: string;
  /** Calls that may wait for a free worker; beyond that, QUERY_OVERLOADED. */
  maxQueue?: number;
  /** More paths never to show in an error message (the data root, for example). */
  redact?: string[];
}

/** What the pool is doing right now, for health checks and benchmarks. */
export interface QueryPoolStats extends SchedulerStats {
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

type Worker = WorkerHandle<Job>;

interface Job {
  readonly id: number;
  readonly tenantId: string;
  readonly message: Extract<ToWorker, { t: 'run' }>;
  readonly resolve: (result: QueryResult) => void;
  readonly reject: (error: TenantMcpError) => void;
  readonly timeoutMs: number;
  /** On the `performance.now()` clock, as is `startBy`. */
  readonly deadline: number;
  readonly startBy: number;
  timer: NodeJS.Timeout | undefined;
  worker: Worker | undefined;
  settled: boolean;
}

/**
 * Runs model SQL in a small pool of pre-started child processes shared by every tenant, so
 * that a runaway query can be stopped the only reliable way: by killing its process. Each
 * worker keeps a hardened read-only connection per tenant file it has served (a bounded
 * number, least recently used closed first); each call names its file through the view
 * `forTenant` returns. Each call has a deadline; on expiry its worker is killed and replaced
 * while other calls keep being served. A tenant may have `perTenantQueue` calls running or
 * waiting and hold `perTenantWorkers` workers at once (replacements for workers killed under
 * its calls included), so one busy tenant cannot starve the others. Idle workers never keep
 * the parent's event loop alive, and they exit when the parent does; call `close()` to stop
 * them.
 */
export class QueryPool {
  private readonly workers = new Set<Worker>();
  private readonly exits = new Set<Promise<void>>();
  private readonly scheduler: Scheduler<Job>;
  private readonly command: WorkerCommand;
  private readonly setup: WorkerSetup;
  private nextId = 1;
  private closed = false;
  private startFailures = 0;
  private retryAt = 0;
  /** Why the last worker failed to start, until one starts; calls that find no worker get it. */
  private startError: TenantMcpError | undefined;

  private readonly limits: QueryConfig;
  private readonly logger: Logger;

  private constructor(options: QueryPoolOptions) {
    const { limits } = options;
    this.limits = limits;
    this.logger = options.logger;
    const workerPath = options.workerPath ?? fileURLToPath(new URL('./worker.js', import.meta.url));
    this.command = workerCommand(workerPath, limits.workerMemoryMb, findTools());
    this.scheduler = new Scheduler({
      maxQueue: options.maxQueue ?? limits.maxQueue,
      perTenantQueue: limits.perTenantQueue,
      perTenantWorkers: resolvePerTenantWorkers(options),
    });
    this.setup = {
      limits: pickRunLimits(limits),
      cacheSizeKiB: cacheSizeKiB(limits.workerMemoryMb),
      maxConnections: limits.workerTenantConnections,
      redact: options.redact ?? [],
      ...(options.file === undefined ? {} : { open: path.resolve(options.file) }),
    };
  }

  /**
   * Starts `limits.workers` workers and returns at once, so that a server can answer its
   * client while they boot. Calls made meanwhile wait in the queue (their deadline running)
   * for the first ready worker. A failed start is logged; once no worker is left, waiting
   * and later calls fail with QUERY_WORKER_FAILED. A `file` that cannot be opened is logged
   * too, and each call on it then fails with TENANT_FILE_UNREADABLE.
   */
  static launch(options: QueryPoolOptions): QueryPool {
    const pool = new QueryPool(options);
    // A turn of the event loop later: the caller is about to answer its client, and process
    // starts would compete with that answer for the CPU. A call made before then starts them.
    setImmediate(() => pool.replenish());
    return pool;
  }

  /** Starts `limits.workers` workers and resolves once each is ready (and has opened `file`). */
  static async start(options: QueryPoolOptions): Promise<QueryPool> {
    const pool = new QueryPool(options);
    const starting = Array.from({ length: options.limits.workers }, () => pool.spawnWorker());
    try {
      await Promise.all(starting.map((w) => w.ready));
      return pool;
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  /**
   * The queries of tenant `tenantId`, run on `file`. Cheap: call it per request if need be.
   * Views of one tenant id share its limits. `file` must come from a verified tenant, never
   * from the model: it is the only thing that decides which connection a query reaches.
   */
  forTenant(tenantId: string, file: string): QueryRunner {
    const resolved = path.resolve(file);
    return { run: (request, signal) => this.run(tenantId, resolved, request, signal) };
  }

  /** Closes every worker's connection to `file`; a later call opens it again. */
  forget(file: string): void {
    const message: ToWorker = { t: 'forget', file: path.resolve(file) };
    for (const worker of this.workers) send(worker.child, message);
  }

  /** Counts of workers and calls right now; cheap enough for every health check. */
  stats(): QueryPoolStats {
    let starting = 0;
    let busy = 0;
    for (const { state } of this.workers) {
      if (state === 'starting') starting += 1;
      if (state === 'busy') busy += 1;
    }
    return { workers: this.workers.size, starting, busy, ...this.scheduler.stats() };
  }

  /** Kills every worker, fails pending calls, and resolves when all workers have exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.scheduler.drain()) this.fail(job, poolClosed());
    for (const worker of [...this.workers]) {
      if (worker.job !== undefined) this.fail(worker.job, poolClosed());
      this.retire(worker);
    }
    await Promise.all([...this.exits]);
  }

  /**
   * Runs one query within its deadline; see QueryRequest for the per-call options. When
   * `signal` aborts (the client cancelled), a waiting call leaves the queue and a running
   * one has its worker killed, so an abandoned query never holds a worker.
   */
  private async run(
    tenantId: string,
    file: string,
    request: QueryRequest,
    signal?: AbortSignal,
  ): Promise<QueryResult> {
    if (this.closed) throw poolClosed();
    const timeoutMs = resolveTimeout(request.timeoutMs, this.limits);
    // Checked here as well as in the worker: bad input fails fast and never reaches IPC.
    checkQueryText(request.sql);
    toBindParams(request.params);
    resolveRowLimit(request.maxRows, this.limits);
    this.replenish();
    if (this.workers.size === 0) throw this.startError ?? noWorkers();
    this.scheduler.admit(tenantId);
    if (signal?.aborted) throw cancelled();
    let onAbort: (() => void) | undefined;
    const call = new Promise<QueryResult>((resolve, reject) => {
      const { sql, params, maxRows } = request;
      const id = this.nextId++;
      const message: Job['message'] = { t: 'run', id, file, request: { sql, params, maxRows } };
      const job = this.enqueue({ id, tenantId, message, resolve, reject, timeoutMs });
      onAbort = () => this.onCancel(job);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    // One request may run many calls (search does): each removes its listener when done.
    return call.finally(() => signal?.removeEventListener('abort', onAbort!));
  }

  private enqueue(
    call: Pick<Job, 'id' | 'tenantId' | 'message' | 'resolve' | 'reject' | 'timeoutMs'>,
  ): Job {
    const now = performance.now();
    const deadline = now + call.timeoutMs;
    const startBy = latestStart(now, call.timeoutMs);
    const job: Job = {
      ...call,
      deadline,
      startBy,
      timer: undefined,
      worker: undefined,
      settled: false,
    };
    // The deadline covers waiting in the queue too; a call that has not started by startBy
    // would mostly be killed at once, so it gives up then instead of costing a restart.
    job.timer = setTimeout(() => this.onDeadline(job), startBy - now);
    this.scheduler.add(job);
    this.pump();
    return job;
  }

  private spawnWorker(): Worker {
    const child = spawn(this.command.command, this.command.args, {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    const worker = newWorker<Job>(child);
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

  private onMessage(worker: Worker, message: FromWorker): void {
    switch (message.t) {
      case 'ready':
        return this.onReady(worker, message.openError);
      case 'result':
      case 'error':
        return this.onAnswer(worker, message);
    }
  }

  private onReady(worker: Worker, openError: WireError | undefined): void {
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
    this.pump();
  }

  private onAnswer(worker: Worker, message: Extract<FromWorker, { id: number }>): void {
    const job = worker.job;
    if (job === undefined || job.id !== message.id) return;
    worker.job = undefined;
    if (message.t === 'result') this.succeed(job, JSON.parse(message.json) as QueryResult);
    else this.fail(job, fromWire(message.error));
    if (message.t === 'error' && message.exit) {
      const { code, sqliteCode } = message.error;
      const fields = { event: 'query_worker_recycled', tenant: job.tenantId, code, sqliteCode };
      this.logger.warn(fields, 'worker replaced');
      this.replaceFor(worker, job.tenantId);
    } else {
      worker.state = 'idle';
      setIdle(worker, true);
    }
    this.pump();
  }

  private onDeadline(job: Job): void {
    // A call that never reached a worker did not time out on its own SQL: say so.
    const { timeoutMs } = job;
    const ran = job.worker !== undefined;
    if (ran) {
      const fields = { event: 'query_timeout', tenant: job.tenantId, timeoutMs };
      this.logger.info(fields, 'query worker killed at deadline');
    }
    this.abandon(job, ran ? timedOut(timeoutMs) : noFreeWorker(timeoutMs));
  }

  private onCancel(job: Job): void {
    if (job.settled) return;
    if (job.worker !== undefined) {
      const fields = { event: 'query_cancelled', tenant: job.tenantId };
      this.logger.info(fields, 'query worker killed on cancel');
    }
    this.abandon(job, cancelled());
  }

  /** Fails `job`, killing the worker running it (and starting another) if it runs. */
  private abandon(job: Job, error: TenantMcpError): void {
    const worker = job.worker;
    if (worker !== undefined) this.replaceFor(worker, job.tenantId);
    this.fail(job, error);
    this.pump();
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    if (worker.state === 'retired') return;
    this.logger.warn({ event: 'query_worker_exit', code, signal }, 'query worker stopped');
    if (worker.state === 'starting') return this.onStartFailure(worker, workerFailed());
    const job = worker.job;
    if (job === undefined) {
      this.retire(worker);
      this.replenish();
    } else {
      this.replaceFor(worker, job.tenantId);
      this.fail(job, workerFailed());
    }
    this.afterWorkerLoss();
  }

  private onChildError(worker: Worker, error: Error): void {
    // Without a pid this is a failed spawn, which may never emit 'exit'. Other errors (a
    // failed kill or send) belong to a process whose 'exit' handler settles everything.
    if (worker.child.pid !== undefined) return;
    const code = (error as NodeJS.ErrnoException).code;
    this.logger.error({ event: 'query_worker_spawn_failed', code }, 'cannot start worker');
    this.onStartFailure(worker, workerFailed());
  }

  private onStartupTimeout(worker: Worker): void {
    if (worker.state !== 'starting') return;
    this.onStartFailure(worker, workerFailed());
  }

  private onStartFailure(worker: Worker, error: TenantMcpError): void {
    if (worker.state !== 'starting') return;
    this.logger.error({ event: 'query_worker_start_failed', code: error.code }, error.message);
    worker.settleReady(error);
    this.retire(worker);
    this.startError = error;
    this.startFailures += 1;
    if (this.startFailures >= MAX_START_FAILURES) this.retryAt = Date.now() + RETRY_AFTER_MS;
    else this.replenish();
    this.afterWorkerLoss();
  }

  /** Brings the pool back to its size, unless closed or backing off after failed starts. */
  private replenish(): void {
    while (this.canSpawn()) this.spawnWorker();
  }

  private canSpawn(): boolean {
    if (this.closed || Date.now() < this.retryAt) return false;
    return this.workers.size < this.limits.workers;
  }

  /**
   * Kills `worker`, lost under a call of `tenantId`, and starts its replacement charged to that
   * tenant until ready: the tenant that caused a restart pays for it with its own share of
   * the workers, so its calls cannot keep every worker restarting while others wait.
   */
  private replaceFor(worker: Worker, tenantId: string): void {
    this.retire(worker);
    if (!this.canSpawn()) return;
    const replacement = this.spawnWorker();
    replacement.chargedTo = tenantId;
    this.scheduler.chargeRestart(tenantId);
    this.replenish();
  }

  private releaseCharge(worker: Worker): void {
    if (worker.chargedTo === undefined) return;
    this.scheduler.releaseRestart(worker.chargedTo);
    worker.chargedTo = undefined;
  }

  private afterWorkerLoss(): void {
    if (this.workers.size > 0) return this.pump();
    for (const job of this.scheduler.drain()) this.fail(job, this.startError ?? noWorkers());
  }

  /** Hands waiting calls to idle workers, oldest first within the per-tenant worker cap. */
  private pump(): void {
    this.failLate();
    for (let worker = this.idleWorker(); worker !== undefined; worker = this.idleWorker()) {
      const job = this.scheduler.take();
      if (job === undefined) return;
      this.dispatch(worker, job);
    }
  }

  /** Fails calls past their start-by time whose timer has not fired yet (a busy event loop). */
  private failLate(): void {
    for (const job of this.scheduler.dropLate(performance.now())) {
      this.fail(job, noFreeWorker(job.timeoutMs));
    }
  }

  private dispatch(worker: Worker, job: Job): void {
    worker.state = 'busy';
    worker.job = job;
    job.worker = worker;
    setIdle(worker, false);
    // From now on the timer is the call's deadline, at which its worker is killed.
    clearTimeout(job.timer);
    job.timer = setTimeout(() => this.onDeadline(job), job.deadline - performance.now());
    send(worker.child, job.message);
  }

  private idleWorker(): Worker | undefined {
    for (const worker of this.workers) if (worker.state === 'idle') return worker;
    return undefined;
  }

  private retire(worker: Worker): void {
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

  private succeed(job: Job, result: QueryResult): void {
    if (this.settle(job)) job.resolve(result);
  }

  private fail(job: Job, error: TenantMcpError): void {
    if (this.settle(job)) job.reject(error);
  }

  /** Ends `job`'s accounting once; false if it was already settled. */
  private settle(job: Job): boolean {
    if (job.settled) return false;
    job.settled = true;
    clearTimeout(job.timer);
    this.scheduler.finish(job);
    return true;
  }
}

function resolvePerTenantWorkers({ limits, perTenantWorkers }: QueryPoolOptions): number {
  const n = limits.perTenantWorkers ?? perTenantWorkers ?? limits.workers;
  if (!Number.isInteger(n) || n < 1) throw new RangeError('perTenantWorkers must be at least 1');
  return n;
}

function pickRunLimits(limits: QueryConfig): WorkerSetup['limits'] {
  const { defaultRowLimit, maxRowLimit, maxResultBytes, maxCellChars } = limits;
  return { defaultRowLimit, maxRowLimit, maxResultBytes, maxCellChars };
}
