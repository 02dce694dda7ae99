import { asTenantMcpError, hasCode, type ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { resolveTenantFile } from '../tenancy/tenant-file.js';
import { migrationLabel, type Migration } from './catalog.js';
import {
  migrateTenantFile,
  migrationStatus,
  type MigrationOutcome,
  type MigrationStatus,
} from './migrate.js';

/** What to do with each tenant: migrate, say what would run, or read the ledger. */
export type TenantMode = 'migrate' | 'dry-run' | 'status';

/** The ledger of one tenant as migration labels (`0001_pm_schema`). */
export interface LedgerLists {
  readonly applied: string[];
  readonly pending: string[];
  readonly drifted: string[];
  /** In the ledger but unknown to this build, such as migrations of a newer tenant-mcp. */
  readonly unknown: string[];
}

/** A tenant as `status` finds it: current, with migrations pending, or drifted. */
export type StatusReport = {
  tenant: string;
  result: 'current' | 'pending' | 'drifted';
} & LedgerLists;

/** What one tenant's run did. A busy file is pending, with the reason, not failed. */
export type RunReport =
  | { tenant: string; result: 'migrated'; applied: string[]; adopted: string[] }
  | { tenant: string; result: 'current' }
  | { tenant: string; result: 'pending'; pending: string[]; code?: ErrorCode; reason?: string };

/** A tenant that could not be migrated or read, and why; the message never names a path. */
export interface FailedReport {
  tenant: string;
  result: 'failed';
  code: ErrorCode;
  reason: string;
  hint?: string;
}

export type TenantReport = RunReport | StatusReport | FailedReport;

/** How to reach each tenant's file. */
export interface TenantRunOptions {
  readonly dataRoot: string;
  readonly busyTimeoutMs: number;
  readonly logger: Logger;
  /** Tries after SQLITE_BUSY; the runner's default when left out. */
  readonly retries?: number;
  /** Try the write lock before any other work (see `migrateTenantFile`). */
  readonly lockFirst?: boolean;
}

/** Migrates (or reports on) one tenant; every failure becomes a report, never a throw. */
export function migrateTenant(
  tenant: string,
  migrations: Migration[],
  mode: TenantMode,
  options: TenantRunOptions,
): TenantReport {
  let file: string;
  try {
    file = resolveTenantFile(options.dataRoot, tenant).file;
  } catch (error) {
    return failed(tenant, error);
  }
  try {
    if (mode === 'status') {
      return statusReport(tenant, migrationStatus(file, migrations, options.busyTimeoutMs));
    }
    const logger = options.logger.child({ tenant });
    const { busyTimeoutMs, retries, lockFirst } = options;
    const run = { busyTimeoutMs, retries, lockFirst, logger, dryRun: mode === 'dry-run' };
    return runReport(tenant, migrateTenantFile(file, migrations, run));
  } catch (error) {
    if (!hasCode(error, 'TENANT_BUSY')) return failed(tenant, error);
    return busyReport(tenant, error, stillPending(file, migrations, options.busyTimeoutMs));
  }
}

/** True for the reports of `status`, which carry the tenant's whole ledger. */
export function isStatusReport(report: TenantReport): report is StatusReport {
  return 'unknown' in report;
}

function runReport(tenant: string, outcome: MigrationOutcome): RunReport {
  if (outcome.pending.length > 0) {
    return { tenant, result: 'pending', pending: outcome.pending.map(migrationLabel) };
  }
  if (outcome.applied.length === 0) return { tenant, result: 'current' };
  return {
    tenant,
    result: 'migrated',
    applied: outcome.applied.map(migrationLabel),
    adopted: outcome.applied.filter((m) => m.adopted).map(migrationLabel),
  };
}

function statusReport(tenant: string, status: MigrationStatus): StatusReport {
  const lists = {
    applied: status.applied.map(migrationLabel),
    pending: status.pending.map(migrationLabel),
    drifted: status.drifted.map(migrationLabel),
    unknown: status.unknown.map(migrationLabel),
  };
  if (lists.drifted.length > 0 || lists.unknown.length > 0) {
    return { tenant, result: 'drifted', ...lists };
  }
  return { tenant, result: lists.pending.length > 0 ? 'pending' : 'current', ...lists };
}

function busyReport(tenant: string, error: unknown, pending: string[]): RunReport {
  const { code, message } = asTenantMcpError(error);
  return { tenant, result: 'pending', pending, code, reason: message };
}

/** What a busy tenant still lacks: a read, which the host's write lock does not block in WAL. */
function stillPending(file: string, migrations: Migration[], busyTimeoutMs: number): string[] {
  try {
    return migrationStatus(file, migrations, busyTimeoutMs).pending.map(migrationLabel);
  } catch {
    // The tenant is reported pending with its reason either way; the list is a courtesy.
    return [];
  }
}

function failed(tenant: string, error: unknown): FailedReport {
  const { code, message, hint } = asTenantMcpError(error);
  return { tenant, result: 'failed', code, reason: message, ...(hint ? { hint } : {}) };
}
