import { overloaded, tenantOverloaded } from './pool-errors.js';

/** The bounds a Scheduler keeps. */
export interface SchedulerLimits {
  /** Calls waiting for a worker, all tenants together; beyond that, QUERY_OVERLOADED. */
  maxQueue: number;
  /** Calls one tenant may have running or waiting; beyond that, QUERY_OVERLOADED. */
  perTenantQueue: number;
  /** Workers one tenant's calls may hold at once. */
  perTenantWorkers: number;
}

/** A call as the scheduler sees it. */
export interface Scheduled {
  readonly tenantId: string;
}

/** One tenant's calls: `running` on a worker, `pending` running or waiting. */
interface TenantLoad {
  running: number;
  pending: number;
}

/** Counts for `QueryPool.stats`. */
export interface SchedulerStats {
  queued: number;
  /** Tenants with a call running or waiting. */
  tenants: number;
  /** The most workers one tenant holds right now, at most `perTenantWorkers`. */
  maxTenantRunning: number;
  perTenantWorkers: number;
}

/**
 * The calls waiting for a worker, oldest first, and what each tenant has running or waiting.
 * The next call to run is the oldest one whose tenant holds fewer than `perTenantWorkers`
 * workers, so a tenant running heavy queries cannot take every worker while others wait.
 * Only tenants with calls in flight are tracked.
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
    this.loadOf(job).pending += 1;
  }

  /** Takes the call that runs next and counts it as running, or undefined if none may. */
  take(): J | undefined {
    const { perTenantWorkers } = this.limits;
    const next = this.waiting.findIndex((job) => this.loadOf(job).running < perTenantWorkers);
    const [job] = next === -1 ? [] : this.waiting.splice(next, 1);
    if (job === undefined) return undefined;
    this.running.add(job);
    this.loadOf(job).running += 1;
    return job;
  }

  /** Takes every waiting call out of the queue; each must still be finished. */
  drain(): J[] {
    return this.waiting.splice(0);
  }

  /** Forgets a settled call, whether it was waiting, running or drained. */
  finish(job: J): void {
    const load = this.loadOf(job);
    if (this.running.delete(job)) load.running -= 1;
    else this.leaveQueue(job);
    load.pending -= 1;
    if (load.pending === 0) this.loads.delete(job.tenantId);
  }

  stats(): SchedulerStats {
    let maxTenantRunning = 0;
    for (const load of this.loads.values()) {
      maxTenantRunning = Math.max(maxTenantRunning, load.running);
    }
    const { perTenantWorkers } = this.limits;
    return {
      queued: this.waiting.length,
      tenants: this.loads.size,
      maxTenantRunning,
      perTenantWorkers,
    };
  }

  private leaveQueue(job: J): void {
    const at = this.waiting.indexOf(job);
    if (at !== -1) this.waiting.splice(at, 1);
  }

  private loadOf(job: J): TenantLoad {
    let load = this.loads.get(job.tenantId);
    if (load === undefined) {
      load = { running: 0, pending: 0 };
      this.loads.set(job.tenantId, load);
    }
    return load;
  }
}
