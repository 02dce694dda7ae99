import type { Config } from '../../config/load.js';
import { asTenantMcpError } from '../../errors.js';
import { createLogger, type Logger } from '../../log/logger.js';
import { loadMigrations, migrationLabel, type Migration } from '../../migrations/catalog.js';
import { migrateTenantFile, migrationStatus } from '../../migrations/migrate.js';
import { listTenantIds, resolveTenantFile } from '../../tenancy/tenant-file.js';
import type { Io } from '../io.js';

interface MigrateFlags {
  tenant: string | undefined;
  status: boolean;
  dryRun: boolean;
  json: boolean;
}

type TenantReport =
  | { tenant: string; result: 'migrated'; applied: string[] }
  | { tenant: string; result: 'current' }
  | { tenant: string; result: 'pending'; pending: string[] }
  | {
      tenant: string;
      result: 'status';
      applied: string[];
      pending: string[];
      drifted: string[];
      unknown: string[];
    }
  | { tenant: string; result: 'failed'; code: string; reason: string };

/** Migrates (or reports on) every tenant or one; exit code 1 when any tenant failed. */
export async function runMigrate(config: Config, flags: MigrateFlags, io: Io): Promise<number> {
  const logger = createLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  const migrations = loadMigrations(config.migrations.dir);
  const tenants = flags.tenant === undefined ? listTenantIds(config.dataRoot) : [flags.tenant];

  const reports: TenantReport[] = [];
  for (const [index, tenant] of tenants.entries()) {
    reports.push(migrateOne(config, tenant, migrations, flags, logger));
    io.stderr.write(`\rmigrate: ${index + 1}/${tenants.length} tenants`);
  }
  io.stderr.write('\n');

  io.stdout.write(
    flags.json ? `${JSON.stringify(summary(reports), null, 2)}\n` : textReport(reports),
  );
  return reports.some((r) => r.result === 'failed') ? 1 : 0;
}

function migrateOne(
  config: Config,
  tenant: string,
  migrations: Migration[],
  flags: MigrateFlags,
  logger: Logger,
): TenantReport {
  try {
    const { file } = resolveTenantFile(config.dataRoot, tenant);
    if (flags.status) return statusReport(tenant, file, migrations);
    const outcome = migrateTenantFile(file, migrations, {
      busyTimeoutMs: config.migrations.busyTimeoutMs,
      logger: logger.child({ tenant }),
      dryRun: flags.dryRun,
    });
    if (flags.dryRun && outcome.pending.length > 0) {
      return { tenant, result: 'pending', pending: outcome.pending.map(label) };
    }
    if (outcome.applied.length > 0) {
      return { tenant, result: 'migrated', applied: outcome.applied.map(label) };
    }
    return { tenant, result: 'current' };
  } catch (error) {
    const known = asTenantMcpError(error);
    return { tenant, result: 'failed', code: known.code, reason: known.message };
  }
}

function statusReport(tenant: string, file: string, migrations: Migration[]): TenantReport {
  const status = migrationStatus(file, migrations);
  return {
    tenant,
    result: 'status',
    applied: status.applied.map(label),
    pending: status.pending.map(label),
    drifted: status.drifted.map(label),
    unknown: status.unknown.map(label),
  };
}

function label(m: { id: number; name: string }): string {
  return migrationLabel(m);
}

function summary(reports: TenantReport[]) {
  const count = (result: TenantReport['result']) =>
    reports.filter((r) => r.result === result).length;
  return {
    tenants: reports.length,
    migrated: count('migrated'),
    current: count('current'),
    pending: count('pending'),
    failed: count('failed'),
    reports,
  };
}

function textReport(reports: TenantReport[]): string {
  const lines = reports.map(reportLine);
  const s = summary(reports);
  lines.push(
    `${s.tenants} tenants: ${s.migrated} migrated, ${s.current} already current, ` +
      `${s.pending} pending, ${s.failed} failed`,
  );
  return `${lines.join('\n')}\n`;
}

function reportLine(r: TenantReport): string {
  switch (r.result) {
    case 'migrated':
      return `${r.tenant}: migrated (${r.applied.join(', ')})`;
    case 'current':
      return `${r.tenant}: already current`;
    case 'pending':
      return `${r.tenant}: would apply ${r.pending.join(', ')}`;
    case 'status':
      return (
        `${r.tenant}: applied [${r.applied.join(', ')}] pending [${r.pending.join(', ')}]` +
        (r.drifted.length ? ` drifted [${r.drifted.join(', ')}]` : '') +
        (r.unknown.length ? ` unknown [${r.unknown.join(', ')}]` : '')
      );
    case 'failed':
      return `${r.tenant}: FAILED ${r.code}: ${r.reason}`;
  }
}
