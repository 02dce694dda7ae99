import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TenantConnections } from '../../src/query/tenant-connections.js';
import {
  createTenantFixture,
  errorOf,
  tenantFile,
  writeSecretFile,
  type TenantFixture,
} from './fixture.js';

let fixture: TenantFixture;
let files: string[];
let connections: TenantConnections;

beforeEach(() => {
  fixture = createTenantFixture();
  files = ['t0', 't1', 't2'].map((id) => {
    const file = tenantFile(fixture.dataRoot, id);
    writeSecretFile(file, `secret of ${id}`);
    return file;
  });
  connections = new TenantConnections({ max: 2, cacheSizeKiB: 1_024 });
});

afterEach(() => {
  for (const file of files) connections.forget(file);
  fixture.remove();
});

function secretOf(file: string): unknown {
  return connections.get(file).db.prepare('SELECT v FROM secrets').pluck().get();
}

describe('TenantConnections', () => {
  it('keeps one hardened connection per file and reuses it', () => {
    const first = connections.get(files[0]!);
    expect(connections.get(files[0]!)).toBe(first);
    expect(connections.get(files[1]!)).not.toBe(first);
    expect(first.db.prepare('SELECT * FROM pragma_query_only').pluck().get()).toBe(1n);
    expect(secretOf(files[1]!)).toBe('secret of t1');
  });

  it('closes the least recently used connection beyond max', () => {
    const [a, b, c] = files;
    const first = connections.get(a!);
    const second = connections.get(b!);
    connections.get(a!);
    connections.get(c!);
    expect(connections.size).toBe(2);
    expect(second.db.open).toBe(false);
    expect(first.db.open).toBe(true);
    expect(secretOf(b!)).toBe('secret of t1');
  });

  it('closes a forgotten connection, and opens the file again on the next use', () => {
    const first = connections.get(files[0]!);
    connections.forget(files[0]!);
    expect(first.db.open).toBe(false);
    expect(connections.size).toBe(0);
    expect(secretOf(files[0]!)).toBe('secret of t0');
  });

  it('frees the page cache of the previous file when calls move to another', () => {
    const first = connections.get(files[0]!);
    const release = vi.spyOn(first, 'releaseMemory');
    connections.get(files[0]!);
    expect(release).not.toHaveBeenCalled();
    connections.get(files[1]!);
    connections.get(files[1]!);
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('throws for a file it cannot open and keeps the others', () => {
    connections.get(files[0]!);
    const missing = join(fixture.dataRoot, 'tenants', 'gone', 'main.db');
    expect(errorOf(() => connections.get(missing))).toBeInstanceOf(Error);
    expect(connections.size).toBe(1);
    expect(secretOf(files[0]!)).toBe('secret of t0');
  });
});
