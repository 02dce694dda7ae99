import { lstatSync, readdirSync, realpathSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { TenantMcpError } from '../errors.js';
import { TENANT_ID_PATTERN, parseTenantId } from './tenant-id.js';

/** Where one tenant's data lives, resolved and checked. */
export interface TenantFile {
  readonly tenantId: string;
  /** Absolute path of `main.db`; never shown to clients. */
  readonly file: string;
}

/**
 * Resolves `<realpath of dataRoot>/tenants/<id>/main.db` and refuses anything that is not
 * exactly that: a symlinked tenant folder or file, a hard-linked, empty or non-regular
 * file, or a missing one.
 * Nothing is ever created here.
 */
export function resolveTenantFile(dataRoot: string, tenantIdValue: unknown): TenantFile {
  const tenantId = parseTenantId(tenantIdValue);
  const tenantsDir = join(realDataRoot(dataRoot), 'tenants');
  const dir = join(tenantsDir, tenantId);
  const file = join(dir, 'main.db');

  requireEntry(tenantsDir, tenantId, (s) => s.isDirectory());
  requireEntry(dir, tenantId, (s) => s.isDirectory());
  // A hard link (nlink > 1) could be another tenant's file under this tenant's name, and an
  // empty file is not a host's database: SQLite would treat it as a new, empty one.
  requireEntry(file, tenantId, (s) => s.isFile() && s.nlink === 1 && s.size > 0);

  // Defence in depth: after the lstat checks the real path must still sit under tenants/.
  if (!realpathSync(file).startsWith(tenantsDir + sep)) {
    throw refused(tenantId);
  }
  return { tenantId, file };
}

function realDataRoot(dataRoot: string): string {
  try {
    return realpathSync(dataRoot);
  } catch (error) {
    throw new TenantMcpError('CONFIG_INVALID', 'dataRoot does not exist or cannot be read', {
      cause: error,
    });
  }
}

/** lstat (never following links) and insist on the expected kind of entry. */
function requireEntry(path: string, tenantId: string, isExpected: (s: Stats) => boolean): void {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    throw new TenantMcpError('TENANT_NOT_FOUND', `tenant '${tenantId}' not found`, {
      cause: error,
    });
  }
  if (stats.isSymbolicLink() || !isExpected(stats)) {
    throw refused(tenantId);
  }
}

function refused(tenantId: string): TenantMcpError {
  return new TenantMcpError(
    'TENANT_FILE_REFUSED',
    `tenant '${tenantId}' refused: its folder or file is a link, empty, or not a regular file`,
  );
}

/** Tenant ids under `<dataRoot>/tenants`, sorted; entries that are not valid ids are skipped. */
export function listTenantIds(dataRoot: string): string[] {
  const tenantsDir = join(realDataRoot(dataRoot), 'tenants');
  let names: string[];
  try {
    names = readdirSync(tenantsDir);
  } catch (error) {
    throw new TenantMcpError('CONFIG_INVALID', 'dataRoot has no readable tenants folder', {
      cause: error,
    });
  }
  return names.filter((name) => TENANT_ID_PATTERN.test(name)).sort();
}
