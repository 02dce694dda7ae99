import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openReadOnly, type Connection } from '../../src/db/open.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadMigrations } from '../../src/migrations/catalog.js';
import { migrateTenantFile } from '../../src/migrations/migrate.js';
import type { QueryRequest, QueryResult } from '../../src/query/run.js';
import { runQuery } from '../../src/query/run.js';
import { MIGRATIONS_DIR, createHostFile } from '../migrations/fixtures.js';

/** A migrated tenant file with one project, ACME, whose items a test adds. */
export interface DomainTenant {
  /** The server's own read-only connection, as `TenantContext.db`. */
  db: Connection;
  /** A stand-in for the query pool that runs each statement in process and records it. */
  pool: RecordingRunner;
  /** A writable connection for the test's own rows. */
  writer: Database.Database;
  close(): void;
}

/** Runs each request like a query worker would, and keeps its SQL. */
export interface RecordingRunner {
  run(request: QueryRequest): Promise<QueryResult>;
  readonly calls: string[];
}

export const LIMITS = {
  defaultRowLimit: 200,
  maxRowLimit: 5000,
  maxResultBytes: 1_000_000,
  maxCellChars: 2000,
};

/** A fresh tenant file in a fresh folder, migrated, holding project ACME and user Ada. */
export function openDomainTenant(): DomainTenant {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-mcp-domain-'));
  const file = createHostFile(dir);
  migrateTenantFile(file, loadMigrations(MIGRATIONS_DIR), {
    busyTimeoutMs: 1000,
    logger: silentLogger(),
  });
  const writer = new Database(file);
  writer.exec(`INSERT INTO pm_projects (id, title, key, created_at, updated_at)
    VALUES ('p-acme', 'Acme', 'ACME', 1700000000, 1700000000)`);
  const db = openReadOnly(file, 'acme', 0);
  const worker = new Database(file, { readonly: true });
  const calls: string[] = [];
  const pool: RecordingRunner = {
    calls,
    run: async (request) => {
      calls.push(request.sql);
      return runQuery(worker, request, LIMITS);
    },
  };
  return {
    db,
    pool,
    writer,
    close: () => {
      worker.close();
      db.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Adds work item ACME-`n` (a task, assigned to Ada) and returns its id. */
export function addItem(
  writer: Database.Database,
  n: number,
  fields: { parent?: string; status?: string; deletedAt?: number } = {},
): string {
  const id = `item-${n}`;
  writer
    .prepare(
      `INSERT INTO pm_work_items (id, item_type, parent_id, project_id, title, status,
         story_points, assignee_id, item_number, created_at, updated_at, deleted_at)
       VALUES (?, 'task', ?, 'p-acme', ?, ?, 3, 'u-ada', ?, 1700000000, 1700000000, ?)`,
    )
    .run(
      id,
      fields.parent ?? null,
      `Item ${n}`,
      fields.status ?? 'todo',
      n,
      fields.deletedAt ?? null,
    );
  return id;
}
