import { TenantMcpError } from '../errors.js';
import type { QueryConnection } from './connection.js';
import { openQueryConnection } from './connection.js';
import { queryFailure, redactPaths } from './failure.js';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import { toWire, WORKER_FLAG } from './protocol.js';
import { runQuery } from './run.js';

/**
 * The child process a QueryPool starts: one hardened connection, one query at a time.
 * It imports only the query engine and better-sqlite3 (no zod, no logger) so it starts
 * fast; it never writes to stdout or stderr and reports everything over IPC.
 */

type Send = (message: FromWorker, then?: () => void) => void;

/** Serves queries arriving on the IPC channel until the parent goes away. */
export function serveQueries(): void {
  const send: Send = (message, then) => {
    process.send?.(message, undefined, {}, () => then?.());
  };
  let session: QueryConnection | undefined;
  let setup: WorkerSetup | undefined;

  // The parent exited or closed the channel: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ToWorker) => {
    if (message.t === 'open') {
      setup = message.setup;
      session = open(setup, send);
    } else if (session !== undefined && setup !== undefined) {
      answer(session, setup, message, send);
    }
  });
}

function open(setup: WorkerSetup, send: Send): QueryConnection | undefined {
  try {
    const session = openQueryConnection(setup.file, { cacheSizeKiB: setup.cacheSizeKiB });
    send({ t: 'ready' });
    return session;
  } catch (error) {
    const message = redactPaths(
      error instanceof Error ? error.message : 'open failed',
      setup.redact,
    );
    const failure = new TenantMcpError(
      'TENANT_FILE_UNREADABLE',
      `the tenant file could not be opened: ${message}`,
    );
    send({ t: 'open-failed', error: toWire(failure) }, () => process.exit(1));
    return undefined;
  }
}

function answer(
  session: QueryConnection,
  setup: WorkerSetup,
  message: Extract<ToWorker, { t: 'run' }>,
  send: Send,
): void {
  const { id } = message;
  let reply: FromWorker;
  try {
    const result = runQuery(session.db, message.request, setup.limits, setup.redact);
    reply = { t: 'result', id, json: JSON.stringify(result) };
  } catch (error) {
    const failure = queryFailure(error, setup.redact);
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

if (process.argv[2] === WORKER_FLAG && process.send !== undefined) serveQueries();
