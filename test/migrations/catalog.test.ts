import { describe, expect, it } from 'vitest';
import { loadMigrations, migrationChecksum, migrationLabel } from '../../src/migrations/catalog.js';
import { MIGRATIONS_DIR, failureOf, useTempDir, writeMigrations } from './fixtures.js';

describe('loadMigrations', () => {
  const tempDir = useTempDir();

  it('reads the shipped migrations in order with their checksums', () => {
    const migrations = loadMigrations(MIGRATIONS_DIR);

    expect(migrations.map((m) => [m.id, m.name])).toEqual([
      [1, 'pm_schema'],
      [2, 'pm_llm_context_seed'],
    ]);
    for (const m of migrations) expect(m.checksum).toBe(migrationChecksum(m.sql));
    expect(migrations[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('orders migrations by number, not by the order the folder lists them', () => {
    const folder = writeMigrations(tempDir(), {
      '0002_second.sql': 'SELECT 2;',
      '0001_first.sql': 'SELECT 1;',
      '0003_third.sql': 'SELECT 3;',
    });

    expect(loadMigrations(folder).map((m) => m.name)).toEqual(['first', 'second', 'third']);
  });

  it('gives CRLF and LF copies of a migration the same text and checksum', () => {
    const [lf] = loadMigrations(
      writeMigrations(tempDir(), { '0001_a.sql': 'SELECT 1;\nSELECT 2;\n' }),
    );
    const [crlf] = loadMigrations(
      writeMigrations(tempDir(), { '0001_a.sql': 'SELECT 1;\r\nSELECT 2;\r\n' }, 'crlf'),
    );

    expect(crlf?.sql).toBe('SELECT 1;\nSELECT 2;\n');
    expect(crlf?.checksum).toBe(lf?.checksum);
  });

  it('computes the checksum as sha256 hex of the text', () => {
    expect(migrationChecksum('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(migrationChecksum('SELECT 1;\r\n')).toBe(migrationChecksum('SELECT 1;\n'));
  });

  it('names migrations as NNNN_name', () => {
    expect(migrationLabel({ id: 7, name: 'add_labels' })).toBe('0007_add_labels');
  });

  it.each([
    ['a file that is not NNNN_name.sql', { '0001_a.sql': '', 'README.md': '' }],
    ['an upper-case name', { '0001_Add.sql': '' }],
    ['a duplicate number', { '0001_a.sql': '', '0001_b.sql': '' }],
    ['a gap in the numbers', { '0001_a.sql': '', '0003_c.sql': '' }],
    ['numbers that do not start at 1', { '0002_b.sql': '' }],
    ['numbers that start at 0', { '0000_zero.sql': '', '0001_a.sql': '' }],
    ['no migrations at all', {}],
  ])('refuses a folder with %s', (_, files) => {
    const folder = writeMigrations(tempDir(), files);

    expect(failureOf(() => loadMigrations(folder)).code).toBe('MIGRATIONS_INVALID');
  });

  it('refuses a folder that does not exist', () => {
    expect(failureOf(() => loadMigrations(`${tempDir()}/absent`)).code).toBe('MIGRATIONS_INVALID');
  });

  it('refuses a migration holding a COMMIT, which would commit before the platform check', () => {
    const folder = writeMigrations(tempDir(), {
      '0001_commits.sql': 'CREATE TABLE pm_a (id TEXT);\nCOMMIT;\nDROP TABLE users;\n',
    });

    const error = failureOf(() => loadMigrations(folder));

    expect(error.code).toBe('MIGRATIONS_INVALID');
    expect(error.message).toBe(
      'migration 0001_commits contains a COMMIT statement; ' +
        'the runner gives each migration its own transaction',
    );
  });

  it('says which file is out of place', () => {
    const folder = writeMigrations(tempDir(), { '0001_a.sql': '', '0003_c.sql': '' });

    expect(() => loadMigrations(folder)).toThrow('migration 0003_c is out of sequence (want 2)');
  });
});
