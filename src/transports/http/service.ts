import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VerificationKey } from '../../auth/keys.js';
import type { Config } from '../../config/load.js';
import type { Logger } from '../../log/logger.js';
import { QueryPool } from '../../query/pool.js';
import { boundedMaxOpen, readFdLimit } from '../../tenancy/fd-limit.js';
import { firstUseMigrator, migrateAllAtStartup } from '../../tenancy/migrate-on-open.js';
import { TenantPool } from '../../tenancy/tenant-pool.js';
import { HttpApp } from './app.js';
import { TokenVerifier } from './auth.js';
import { ConcurrencyLimits } from './limits.js';
import { closeServer, createBoundedServer, listen } from './listen.js';
import { checkHttpConfig, resolveHttpSettings, type HttpSettings } from './settings.js';

/** What `startHttpService` needs besides the config. */
export interface HttpServiceOptions {
  readonly key: VerificationKey;
  readonly logger: Logger;
  /** The compiled query worker; tests running from src/ pass dist/query/worker.js. */
  readonly workerPath?: string;
}

/** A running HTTP server for every tenant under the data root. */
export interface HttpService {
  readonly host: string;
  /** The bound port (the ephemeral one when http.port is 0). */
  readonly port: number;
  readonly settings: HttpSettings;
  /**
   * Stops accepting, lets requests in progress finish within http.shutdownGraceMs (then cuts
   * them off), and closes every tenant handle and the query pool. Idempotent.
   */
  stop(): Promise<void>;
  /** Settles once `stop` has finished, rejecting if it failed. */
  readonly stopped: Promise<void>;
}

interface Parts {
  readonly server: Server;
  readonly port: number;
  readonly app: HttpApp;
  readonly tenants: TenantPool;
  readonly queries: QueryPool;
}

/**
 * Migrates every tenant when migrations.onStartup says so (failures are logged, the server
 * still starts), then listens. Logs one `http_listening` line with the bound port.
 */
export async function startHttpService(
  config: Config,
  options: HttpServiceOptions,
): Promise<HttpService> {
  const { logger } = options;
  checkHttpConfig(config.http);
  if (config.migrations.onStartup) await migrateAllAtStartup(config, logger);

  const queries = launchQueryPool(config, options);
  const tenants = openTenantPool(config, queries, logger);
  const server = createBoundedServer();
  let port: number;
  try {
    port = await listen(server, config.http.host, config.http.port);
  } catch (error) {
    await Promise.all([tenants.close(), queries.close()]);
    throw error;
  }

  const settings = resolveHttpSettings(config.http, port);
  const app = new HttpApp({
    http: config.http,
    settings,
    verifier: new TokenVerifier(options.key, config.auth),
    limits: new ConcurrencyLimits(
      config.http.maxConcurrentRequests,
      config.http.maxConcurrentRequestsPerTenant,
    ),
    tenants,
    queryLimits: config.query,
    logger,
    counters: () => ({ tenants: tenants.stats(), queries: queries.stats() }),
  });
  server.on('request', app.handle);
  const { host, path } = config.http;
  logger.info({ event: 'http_listening', host, port, path }, 'listening');
  // Operators and scripts wait for this line (it carries the port); a buffered log must not hold it.
  logger.flush();
  return serviceFor({ server, port, app, tenants, queries }, settings, config, logger);
}

function launchQueryPool(config: Config, options: HttpServiceOptions): QueryPool {
  return QueryPool.launch({
    limits: config.query,
    logger: options.logger,
    redact: [config.dataRoot],
    // One worker stays free of any single tenant unless the config says otherwise.
    perTenantWorkers: Math.max(1, config.query.workers - 1),
    ...(options.workerPath === undefined ? {} : { workerPath: options.workerPath }),
  });
}

function openTenantPool(config: Config, queries: QueryPool, logger: Logger): TenantPool {
  return new TenantPool({
    dataRoot: config.dataRoot,
    queryPool: queries,
    logger,
    maxOpen: boundedMaxOpen(config.http.maxOpenTenants, readFdLimit()),
    idleMs: config.http.tenantIdleMs,
    migrate: firstUseMigrator(config, logger),
  });
}

function serviceFor(
  parts: Parts,
  settings: HttpSettings,
  config: Config,
  logger: Logger,
): HttpService {
  let stopping: Promise<void> | undefined;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const stopped = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const stop = (): Promise<void> => {
    if (stopping === undefined) {
      stopping = shutdown(parts, config.http.shutdownGraceMs, logger);
      stopping.then(settle.resolve, settle.reject);
    }
    return stopping;
  };
  return { host: config.http.host, port: parts.port, settings, stop, stopped };
}

/**
 * The order matters: refuse new work, let calls in progress finish (their tenants and query
 * workers are still open), cut off what outlives the grace, then close tenants and workers.
 */
async function shutdown(parts: Parts, graceMs: number, logger: Logger): Promise<void> {
  const { server, app, tenants, queries } = parts;
  logger.info({ event: 'http_stopping', inFlight: app.inFlight }, 'stopping');
  const closed = closeServer(server);
  const drained = await withinGrace(app.stopAccepting(), graceMs);
  if (!drained) logger.warn({ event: 'http_grace_expired', inFlight: app.inFlight }, 'cut off');
  server.closeAllConnections();
  await closed;
  await tenants.close();
  await queries.close();
  logger.info({ event: 'http_stopped' }, 'stopped');
  logger.flush();
}

/** True when `work` settles within `graceMs`, false when the grace runs out first. */
async function withinGrace(work: Promise<void>, graceMs: number): Promise<boolean> {
  const timer = new AbortController();
  const expired = sleep(graceMs, false, { signal: timer.signal }).catch(() => false);
  try {
    return await Promise.race([work.then(() => true), expired]);
  } finally {
    timer.abort();
  }
}
