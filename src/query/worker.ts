import path from 'node:path';
import { TenantMcpError } from '../errors.js';
import type { QueryConnection } from './connection.js';
import { queryFailure, redactPaths } from './failure.js';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import { toWire, WORKER_FLAG } from './protocol.js';
import { runQuery } from './run.js';
import { TenantConnections } from './tenant-connections.js';

/**
 * The child process a QueryPool starts: one query at a time, for whichever tenant file the
 * pool names, on a hardened connection kept per file. It imports only the query engine and
 * better-sqlite3 (no zod, no logger) so it starts fast; it never writes to stdout or stderr
 * and reports everything over IPC.
 */

type Send = (message: FromWorker, then?: () => void) => void;
type Run = Extract<ToWorker, { t: 'run' }>;

interface Served {
  setup: WorkerSetup;
  connections: TenantConnections;
}

/** Serves queries arriving on the IPC channel until the parent goes away. */
export function serveQueries(): void {
  const send: Send = (message, then) => {
    process.send?.(message, undefined, {}, () => then?.());
  };
  let served: Served | undefined;

  // The parent exited or closed the channel: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ToWorker) => {
    if (message.t === 'setup') served = setUp(message.setup, send);
    else if (message.t === 'run' && served !== undefined) answer(served, message, send);
    else if (message.t === 'forget') served?.connections.forget(message.file);
  });
}

function setUp(setup: WorkerSetup, send: Send): Served {
  const connections = new TenantConnections({
    max: setup.maxConnections,
    cacheSizeKiB: setup.cacheSizeKiB,
  });
  const served = { setup, connections };
  const opened = setup.open === undefined ? undefined : connect(served, setup.open);
  const openError = opened instanceof TenantMcpError ? toWire(opened) : undefined;
  send(openError === undefined ? { t: 'ready' } : { t: 'ready', openError });
  return served;
}

/** The connection to `file`, or TENANT_FILE_UNREADABLE without any path in its message. */
function connect({ setup, connections }: Served, file: string): QueryConnection | TenantMcpError {
  try {
    return connections.get(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'open failed';
    const message = redactPaths(reason, redactionFor(setup, file));
    return new TenantMcpError(
      'TENANT_FILE_UNREADABLE',
      `the tenant file could not be opened: ${message}`,
    );
  }
}

function answer(served: Served, message: Run, send: Send): void {
  const { id, file } = message;
  const session = connect(served, file);
  if (session instanceof TenantMcpError) {
    return send({ t: 'error', id, error: toWire(session), exit: false });
  }
  const redact = redactionFor(served.setup, file);
  let reply: FromWorker;
  try {
    const result = runQuery(session.db, message.request, served.setup.limits, redact);
    reply = { t: 'result', id, json: JSON.stringify(result) };
  } catch (error) {
    const failure = queryFailure(error, redact);
    // After SQLITE_NOMEM the C heap stays fragmented near the cap; a fresh worker is cheaper.
    const exit = failure.sqliteCode === 'SQLITE_NOMEM';
    reply = { t: 'error', id, error: toWire(failure), exit };
  }
  // Checked after failures too: a query could change the connection and then fail.
  const broken = brokenConnection(session);
  if (broken !== undefined) reply = { t: 'error', id, error: toWire(broken), exit: true };
  const exit = reply.t === 'error' && reply.exit;
  send(reply, () => {
    if (exit) process.exit(1);
  });
}

function brokenConnection(session: QueryConnection): TenantMcpError | undefined {
  try {
    session.verify();
    return undefined;
  } catch (error) {
    return queryFailure(error);
  }
}

/** The tenant file, its folder, the tenants folder and the data root, then the setup's. */
function redactionFor(setup: WorkerSetup, file: string): string[] {
  const out = [file];
  for (let dir = path.dirname(file); out.length < 4 && dir !== path.dirname(dir);) {
    out.push(dir);
    dir = path.dirname(dir);
  }
  return [...out, ...setup.redact];
}

if (process.argv[2] === WORKER_FLAG && process.send !== undefined) serveQueries();
