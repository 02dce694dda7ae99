import type { Connection } from '../db/open.js';
import type { Migration } from './catalog.js';

/**
 * The ledger of applied migrations lives in a pm_ table of its own: `PRAGMA user_version`
 * belongs to the host, which may use it for its own schema.
 */
export const LEDGER_TABLE = 'pm_schema_migrations';

/** One ledger row: a migration applied to this file. */
export interface LedgerRow {
  readonly id: number;
  readonly name: string;
  readonly checksum: string;
  /** Unix seconds. */
  readonly appliedAt: number;
  readonly durationMs: number;
}

/** A migration as named in reports. */
export interface MigrationRef {
  readonly id: number;
  readonly name: string;
}

/** The ledger held against the migrations this build knows. */
export interface LedgerComparison {
  /** Ledger rows whose checksum matches a known migration. */
  readonly applied: LedgerRow[];
  /** Known migrations without a ledger row, in order. */
  readonly pending: Migration[];
  /** Ledger rows whose checksum differs from the known migration of the same id. */
  readonly drifted: LedgerRow[];
  /** Ledger rows for ids this build does not know, such as those of a newer tenant-mcp. */
  readonly unknown: LedgerRow[];
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL
)`;

/** True when the file has a ledger table. */
export function hasLedger(db: Connection): boolean {
  const sql = `SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?`;
  return db.prepare(sql).pluck().get(LEDGER_TABLE) !== undefined;
}

/**
 * The ledger rows ordered by id, or null when the file has no ledger yet. Most files have
 * one, so the rows are read first and the table's existence is checked only if that fails.
 */
export function readLedger(db: Connection): LedgerRow[] | null {
  try {
    return ledgerRows(db);
  } catch {
    if (!hasLedger(db)) return null;
    // Outside a transaction the two reads see different moments: another migrator may have
    // created the ledger in between. Read again; a ledger that was there all along fails the
    // same way twice.
    return ledgerRows(db);
  }
}

function ledgerRows(db: Connection): LedgerRow[] {
  const sql = `SELECT id, name, checksum, applied_at AS appliedAt, duration_ms AS durationMs
    FROM main.${LEDGER_TABLE} ORDER BY id`;
  return db.prepare(sql).all() as LedgerRow[];
}

/** Creates the ledger table if it is missing; call inside the migration transaction. */
export function createLedger(db: Connection): void {
  db.exec(CREATE_LEDGER);
}

/** Records one applied migration. */
export function recordMigration(db: Connection, row: LedgerRow): void {
  const sql = `INSERT INTO main.${LEDGER_TABLE} (id, name, checksum, applied_at, duration_ms)
    VALUES (?, ?, ?, ?, ?)`;
  db.prepare(sql).run(row.id, row.name, row.checksum, row.appliedAt, row.durationMs);
}

/** Sorts ledger rows and known migrations into applied, pending, drifted and unknown. */
export function compareLedger(ledger: LedgerRow[], migrations: Migration[]): LedgerComparison {
  const known = new Map(migrations.map((m) => [m.id, m]));
  const recorded = new Set(ledger.map((row) => row.id));
  return {
    applied: ledger.filter((row) => known.get(row.id)?.checksum === row.checksum),
    pending: migrations.filter((m) => !recorded.has(m.id)),
    drifted: ledger.filter(
      (row) => known.has(row.id) && known.get(row.id)?.checksum !== row.checksum,
    ),
    unknown: ledger.filter((row) => !known.has(row.id)),
  };
}
