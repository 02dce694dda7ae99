import type { VerifiedToken } from '../auth/verify-token.js';
import type { Config } from '../config/load.js';
import { openReadOnly, type Connection } from '../db/open.js';
import type { Logger } from '../log/logger.js';
import type { TenantContext } from '../mcp/context.js';
import { loadMigrations } from '../migrations/catalog.js';
import { migrateTenantFile } from '../migrations/migrate.js';
import { QueryPool } from '../query/pool.js';
import { resolveTenantFile } from './tenant-file.js';

/** An open tenant: its context for the MCP surface and the one way to release it. */
// Over stdio the thread serves this one tenant: a short wait for the host's lock beats an error.
const STDIO_BUSY_TIMEOUT_MS = 5_000;

export interface TenantSession {
  readonly context: TenantContext;
  close(): Promise<void>;
}

/** Rarely needed knobs; tests running from src/ point the pool at the compiled worker. */
export interface SessionOptions {
  workerPath?: string;
}

/**
 * Opens one tenant for serving: resolves and checks its file, migrates the pm_ schema when
 * the config says so, then opens the introspection connection and launches the query pool.
 */
export async function openTenantSession(
  config: Config,
  token: VerifiedToken,
  logger: Logger,
  options: SessionOptions = {},
): Promise<TenantSession> {
  const { tenantId, file } = resolveTenantFile(config.dataRoot, token.tenantId);
  const log = logger.child({ tenant: tenantId });

  if (config.migrations.onStartup) {
    const migrations = loadMigrations(config.migrations.dir);
    migrateTenantFile(file, migrations, {
      busyTimeoutMs: config.migrations.busyTimeoutMs,
      logger: log,
    });
  }

  // Opening this connection proves the file readable, so the query workers are not awaited:
  // two process starts would otherwise stand between the client and its first answer.
  const db = openReadOnly(file, tenantId, STDIO_BUSY_TIMEOUT_MS);
  let pool: QueryPool;
  try {
    // The one tenant may use every worker; its file is opened as each worker starts.
    pool = QueryPool.launch({
      file,
      limits: config.query,
      perTenantWorkers: config.query.workers,
      logger,
      redact: [config.dataRoot],
      ...(options.workerPath === undefined ? {} : { workerPath: options.workerPath }),
    });
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    context: {
      tenantId,
      expiresAt: token.expiresAt + config.auth.clockToleranceSeconds,
      db,
      queries: pool.forTenant(tenantId, file),
      limits: config.query,
      logger: log,
    },
    close: () => closeAll(db, pool),
  };
}

async function closeAll(db: Connection, pool: QueryPool): Promise<void> {
  try {
    await pool.close();
  } finally {
    db.close();
  }
}
