import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTACH_SLOTS, openQueryConnection } from '../../src/query/connection.js';
import {
  createTenantFixture,
  errorOf,
  useConnectedFixture,
  type TenantFixture,
} from './fixture.js';

describe('openQueryConnection', () => {
  const t = useConnectedFixture();

  it('opens the file read-only, so a write run directly fails with SQLITE_READONLY', () => {
    const error = errorOf(() => t.conn.db.prepare("DELETE FROM users WHERE id = 'u1'").run());
    expect(error?.code).toBe('SQLITE_READONLY');
    expect(t.fixture.host.prepare('SELECT count(*) FROM users').pluck().get()).toBe(3);
  });

  it('makes ATTACH fail even when it bypasses the gate, because every slot is taken', () => {
    const error = errorOf(() => t.conn.db.prepare(`ATTACH '${t.fixture.otherFile}' AS o`).run());
    expect(error?.message).toMatch(/too many attached databases/);
    const names = t.conn.db.prepare('SELECT name FROM pragma_database_list').pluck().all();
    expect(names).toHaveLength(ATTACH_SLOTS + 1);
    expect(names).not.toContain('o');
  });

  it('keeps the taken slots read-only, so nothing can be stored in them', () => {
    const error = errorOf(() => t.conn.db.prepare('CREATE TABLE reserved_1.t (a)').run());
    expect(error?.code).toBe('SQLITE_READONLY');
  });

  it('refuses CREATE TEMP run directly, which a read-only open alone would allow', () => {
    const error = errorOf(() => t.conn.db.prepare('CREATE TEMP TABLE t (a)').run());
    expect(error?.code).toBe('SQLITE_READONLY');
  });

  it('turns query_only on and keeps sorts in memory', () => {
    expect(t.conn.db.pragma('query_only', { simple: true })).toBe(1n);
    expect(t.conn.db.pragma('temp_store', { simple: true })).toBe(2n);
  });

  it('bounds the page cache to the size it was given', () => {
    expect(t.conn.db.pragma('cache_size', { simple: true })).toBe(-2048n);
  });
});

describe('QueryConnection.verify', () => {
  const t = useConnectedFixture();

  it('passes on an untouched connection', () => {
    t.conn.db.prepare('SELECT * FROM users').all();
    expect(() => t.conn.verify()).not.toThrow();
  });

  it('fails with QUERY_NOT_READ_ONLY once a database was detached and another attached', () => {
    t.conn.db.prepare('DETACH reserved_1').run();
    t.conn.db.prepare(`ATTACH '${t.fixture.otherFile}' AS reserved_1`).run();
    expect(errorOf(() => t.conn.verify())?.code).toBe('QUERY_NOT_READ_ONLY');
  });

  it('fails once query_only was switched off', () => {
    t.conn.db.pragma('query_only = OFF');
    expect(errorOf(() => t.conn.verify())?.code).toBe('QUERY_NOT_READ_ONLY');
  });
});

describe('opening a missing tenant file', () => {
  let fixture: TenantFixture;

  beforeEach(() => {
    fixture = createTenantFixture();
  });

  afterEach(() => {
    fixture.remove();
  });

  it('fails and creates no empty database', () => {
    const missing = join(fixture.dataRoot, 'tenants', 'acme', 'missing.db');
    expect(() => openQueryConnection(missing, { cacheSizeKiB: 1_024 })).toThrow();
    expect(existsSync(missing)).toBe(false);
  });
});
