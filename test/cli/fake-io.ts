import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { Io } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { MIGRATIONS_DIR, createHostFile } from '../migrations/fixtures.js';

/** What a CLI run printed and returned. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of a fake terminal. */
export interface IoOptions {
  env?: Record<string, string>;
  /** Make stderr claim to be a terminal, as process.stderr does on a TTY. */
  stderrIsTty?: boolean;
}

/** Runs the CLI in-process with `argv`, capturing stdout and stderr. */
export async function runCli(cwd: string, argv: string[], options: IoOptions = {}): Promise<Ran> {
  const out = { stdout: '', stderr: '' };
  const stderr = capture((text) => (out.stderr += text));
  if (options.stderrIsTty) Object.assign(stderr, { isTTY: true });
  const io = {
    argv,
    env: options.env ?? {},
    cwd,
    execPath: process.execPath,
    scriptPath: join(cwd, 'tenant-mcp.js'),
    stdin: Readable.from([]),
    stdout: capture((text) => (out.stdout += text)),
    stderr,
    onStopSignal: () => undefined,
  };
  const code = await run(io satisfies Io);
  return { code, ...out };
}

function capture(append: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      append(chunk.toString());
      done();
    },
  });
}

/**
 * Writes `<root>/mcp.config.json` for a data root at `root`; `migrations` names the folder
 * of migrations (the shipped ones by default).
 */
export function writeConfig(
  root: string,
  extra: { busyTimeoutMs?: number; migrationsDir?: string; logLevel?: string } = {},
): string {
  const file = join(root, 'mcp.config.json');
  const config = {
    dataRoot: root,
    auth: { algorithms: ['HS256'], secretEnv: 'TENANT_MCP_JWT_SECRET' },
    migrations: {
      dir: extra.migrationsDir ?? MIGRATIONS_DIR,
      busyTimeoutMs: extra.busyTimeoutMs ?? 1000,
    },
    log: { level: extra.logLevel ?? 'silent' },
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Creates `<root>/tenants/<id>/main.db` as a small host file for each id; returns the files. */
export function addHostTenants(root: string, ids: string[]): Record<string, string> {
  return Object.fromEntries(ids.map((id) => [id, createHostFile(tenantDir(root, id))]));
}

/** Creates each tenant as a copy of `template`. */
export function copyTenants(root: string, template: string, ids: string[]): void {
  for (const id of ids) copyFileSync(template, join(tenantDir(root, id), 'main.db'));
}

/** Creates and returns `<root>/tenants/<id>`. */
export function tenantDir(root: string, id: string): string {
  const dir = join(root, 'tenants', id);
  mkdirSync(dir, { recursive: true });
  return dir;
}
