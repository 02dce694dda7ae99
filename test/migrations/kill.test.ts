import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { migrateTenantFile } from '../../src/migrations/migrate.js';
import { buildTestRoot } from '../support/demo-root.js';
import { ledgerOf, useTempDir, withDb } from './fixtures.js';
import {
  integrityOf,
  platformDigest,
  slowEffectsOf,
  slowMigrations,
  spawnMigrate,
  stderrShows,
  writeChildConfig,
} from './processes.js';

// A migrator is killed (SIGKILL, no chance to clean up) at random moments of a run over a
// copy of a realistic tenant file: a demo tenant as the host has it before tenant-mcp ever
// ran, that is, without pm_ tables. Afterwards the file must be sound, every platform row
// intact, and the file before or after each whole migration, which a rerun completes.

const ROWS = 60_000;
const KILLS = 4;
// After the first migration commits, the kill comes within this many milliseconds: long
// enough to land inside 0003 or 0004 or after the run, by chance.
const KILL_WINDOW_MS = 400;

let scratch = '';
let template = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tenant-mcp-kill-'));
  const demo = buildTestRoot(0.1);
  try {
    template = join(scratch, 'host.db');
    copyFileSync(demo.tenants[0]?.file ?? '', template);
  } finally {
    demo.remove();
  }
  withDb(template, (db) => {
    db.pragma('foreign_keys = OFF');
    const pm = db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'pm\\_%' ESCAPE '\\'`,
      )
      .pluck()
      .all() as string[];
    for (const table of pm) db.exec(`DROP TABLE "${table}"`);
    db.pragma('wal_checkpoint(TRUNCATE)');
  });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

describe('a migrator killed during a run', () => {
  const tempDir = useTempDir();

  it.each(Array.from({ length: KILLS }, (_, i) => [i + 1]))(
    'leaves the file sound and between whole migrations (kill %i)',
    async () => {
      const root = tempDir();
      mkdirSync(join(root, 'tenants', 'acme'), { recursive: true });
      const file = join(root, 'tenants', 'acme', 'main.db');
      copyFileSync(template, file);
      const migrationsDir = slowMigrations(root, ROWS);
      const platformBefore = platformDigest(file);
      const delayMs = Math.floor(Math.random() * KILL_WINDOW_MS);

      const child = spawnMigrate(writeChildConfig(root, migrationsDir, 'debug'), [
        '--tenant',
        'acme',
      ]);
      await stderrShows(child, '"msg":"migration applied"');
      await sleep(delayMs);
      child.process.kill('SIGKILL');
      await child.finished;

      const at = `killed ${delayMs} ms after migration 1`;
      expect(integrityOf(file), at).toBe('ok');
      expect(platformDigest(file), at).toBe(platformBefore);
      const ledger = ledgerOf(file)?.map((row) => row.id) ?? [];
      expect(slowEffectsOf(file, ROWS), at).toEqual(ledger);

      const rerun = migrateTenantFile(file, loadMigrations(migrationsDir), {
        busyTimeoutMs: 1000,
        logger: silentLogger(),
      });
      expect(
        rerun.applied.map((m) => m.id),
        at,
      ).toEqual([1, 2, 3, 4].filter((id) => !ledger.includes(id)));
      expect(ledgerOf(file)?.map((row) => row.id)).toEqual([1, 2, 3, 4]);
      expect(slowEffectsOf(file, ROWS)).toEqual([1, 2, 3, 4]);
      expect(integrityOf(file)).toBe('ok');
      expect(platformDigest(file)).toBe(platformBefore);
    },
  );
});
