import { TenantMcpError } from '../../errors.js';

/** Counts for the health check. */
export interface LimitStats {
  /** Requests holding a slot now. */
  readonly active: number;
  /** Tenants with at least one request holding a slot. */
  readonly activeTenants: number;
  readonly refusedServer: number;
  readonly refusedTenant: number;
}

/**
 * Caps on requests in progress, overall and per tenant. A request over a cap is refused at
 * once (SERVER_OVERLOADED, TENANT_OVERLOADED), never queued: one tenant's burst cannot take
 * every slot, and a full server answers fast instead of piling up work.
 */
export class ConcurrencyLimits {
  readonly #maxTotal: number;
  readonly #maxPerTenant: number;
  readonly #perTenant = new Map<string, number>();
  #total = 0;
  #refusedServer = 0;
  #refusedTenant = 0;

  constructor(maxTotal: number, maxPerTenant: number) {
    this.#maxTotal = maxTotal;
    this.#maxPerTenant = maxPerTenant;
  }

  /** Takes a slot for `tenantId` and returns its release (idempotent); throws when full. */
  acquire(tenantId: string): () => void {
    if (this.#total >= this.#maxTotal) {
      this.#refusedServer += 1;
      throw overloaded('SERVER_OVERLOADED', 'the server is at its limit of requests in progress');
    }
    const held = this.#perTenant.get(tenantId) ?? 0;
    if (held >= this.#maxPerTenant) {
      this.#refusedTenant += 1;
      throw overloaded(
        'TENANT_OVERLOADED',
        "this tenant's requests in progress are at their limit",
      );
    }
    this.#total += 1;
    this.#perTenant.set(tenantId, held + 1);
    return this.#releaser(tenantId);
  }

  /** Current counts. */
  stats(): LimitStats {
    return {
      active: this.#total,
      activeTenants: this.#perTenant.size,
      refusedServer: this.#refusedServer,
      refusedTenant: this.#refusedTenant,
    };
  }

  #releaser(tenantId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total -= 1;
      const left = (this.#perTenant.get(tenantId) ?? 1) - 1;
      if (left === 0) this.#perTenant.delete(tenantId);
      else this.#perTenant.set(tenantId, left);
    };
  }
}

function overloaded(code: 'SERVER_OVERLOADED' | 'TENANT_OVERLOADED', message: string) {
  return new TenantMcpError(code, message, { hint: 'retry after the Retry-After delay' });
}
