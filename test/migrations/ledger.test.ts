import { describe, expect, it } from 'vitest';
import type { Migration } from '../../src/migrations/catalog.js';
import {
  compareLedger,
  createLedger,
  hasLedger,
  readLedger,
  recordMigration,
  type LedgerRow,
} from '../../src/migrations/ledger.js';
import { createHostFile, useTempDir, withDb } from './fixtures.js';

function migration(id: number, checksum: string): Migration {
  return { id, name: `m${id}`, sql: '', checksum };
}

function row(id: number, checksum: string): LedgerRow {
  return { id, name: `m${id}`, checksum, appliedAt: 1_750_000_000, durationMs: 3 };
}

describe('the ledger table', () => {
  const tempDir = useTempDir();

  it('is absent from a host file until created', () => {
    const file = createHostFile(tempDir());

    expect(withDb(file, (db) => [hasLedger(db), readLedger(db)])).toEqual([false, null]);
  });

  it('returns recorded rows ordered by id', () => {
    const file = createHostFile(tempDir());
    const rows = withDb(file, (db) => {
      createLedger(db);
      createLedger(db);
      recordMigration(db, row(2, 'b'));
      recordMigration(db, row(1, 'a'));
      return readLedger(db);
    });

    expect(rows).toEqual([row(1, 'a'), row(2, 'b')]);
  });

  it('reads a ledger another migrator creates just after the first read found none', () => {
    const file = createHostFile(tempDir());
    const rows = withDb(file, (db) => {
      const prepare = db.prepare.bind(db);
      let otherMigratorDone = false;
      // The first prepare fails for want of the table; then the other migrator commits.
      db.prepare = ((sql: string) => {
        try {
          return prepare(sql);
        } catch (error) {
          if (!otherMigratorDone) {
            otherMigratorDone = true;
            withDb(file, (other) => {
              createLedger(other);
              recordMigration(other, row(1, 'a'));
            });
          }
          throw error;
        }
      }) as typeof db.prepare;
      return readLedger(db);
    });

    expect(rows).toEqual([row(1, 'a')]);
  });

  it('leaves the host user_version alone', () => {
    const file = createHostFile(tempDir());

    const version = withDb(file, (db) => {
      createLedger(db);
      recordMigration(db, row(1, 'a'));
      return db.pragma('user_version', { simple: true });
    });

    expect(version).toBe(7);
  });
});

describe('compareLedger', () => {
  const known = [migration(1, 'a'), migration(2, 'b'), migration(3, 'c')];

  it('puts unrecorded migrations in pending, in order', () => {
    const comparison = compareLedger([row(1, 'a')], known);

    expect(comparison.applied).toEqual([row(1, 'a')]);
    expect(comparison.pending.map((m) => m.id)).toEqual([2, 3]);
    expect(comparison.drifted).toEqual([]);
    expect(comparison.unknown).toEqual([]);
  });

  it('sorts changed checksums into drifted and foreign ids into unknown', () => {
    const comparison = compareLedger([row(1, 'a'), row(2, 'changed'), row(7, 'x')], known);

    expect(comparison.applied.map((r) => r.id)).toEqual([1]);
    expect(comparison.drifted.map((r) => r.id)).toEqual([2]);
    expect(comparison.unknown.map((r) => r.id)).toEqual([7]);
    expect(comparison.pending.map((m) => m.id)).toEqual([3]);
  });
});
