import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MigrateSummary } from '../../src/cli/commands/migrate.js';
import { createHostFile, ledgerOf, platformRowsOf, useTempDir, withDb } from './fixtures.js';
import {
  SLOW_LABELS,
  integrityOf,
  slowEffectsOf,
  slowMigrations,
  spawnMigrate,
  writeChildConfig,
} from './processes.js';

// Two `tenant-mcp migrate` processes over the same tenant files while a third process, the
// host, keeps writing to a platform table of each. Migration 0003 takes long enough that the
// two migrators meet on the same file and wait for each other's write lock.

const ROWS = 30_000;
const TENANTS = ['t1', 't2', 't3'];
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

// Inserts into audit_log of each file in turn until `stop` exists, then prints the counts.
const HOST_WRITER = `
const Database = require(process.argv[1]);
const { existsSync } = require('node:fs');
const [files, stop] = [JSON.parse(process.argv[2]), process.argv[3]];
const inserts = files.map((f) =>
  new Database(f, { timeout: 20000 }).prepare('INSERT INTO audit_log (entry) VALUES (?)'));
const writes = files.map(() => 0);
process.stderr.write('ready\\n');
for (let i = 0; !existsSync(stop); i++) {
  inserts[i % files.length].run('host write ' + i);
  writes[i % files.length] += 1;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}
process.stdout.write(JSON.stringify(writes));
`;

function startHost(files: string[], stop: string) {
  const host = spawn(
    process.execPath,
    ['-e', HOST_WRITER, BETTER_SQLITE3, JSON.stringify(files), stop],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  host.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const ready = new Promise<void>((done) => host.stderr.once('data', () => done()));
  const writes = new Promise<number[]>((done) =>
    host.on('close', () => done(JSON.parse(stdout) as number[])),
  );
  return { ready, writes };
}

function auditRows(file: string): number {
  return Number(withDb(file, (db) => db.prepare('SELECT count(*) FROM audit_log').pluck().get()));
}

describe('two migrators at once, with the host writing', () => {
  const tempDir = useTempDir();

  it('applies every migration exactly once to every file, and neither migrator fails', async () => {
    const root = tempDir();
    const files = TENANTS.map((id) => {
      mkdirSync(join(root, 'tenants', id), { recursive: true });
      return createHostFile(join(root, 'tenants', id));
    });
    const rowsBefore = files.map((file) => ({ ...platformRowsOf(file), audit_log: [] }));
    const config = writeChildConfig(root, slowMigrations(root, ROWS));
    const stop = join(root, 'stop');
    const host = startHost(files, stop);
    await host.ready;

    const runs = await Promise.all(
      [spawnMigrate(config, ['--json']), spawnMigrate(config, ['--json'])].map((c) => c.finished),
    );
    writeFileSync(stop, '');
    const writes = await host.writes;

    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [0, 'migrate: 3/3 tenants (0 failed, 0 pending)\n'],
      [0, 'migrate: 3/3 tenants (0 failed, 0 pending)\n'],
    ]);
    const summaries = runs.map((r) => JSON.parse(r.stdout) as MigrateSummary);
    TENANTS.forEach((tenant, index) => {
      const applied = summaries.flatMap((s) =>
        s.reports.flatMap((r) => (r.tenant === tenant && r.result === 'migrated' ? r.applied : [])),
      );
      expect(applied.sort(), tenant).toEqual(SLOW_LABELS);
      const file = files[index] ?? '';
      expect(ledgerOf(file)?.map((row) => row.id)).toEqual([1, 2, 3, 4]);
      expect(slowEffectsOf(file, ROWS)).toEqual([1, 2, 3, 4]);
      expect(integrityOf(file)).toBe('ok');
      expect({ ...platformRowsOf(file), audit_log: [] }).toEqual(rowsBefore[index]);
      // The one row the fixture's trigger wrote, and every row the host wrote meanwhile.
      expect(writes[index]).toBeGreaterThan(0);
      expect(auditRows(file)).toBe(1 + (writes[index] ?? 0));
    });
  });
});
