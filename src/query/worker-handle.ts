import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TenantMcpError } from '../errors.js';
import type { ToWorker } from './protocol.js';

/** Where a worker is in its life. */
export type WorkerState = 'starting' | 'idle' | 'busy' | 'retired';

/** One worker process as the pool tracks it; `J` is the pool's job type. */
export interface Worker<J> {
  readonly child: ChildProcess;
  state: WorkerState;
  job: J | undefined;
  /** While starting: the tenant whose killed call this worker replaces, charged for it. */
  chargedTo: string | undefined;
  startupTimer: NodeJS.Timeout | undefined;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  settleReady(error?: TenantMcpError): void;
}

/** Tracks a freshly spawned worker: `ready` settles on its first answer, `exited` on exit. */
export function newWorker<J>(child: ChildProcess): Worker<J> {
  let settle: (error?: TenantMcpError) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  // A replacement's failed start is handled through events; nobody awaits its promise.
  ready.catch(() => {});
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => {
      if (child.pid === undefined) resolve();
    });
  });
  return {
    child,
    state: 'starting',
    job: undefined,
    chargedTo: undefined,
    startupTimer: undefined,
    ready,
    exited,
    settleReady: settle,
  };
}

/** Idle workers must not keep the parent alive; busy ones must, until they answer. */
export function setIdle(worker: Worker<unknown>, idle: boolean): void {
  const { child } = worker;
  if (idle) {
    child.unref();
    child.channel?.unref();
  } else {
    child.ref();
    child.channel?.ref();
  }
}

/** Sends a message unless the channel is closed. */
export function send(child: ChildProcess, message: ToWorker): void {
  // A closed channel means the worker is gone; its 'exit' handler settles the call.
  if (child.connected) child.send(message, undefined, {}, () => {});
}

/** The programs a worker is started with on this machine. */
export function findTools(): { node: string; shell: string; setpriv?: string } {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  return { node: process.execPath, shell: '/bin/sh', ...(setpriv ? { setpriv } : {}) };
}
