import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTenantFile } from '../../src/tenancy/tenant-file.js';
import { failure } from '../support/failure.js';

let dir: string;
let root: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-mcp-tenancy-'));
  root = path.join(dir, 'data');
  fs.mkdirSync(path.join(root, 'tenants'), { recursive: true });
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function tenantDir(id: string): string {
  return path.join(root, 'tenants', id);
}

function makeTenant(id: string): string {
  fs.mkdirSync(tenantDir(id), { recursive: true });
  const file = path.join(tenantDir(id), 'main.db');
  fs.writeFileSync(file, `database of ${id}`);
  return file;
}

describe('resolveTenantFile', () => {
  it('resolves <root>/tenants/<id>/main.db', () => {
    makeTenant('acme');

    expect(resolveTenantFile(root, 'acme')).toEqual({
      tenantId: 'acme',
      file: path.join(fs.realpathSync(root), 'tenants', 'acme', 'main.db'),
    });
  });

  it('accepts a data root reached through a symlink and returns the real path', () => {
    makeTenant('acme');
    const link = path.join(dir, 'current');
    fs.symlinkSync(root, link);

    const { file } = resolveTenantFile(link, 'acme');

    expect(file).toBe(path.join(fs.realpathSync(root), 'tenants', 'acme', 'main.db'));
    expect(file.startsWith(link)).toBe(false);
  });

  it('refuses a tenant without a folder with TENANT_NOT_FOUND', () => {
    makeTenant('acme');

    expect(failure(() => resolveTenantFile(root, 'globex')).code).toBe('TENANT_NOT_FOUND');
  });

  it('refuses every tenant with TENANT_NOT_FOUND when the root has no tenants folder', () => {
    fs.rmSync(path.join(root, 'tenants'), { recursive: true });

    expect(failure(() => resolveTenantFile(root, 'acme')).code).toBe('TENANT_NOT_FOUND');
  });

  it('refuses a tenant folder without main.db with TENANT_NOT_FOUND and creates nothing', () => {
    fs.mkdirSync(tenantDir('acme'));

    expect(failure(() => resolveTenantFile(root, 'acme')).code).toBe('TENANT_NOT_FOUND');
    expect(fs.readdirSync(tenantDir('acme'))).toEqual([]);
  });

  it("refuses a tenant folder that is a symlink to another tenant's folder", () => {
    makeTenant('acme');
    fs.symlinkSync(tenantDir('acme'), tenantDir('globex'));

    expect(failure(() => resolveTenantFile(root, 'globex')).code).toBe('TENANT_FILE_REFUSED');
  });

  it("refuses a main.db that is a symlink to another tenant's file", () => {
    const acmeFile = makeTenant('acme');
    fs.mkdirSync(tenantDir('globex'));
    fs.symlinkSync(acmeFile, path.join(tenantDir('globex'), 'main.db'));

    expect(failure(() => resolveTenantFile(root, 'globex')).code).toBe('TENANT_FILE_REFUSED');
  });

  it("refuses a main.db that is a hard link to another tenant's file", () => {
    const other = makeTenant('other');
    fs.mkdirSync(tenantDir('acme'));
    fs.linkSync(other, path.join(tenantDir('acme'), 'main.db'));

    expect(failure(() => resolveTenantFile(root, 'acme')).code).toBe('TENANT_FILE_REFUSED');
  });

  it('refuses an empty main.db, which SQLite would treat as a new database', () => {
    fs.mkdirSync(tenantDir('acme'));
    fs.writeFileSync(path.join(tenantDir('acme'), 'main.db'), '');

    expect(failure(() => resolveTenantFile(root, 'acme')).code).toBe('TENANT_FILE_REFUSED');
  });

  it('refuses a main.db that is a directory', () => {
    fs.mkdirSync(path.join(tenantDir('acme'), 'main.db'), { recursive: true });

    expect(failure(() => resolveTenantFile(root, 'acme')).code).toBe('TENANT_FILE_REFUSED');
  });

  it('refuses a tenant folder that is a regular file', () => {
    fs.writeFileSync(tenantDir('acme'), 'not a folder');

    expect(failure(() => resolveTenantFile(root, 'acme')).code).toBe('TENANT_FILE_REFUSED');
  });

  it('refuses a tenants folder that is a symlink', () => {
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(path.join(elsewhere, 'acme'), { recursive: true });
    fs.writeFileSync(path.join(elsewhere, 'acme', 'main.db'), 'database');
    fs.rmSync(path.join(root, 'tenants'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(root, 'tenants'));

    expect(failure(() => resolveTenantFile(root, 'acme')).code).toBe('TENANT_FILE_REFUSED');
  });

  it('refuses an invalid tenant id with TENANT_ID_INVALID before looking at the disk', () => {
    makeTenant('acme');

    expect(failure(() => resolveTenantFile(root, '../tenants/acme')).code).toBe(
      'TENANT_ID_INVALID',
    );
  });

  it('refuses a missing data root with CONFIG_INVALID', () => {
    const missing = path.join(dir, 'absent');

    expect(failure(() => resolveTenantFile(missing, 'acme')).code).toBe('CONFIG_INVALID');
  });

  it('never puts the data root path in an error message', () => {
    makeTenant('acme');
    fs.mkdirSync(tenantDir('empty'));
    fs.symlinkSync(tenantDir('acme'), tenantDir('linked'));
    const errors = [
      failure(() => resolveTenantFile(root, 'globex')),
      failure(() => resolveTenantFile(root, 'empty')),
      failure(() => resolveTenantFile(root, 'linked')),
      failure(() => resolveTenantFile(path.join(dir, 'absent'), 'acme')),
    ];

    expect(errors.map((e) => e.code)).toEqual([
      'TENANT_NOT_FOUND',
      'TENANT_NOT_FOUND',
      'TENANT_FILE_REFUSED',
      'CONFIG_INVALID',
    ]);
    for (const { message } of errors) expect(message).not.toContain(dir);
  });
});
