import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VerificationKey } from '../../auth/keys.js';
import type { Config } from '../../config/load.js';
import type { HttpConfig } from '../../config/schema.js';
import type { Logger } from '../../log/logger.js';
import { QueryPool } from '../../query/pool.js';
import {
  boundedConnections,
  boundedMaxOpen,
  DEFAULT_FD_RESERVE,
  FDS_PER_TENANT,
  readFdLimit,
} from '../../tenancy/fd-limit.js';
import { firstUseMigrator, migrateAllAtStartup } from '../../tenancy/migrate-on-open.js';
import { TenantPool, type TenantMigrator } from '../../tenancy/tenant-pool.js';
import { HttpApp } from './app.js';
import { TokenVerifier } from './auth.js';
import { capConnections } from './connections.js';
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

// How long the 503 answers to calls past the grace may take to leave before connections go.
const CLOSING_ANSWER_MS = 1_000;

interface Parts {
  readonly server: Server;
  readonly port: number;
  readonly settings: HttpSettings;
  readonly app: HttpApp;
  readonly tenants: TenantPool;
  readonly queries: QueryPool;
}

/**
 * Binds the port first, so that a second instance on the same port fails before it opens any
 * tenant, and logs one `http_listening` line with the bound port. Then migrates every tenant
 * when migrations.onStartup says so (failures are logged, the server still starts) while MCP
 * requests get 503 SERVER_STARTING, and logs `http_ready` once it serves them.
 */
export async function startHttpService(
  config: Config,
  options: HttpServiceOptions,
): Promise<HttpService> {
  const { logger } = options;
  checkHttpConfig(config.http);
  // Reads the migration files only: a broken catalog stops startup before the port is taken.
  const migrate = firstUseMigrator(config, logger);
  const server = createBoundedServer();
  const port = await listen(server, config.http.host, config.http.port);

  // No await from listen to here: no request can arrive before the handler is attached.
  const parts = assemble(server, port, config, options, migrate);
  server.on('request', parts.app.handle);
  server.on('clientError', parts.app.clientError);
  logEvent(logger, 'http_listening', config.http, port);
  const service = serviceFor(parts, config, logger);

  if (config.migrations.onStartup) {
    try {
      await migrateAllAtStartup(config, logger);
    } catch (error) {
      await service.stop();
      throw error;
    }
  }
  parts.app.ready();
  logEvent(logger, 'http_ready', config.http, port);
  return service;
}

function assemble(
  server: Server,
  port: number,
  config: Config,
  options: HttpServiceOptions,
  migrate: TenantMigrator | undefined,
): Parts {
  const fdLimit = readFdLimit();
  const maxOpen = boundedMaxOpen(config.http.maxOpenTenants, fdLimit);
  warnIfFewDescriptors(fdLimit, maxOpen, config.http, options.logger);
  const maxConnections = boundedConnections(config.http.maxConnections, fdLimit, maxOpen);
  const connections = capConnections(server, maxConnections, options.logger);
  const queries = launchQueryPool(config, options);
  const tenants = openTenantPool(config, queries, options.logger, maxOpen, migrate);
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
    logger: options.logger,
    counters: () => ({
      connections: connections(),
      tenants: tenants.stats(),
      queries: queries.stats(),
    }),
  });
  return { server, port, settings, app, tenants, queries };
}

/** Operators and scripts wait for these lines (they carry the port); a buffer must not hold them. */
function logEvent(
  logger: Logger,
  event: 'http_listening' | 'http_ready',
  http: HttpConfig,
  port: number,
): void {
  const { host, path } = http;
  logger.info({ event, host, port, path }, event === 'http_ready' ? 'ready' : 'listening');
  logger.flush();
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

function openTenantPool(
  config: Config,
  queries: QueryPool,
  logger: Logger,
  maxOpen: number,
  migrate: TenantMigrator | undefined,
): TenantPool {
  return new TenantPool({
    dataRoot: config.dataRoot,
    queryPool: queries,
    logger,
    maxOpen,
    idleMs: config.http.tenantIdleMs,
    migrate,
  });
}

/**
 * Each request in progress may hold a socket and an evicted tenant's three descriptors besides
 * the open tenants': warns when the limit cannot cover that at full load.
 */
function warnIfFewDescriptors(
  fdLimit: number | undefined,
  maxOpen: number,
  http: HttpConfig,
  logger: Logger,
): void {
  const needed =
    FDS_PER_TENANT * (maxOpen + http.maxConcurrentRequests) +
    http.maxConcurrentRequests +
    DEFAULT_FD_RESERVE;
  if (fdLimit === undefined || fdLimit >= needed) return;
  logger.warn(
    { event: 'fd_limit_low', fdLimit, needed },
    'the file-descriptor limit may not cover http.maxConcurrentRequests at full load; raise ulimit -n',
  );
}

function serviceFor(parts: Parts, config: Config, logger: Logger): HttpService {
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
  return { host: config.http.host, port: parts.port, settings: parts.settings, stop, stopped };
}

/**
 * The order matters: refuse new work, let calls in progress finish (their tenants and query
 * workers are still open), answer what outlives the grace with SERVER_CLOSING and cut off the
 * rest, then close tenants and workers.
 */
async function shutdown(parts: Parts, graceMs: number, logger: Logger): Promise<void> {
  const { server, app, tenants, queries } = parts;
  logger.info({ event: 'http_stopping', inFlight: app.inFlight }, 'stopping');
  const closed = closeServer(server);
  const drained = await withinGrace(app.stopAccepting(), graceMs);
  if (!drained) {
    logger.warn({ event: 'http_grace_expired', inFlight: app.inFlight }, 'cut off');
    await withinGrace(app.answerClosing(), CLOSING_ANSWER_MS);
  }
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
