import path from 'node:path';
import type { QueryConfig } from '../config/schema.js';
import type { TenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { type Answer, type FleetStats, WorkerFleet } from './fleet.js';
import { checkQueryText } from './gate.js';
import { toBindParams } from './params.js';
import type { ToWorker } from './protocol.js';
import { fromWire } from './protocol.js';
import type { QueryRequest, QueryResult, QueryRunner } from './run.js';
import { resolveRowLimit } from './run.js';
import {
  cancelled,
  noFreeWorker,
  poolClosed,
  resolveTimeout,
  timedOut,
  workerFailed,
} from './pool-errors.js';
import { latestStart, Scheduler, type SchedulerStats } from './scheduler.js';
import { send, type Worker as WorkerHandle } from './worker-handle.js';

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
export interface QueryPoolStats extends FleetStats, SchedulerStats {}

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
  private readonly scheduler: Scheduler<Job>;
  private readonly fleet: WorkerFleet<Job>;
  private nextId = 1;

  private readonly limits: QueryConfig;
  private readonly logger: Logger;

  private constructor(options: QueryPoolOptions) {
    const { limits } = options;
    this.limits = limits;
    this.logger = options.logger;
    this.scheduler = new Scheduler({
      maxQueue: options.maxQueue ?? limits.maxQueue,
      perTenantQueue: limits.perTenantQueue,
      perTenantWorkers: resolvePerTenantWorkers(options),
    });
    // The scheduler books each replacement worker against the tenant whose call it replaces.
    this.fleet = new WorkerFleet<Job>(options, this.scheduler, {
      ready: () => this.pump(),
      answer: (worker, message) => this.onAnswer(worker, message),
      lost: (job) => this.onWorkerLost(job),
    });
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
    setImmediate(() => pool.fleet.replenish());
    return pool;
  }

  /** Starts `limits.workers` workers and resolves once each is ready (and has opened `file`). */
  static async start(options: QueryPoolOptions): Promise<QueryPool> {
    const pool = new QueryPool(options);
    const starting = Array.from({ length: options.limits.workers }, () => pool.fleet.spawn());
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
    this.fleet.broadcast(message);
  }

  /** Counts of workers and calls right now; cheap enough for every health check. */
  stats(): QueryPoolStats {
    return { ...this.fleet.stats(), ...this.scheduler.stats() };
  }

  /** Kills every worker, fails pending calls, and resolves when all workers have exited. */
  async close(): Promise<void> {
    for (const job of this.scheduler.drain()) this.fail(job, poolClosed());
    await Promise.all(this.fleet.close((job) => this.fail(job, poolClosed())));
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
    if (this.fleet.closed) throw poolClosed();
    const timeoutMs = resolveTimeout(request.timeoutMs, this.limits);
    // Checked here as well as in the worker: bad input fails fast and never reaches IPC.
    checkQueryText(request.sql);
    toBindParams(request.params);
    resolveRowLimit(request.maxRows, this.limits);
    this.fleet.replenish();
    if (this.fleet.size === 0) throw this.fleet.unavailable();
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

  private onAnswer(worker: Worker, message: Answer): void {
    const job = worker.job;
    if (job === undefined || job.id !== message.id) return;
    worker.job = undefined;
    if (message.t === 'result') this.succeed(job, JSON.parse(message.json) as QueryResult);
    else this.fail(job, fromWire(message.error));
    if (message.t === 'error' && message.exit) {
      this.fleet.recycle(worker, job.tenantId, message.error);
    } else {
      this.fleet.free(worker);
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
    if (worker !== undefined) this.fleet.replaceFor(worker, job.tenantId);
    this.fail(job, error);
    this.pump();
  }

  /** A worker stopped for good: fails the call it held, and every waiting one if none is left. */
  private onWorkerLost(job: Job | undefined): void {
    if (job !== undefined) this.fail(job, workerFailed());
    if (this.fleet.size > 0) return this.pump();
    for (const waiting of this.scheduler.drain()) this.fail(waiting, this.fleet.unavailable());
  }

  /** Hands waiting calls to idle workers, oldest first within the per-tenant worker cap. */
  private pump(): void {
    this.failLate();
    for (let worker = this.fleet.idle(); worker !== undefined; worker = this.fleet.idle()) {
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
    this.fleet.assign(worker, job);
    job.worker = worker;
    // From now on the timer is the call's deadline, at which its worker is killed.
    clearTimeout(job.timer);
    job.timer = setTimeout(() => this.onDeadline(job), job.deadline - performance.now());
    send(worker.child, job.message);
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
