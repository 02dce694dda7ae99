import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Config } from '../../config/load.js';
import { createLogger, type LogLevel } from '../../log/logger.js';
import { loadMigrations } from '../../migrations/catalog.js';
import {
  isStatusReport,
  migrateTenant,
  type RunReport,
  type StatusReport,
  type TenantMode,
  type TenantReport,
} from '../../migrations/tenants.js';
import { parseTenantId } from '../../tenancy/tenant-id.js';
import { listTenantIds } from '../../tenancy/tenant-file.js';
import type { Io } from '../io.js';

interface MigrateFlags {
  tenant: string | undefined;
  status: boolean;
  dryRun: boolean;
  json: boolean;
}

/** The end of a run: counts by result, and every tenant's report (the JSON summary). */
export interface MigrateSummary {
  mode: TenantMode;
  tenants: number;
  migrated: number;
  current: number;
  pending: number;
  drifted: number;
  failed: number;
  reports: TenantReport[];
}

// Without a terminal, progress is a line per this many tenants, so CI logs stay short.
const PROGRESS_EVERY = 200;

/**
 * Migrates (or, with --dry-run or --status, reports on) every tenant or one. Progress goes to
 * stderr, the report to stdout. Exit code 1 when a tenant failed (or, with --status, drifted).
 */
export async function runMigrate(config: Config, flags: MigrateFlags, io: Io): Promise<number> {
  const mode: TenantMode = flags.status ? 'status' : flags.dryRun ? 'dry-run' : 'migrate';
  const migrations = loadMigrations(config.migrations.dir);
  const tenants =
    flags.tenant === undefined ? listTenantIds(config.dataRoot) : [parseTenantId(flags.tenant)];
  const options = {
    dataRoot: config.dataRoot,
    busyTimeoutMs: config.migrations.busyTimeoutMs,
    logger: createLogger(quieter(config.log.level)),
  };

  const progress = progressOn(io.stderr, tenants.length);
  const reports: TenantReport[] = [];
  for (const tenant of tenants) {
    reports.push(progress.count(migrateTenant(tenant, migrations, mode, options)));
    // Lets a stop signal end the run between tenants instead of after the last one.
    await nextTurn();
  }
  progress.finish();

  const summary = summarize(mode, reports);
  io.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : textReport(summary));
  return summary.failed > 0 || (mode === 'status' && summary.drifted > 0) ? 1 : 0;
}

/** Counts by result; `pending` holds busy tenants and, in a dry run, those with work to do. */
export function summarize(mode: TenantMode, reports: TenantReport[]): MigrateSummary {
  const count = (result: TenantReport['result']): number =>
    reports.filter((r) => r.result === result).length;
  return {
    mode,
    tenants: reports.length,
    migrated: count('migrated'),
    current: count('current'),
    pending: count('pending'),
    drifted: count('drifted'),
    failed: count('failed'),
    reports,
  };
}

// Each applied migration logs at info; the report already says it once per tenant.
function quieter(level: LogLevel): LogLevel {
  return level === 'info' ? 'warn' : level;
}

interface Progress {
  count(report: TenantReport): TenantReport;
  finish(): void;
}

/**
 * Progress on stderr for runs over more than one tenant: rewritten in place on a terminal,
 * otherwise a line every PROGRESS_EVERY tenants and one at the end.
 */
function progressOn(stream: Writable, total: number): Progress {
  const terminal = (stream as Writable & { isTTY?: boolean }).isTTY === true;
  const step = terminal ? Math.max(1, Math.floor(total / 100)) : PROGRESS_EVERY;
  const tally = { done: 0, failed: 0, pending: 0, written: 0 };
  const write = (): void => {
    stream.write(terminal ? `\r${progressLine(tally, total)}` : `${progressLine(tally, total)}\n`);
    tally.written = tally.done;
  };
  return {
    count(report) {
      tally.done += 1;
      if (report.result === 'failed') tally.failed += 1;
      if (report.result === 'pending') tally.pending += 1;
      if (total > 1 && tally.done % step === 0) write();
      return report;
    },
    finish() {
      if (total > 1 && tally.written !== tally.done) write();
      if (terminal && total > 1) stream.write('\n');
    },
  };
}

function progressLine(tally: { done: number; failed: number; pending: number }, total: number) {
  return `migrate: ${tally.done}/${total} tenants (${tally.failed} failed, ${tally.pending} pending)`;
}

/** One line per tenant that needs attention (every tenant for --status), then the counts. */
function textReport(summary: MigrateSummary): string {
  const shown =
    summary.mode === 'status'
      ? summary.reports
      : summary.reports.filter((r) => r.result !== 'current');
  const lines = shown.map((r) => `${r.tenant}: ${describe(r, summary.mode)}`);
  lines.push(countsLine(summary));
  return `${lines.join('\n')}\n`;
}

function describe(report: TenantReport, mode: TenantMode): string {
  if (isStatusReport(report)) return statusText(report);
  switch (report.result) {
    case 'migrated': {
      const adopted = report.adopted.length ? ` (adopted ${report.adopted.join(', ')})` : '';
      return `migrated ${report.applied.join(', ')}${adopted}`;
    }
    case 'current':
      return 'already current';
    case 'pending':
      return pendingText(report, mode);
    case 'failed':
      return `FAILED ${report.code}: ${report.reason}${report.hint ? ` (${report.hint})` : ''}`;
  }
}

function pendingText(report: RunReport & { result: 'pending' }, mode: TenantMode): string {
  const migrations = report.pending.join(', ');
  if (mode === 'dry-run') return `would apply ${migrations}`;
  return `pending ${migrations || '(unknown)'}: ${report.code}: ${report.reason}; migrate again`;
}

function statusText(report: StatusReport): string {
  const parts: string[] = [report.result];
  if (report.drifted.length) parts.push(`drifted ${report.drifted.join(', ')}`);
  if (report.unknown.length) parts.push(`unknown ${report.unknown.join(', ')}`);
  if (report.pending.length) parts.push(`pending ${report.pending.join(', ')}`);
  parts.push(`applied ${report.applied.join(', ') || 'none'}`);
  return parts.join('; ');
}

function countsLine(s: MigrateSummary): string {
  const tenants = `${s.tenants} ${s.tenants === 1 ? 'tenant' : 'tenants'}`;
  switch (s.mode) {
    case 'status':
      return (
        `${tenants}: ${s.current} current, ${s.pending} with pending migrations, ` +
        `${s.drifted} drifted, ${s.failed} failed`
      );
    case 'dry-run':
      return (
        `${tenants}: ${s.pending} would be migrated, ${s.current} already current, ` +
        `${s.failed} failed (dry run: nothing was changed)`
      );
    case 'migrate':
      return (
        `${tenants}: ${s.migrated} migrated, ${s.current} already current, ` +
        `${s.pending} pending, ${s.failed} failed`
      );
  }
}
