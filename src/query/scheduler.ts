import { overloaded, tenantOverloaded } from './pool-errors.js';

/** The bounds a Scheduler keeps. */
export interface SchedulerLimits {
  /** Calls waiting for a worker, all tenants together; beyond that, QUERY_OVERLOADED. */
  maxQueue: number;
  /** Calls one tenant may have running or waiting; beyond that, QUERY_OVERLOADED. */
  perTenantQueue: number;
  /** Workers one tenant's calls may hold at once, replacements it caused included. */
  perTenantWorkers: number;
}

/** A call as the scheduler sees it. */
export interface Scheduled {
  readonly tenantId: string;
  /** The last moment (on the clock `take` and `dropLate` are given) the call may start. */
  readonly startBy: number;
}

/**
 * How much of its time a call must have left to be handed to a worker. A call that runs out
 * on a worker has the worker killed, and its replacement takes about 75 ms to start, on a
 * CPU the other tenants share. A light query's round trip through a worker takes about 1 ms
 * on an idle host and about 20 ms on two cores busy with restarts: with less than 25 ms
 * left, a call mostly ends in that kill instead of an answer.
 */
export const START_FLOOR_MS = 25;

/**
 * The last moment a call of `timeoutMs` added at `now` may start: `START_FLOOR_MS` before
 * its deadline, or half its time for a short call, so that a call of the smallest allowed
 * time limit still runs when a worker is free at once.
 */
export function latestStart(now: number, timeoutMs: number): number {
  return now + timeoutMs - Math.min(START_FLOOR_MS, timeoutMs / 2);
}

/**
 * One tenant's calls: `running` on a worker, `pending` running or waiting, and `restarting`:
 * replacements still starting for workers killed under its calls.
 */
interface TenantLoad {
  running: number;
  pending: number;
  restarting: number;
}

/** Counts for `QueryPool.stats`. */
export interface SchedulerStats {
  queued: number;
  /** Tenants with a call running or waiting, or a replacement worker still starting. */
  tenants: number;
  /** The most workers one tenant holds right now (restarting ones included), at most the cap. */
  maxTenantRunning: number;
  /** Replacement workers still starting, each charged to the tenant whose call was killed. */
  restartsCharged: number;
  perTenantWorkers: number;
}

/**
 * The calls waiting for a worker, oldest first, and what each tenant has running or waiting.
 * The next call to run is the oldest one whose tenant holds fewer than `perTenantWorkers`
 * workers, so a tenant running heavy queries cannot take every worker while others wait. A
 * worker being replaced because a tenant's call was killed on it counts as held by that
 * tenant until the replacement is ready: a tenant whose calls keep timing out restarts at
 * most its own share of the workers. Only tenants with calls or restarts in flight are tracked.
 */
export class Scheduler<J extends Scheduled> {
  private readonly waiting: J[] = [];
  private readonly running = new Set<J>();
  private readonly loads = new Map<string, TenantLoad>();

  constructor(private readonly limits: SchedulerLimits) {}

  /** Throws QUERY_OVERLOADED when the tenant or the queue has no room for another call. */
  admit(tenantId: string): void {
    const pending = this.loads.get(tenantId)?.pending ?? 0;
    if (pending >= this.limits.perTenantQueue) throw tenantOverloaded(this.limits.perTenantQueue);
    if (this.waiting.length >= this.limits.maxQueue) throw overloaded();
  }

  /** Puts an admitted call at the back of the queue. */
  add(job: J): void {
    this.waiting.push(job);
    this.loadOf(job.tenantId).pending += 1;
  }

  /** Takes the call that runs next and counts it as running, or undefined if none may. */
  take(): J | undefined {
    const next = this.waiting.findIndex((job) => this.hasRoom(job.tenantId));
    const [job] = next === -1 ? [] : this.waiting.splice(next, 1);
    if (job === undefined) return undefined;
    this.running.add(job);
    this.loadOf(job.tenantId).running += 1;
    return job;
  }

  /** Takes out of the queue every waiting call past its `startBy`; each must still be finished. */
  dropLate(now: number): J[] {
    const late = this.waiting.filter((job) => job.startBy < now);
    for (const job of late) this.leaveQueue(job);
    return late;
  }

  /** Takes every waiting call out of the queue; each must still be finished. */
  drain(): J[] {
    return this.waiting.splice(0);
  }

  /** Forgets a settled call, whether it was waiting, running or drained. */
  finish(job: J): void {
    const load = this.loadOf(job.tenantId);
    if (this.running.delete(job)) load.running -= 1;
    else this.leaveQueue(job);
    load.pending -= 1;
    this.forgetIfIdle(job.tenantId, load);
  }

  /** Counts a replacement worker against `tenantId` until `releaseRestart` is called for it. */
  chargeRestart(tenantId: string): void {
    this.loadOf(tenantId).restarting += 1;
  }

  /** The replacement charged to `tenantId` is ready, or will not start: its share is free again. */
  releaseRestart(tenantId: string): void {
    const load = this.loads.get(tenantId);
    if (load === undefined || load.restarting === 0) return;
    load.restarting -= 1;
    this.forgetIfIdle(tenantId, load);
  }

  stats(): SchedulerStats {
    let maxTenantRunning = 0;
    let restartsCharged = 0;
    for (const load of this.loads.values()) {
      maxTenantRunning = Math.max(maxTenantRunning, load.running + load.restarting);
      restartsCharged += load.restarting;
    }
    const { perTenantWorkers } = this.limits;
    return {
      queued: this.waiting.length,
      tenants: this.loads.size,
      maxTenantRunning,
      restartsCharged,
      perTenantWorkers,
    };
  }

  private hasRoom(tenantId: string): boolean {
    const load = this.loadOf(tenantId);
    return load.running + load.restarting < this.limits.perTenantWorkers;
  }

  private leaveQueue(job: J): void {
    const at = this.waiting.indexOf(job);
    if (at !== -1) this.waiting.splice(at, 1);
  }

  private forgetIfIdle(tenantId: string, load: TenantLoad): void {
    if (load.pending === 0 && load.restarting === 0) this.loads.delete(tenantId);
  }

  private loadOf(tenantId: string): TenantLoad {
    let load = this.loads.get(tenantId);
    if (load === undefined) {
      load = { running: 0, pending: 0, restarting: 0 };
      this.loads.set(tenantId, load);
    }
    return load;
  }
}
