import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MigrationsConfig } from '../config/schema.js';
import { TenantMcpError, asTenantMcpError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { loadMigrations, type Migration } from '../migrations/catalog.js';
import { migrateTenantFile, migrationStatus } from '../migrations/migrate.js';
import { migrateTenant, type TenantReport } from '../migrations/tenants.js';
import { listTenantIds } from './tenant-file.js';
import type { TenantMigrator } from './tenant-pool.js';

/** The config a migration on open or at startup needs. */
export interface MigrationSettings {
  readonly dataRoot: string;
  readonly migrations: MigrationsConfig;
}

/** Counts of one startup run over every tenant. */
export interface StartupMigrationSummary {
  tenants: number;
  migrated: number;
  current: number;
  /** Busy tenants: the host held the write lock; first use (or the next run) tries again. */
  pending: number;
  failed: number;
}

/** Knobs of the first-use migrator; tests pass a fake clock. */
export interface FirstUseOptions {
  /** After TENANT_BUSY, leases of that tenant fail at once for this long. */
  readonly busyCooldownMs?: number;
  /** Milliseconds since the epoch; defaults to Date.now. */
  readonly now?: () => number;
}

/**
 * How long a tenant found busy on first use is refused without trying, by default. A busy
 * tenant is not tried again at once: each try opens the file and reads its ledger on the
 * server's only thread. The HTTP transport's Retry-After for TENANT_BUSY follows it.
 */
export const FIRST_USE_BUSY_COOLDOWN_MS = 5_000;

/**
 * The pool's `migrate` callback when `migrations.onFirstUse` is set, else undefined. Loads the
 * migrations once, now. The runner is synchronous, so on the server's only thread it never
 * waits: a read of the ledger (which the host's writes do not block in WAL mode) finds most
 * files current and takes no lock. Otherwise it tries the write lock before quick_check or any
 * other work, without any busy wait or retry: a file the host is writing fails the lease with
 * TENANT_BUSY at once rather than serving a schema the tools do not expect. For
 * `busyCooldownMs` after that, leases of that tenant get TENANT_BUSY without trying; then the
 * next lease tries again. A file that is not busy is checked and migrated in this thread.
 */
export function firstUseMigrator(
  settings: MigrationSettings,
  logger: Logger,
  options: FirstUseOptions = {},
): TenantMigrator | undefined {
  if (!settings.migrations.onFirstUse) return undefined;
  const migrations = loadMigrations(settings.migrations.dir);
  const cooldown = busyCooldown(options);
  return (tenantId, file) => {
    cooldown.check(tenantId);
    const log = logger.child({ tenant: tenantId });
    try {
      if (isCurrent(file, migrations)) return;
      const options = { busyTimeoutMs: 0, retries: 0, lockFirst: true, logger: log };
      migrateTenantFile(file, migrations, options);
    } catch (error) {
      const { code } = asTenantMcpError(error);
      if (code === 'TENANT_BUSY') cooldown.start(tenantId);
      log.warn({ code }, 'first-use migration did not complete; tenant not opened');
      throw error;
    }
  };
}

/**
 * True when the ledger holds exactly the known migrations; read-only, no busy wait. Anything
 * else (pending, drifted or unknown rows) is left to the runner, which reports it.
 */
function isCurrent(file: string, migrations: Migration[]): boolean {
  const status = migrationStatus(file, migrations, 0);
  return status.pending.length + status.drifted.length + status.unknown.length === 0;
}

interface BusyCooldown {
  /** Throws TENANT_BUSY while `tenantId` is cooling down. */
  check(tenantId: string): void;
  start(tenantId: string): void;
}

function busyCooldown(options: FirstUseOptions): BusyCooldown {
  const ms = options.busyCooldownMs ?? FIRST_USE_BUSY_COOLDOWN_MS;
  const now = options.now ?? Date.now;
  // Only tenants whose file exists reach the migrator, so this holds at most one per tenant.
  const until = new Map<string, number>();
  return {
    check(tenantId) {
      const end = until.get(tenantId);
      if (end === undefined) return;
      if (now() < end) throw stillBusy();
      until.delete(tenantId);
    },
    start(tenantId) {
      if (ms > 0) until.set(tenantId, now() + ms);
    },
  };
}

function stillBusy(): TenantMcpError {
  return new TenantMcpError(
    'TENANT_BUSY',
    'tenant file was locked by another connection just now',
    {
      hint: 'the host is writing to this tenant file; try again in a few seconds',
    },
  );
}

/**
 * Migrates every tenant under the data root, one after another, while the server answers
 * health checks and refuses MCP requests as starting. A tenant that fails or is busy is logged
 * (code and reason, no path) and counted; the run goes on. Throws only when the migrations or
 * the tenants folder cannot be read.
 *
 * Like a first-use migration, it never waits for the host's write lock: SQLite's busy wait
 * blocks the server's only thread, which a file locked by the host held for its whole busy
 * timeout and retries, health checks and stop signals included. A busy tenant stays pending
 * for its first use (or the next run).
 */
export async function migrateAllAtStartup(
  settings: MigrationSettings,
  logger: Logger,
): Promise<StartupMigrationSummary> {
  const migrations = loadMigrations(settings.migrations.dir);
  const options = {
    dataRoot: settings.dataRoot,
    busyTimeoutMs: 0,
    retries: 0,
    lockFirst: true,
    logger,
  };
  const summary = { tenants: 0, migrated: 0, current: 0, pending: 0, failed: 0 };
  for (const tenant of listTenantIds(settings.dataRoot)) {
    count(summary, logReport(migrateTenant(tenant, migrations, 'migrate', options), logger));
    // Lets a stop signal end startup between tenants.
    await nextTurn();
  }
  logger.info(summary, 'startup migrations done');
  return summary;
}

function count(summary: StartupMigrationSummary, report: TenantReport): void {
  summary.tenants += 1;
  if (report.result === 'drifted') return;
  summary[report.result] += 1;
}

function logReport(report: TenantReport, logger: Logger): TenantReport {
  const tenant = report.tenant;
  if (report.result === 'failed') {
    const { code, reason } = report;
    logger.warn({ tenant, code, reason }, 'tenant not migrated at startup');
  } else if (report.result === 'pending' && 'code' in report) {
    const { code, reason } = report;
    logger.warn({ tenant, code, reason }, 'tenant busy at startup; migrations still pending');
  }
  return report;
}
