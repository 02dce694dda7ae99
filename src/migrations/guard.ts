import { quoteIdentifier, type Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';

/** A row of sqlite_schema. */
export interface SchemaObject {
  readonly type: string;
  readonly name: string;
  readonly tblName: string;
  readonly sql: string | null;
}

/** What must be identical before and after a migration: everything in the file that is not ours. */
export interface PlatformSnapshot {
  /** Platform schema objects keyed by `type name`. */
  readonly objects: ReadonlyMap<string, SchemaObject>;
  readonly pragmas: ReadonlyMap<string, unknown>;
}

// Case-sensitive on purpose: a host table named PM_notes is not ours, so it stays guarded.
const PM_PREFIX = 'pm_';

// File-level settings that belong to the host; a migration must leave them alone.
const HOST_PRAGMAS = ['journal_mode', 'page_size', 'auto_vacuum', 'user_version', 'application_id'];

const WRITE_GUARD_MESSAGE = 'tenant-mcp write guard: a migration wrote platform table ';
const WRITE_GUARD_TRIGGER = 'tenant_mcp_write_guard_';

/**
 * True for objects of the pm_ schema: a pm_ object on a pm_ table, or the automatic index
 * SQLite makes for a pm_ table's UNIQUE constraint. An index or trigger that a pm_-named
 * object puts on a platform table is not ours.
 */
export function isPmObject(object: SchemaObject): boolean {
  if (!object.tblName.startsWith(PM_PREFIX)) return false;
  return (
    object.name.startsWith(PM_PREFIX) ||
    object.name.startsWith(`sqlite_autoindex_${object.tblName}_`)
  );
}

/** Reads the platform's schema objects and the host's file-level pragmas. */
export function snapshotPlatform(db: Connection): PlatformSnapshot {
  const objects = new Map<string, SchemaObject>();
  for (const object of schemaObjects(db)) {
    // Filtered here, not in SQL: in LIKE 'pm_%' the underscore matches any character.
    if (!isPmObject(object)) objects.set(`${object.type} ${object.name}`, object);
  }
  const pragmas = new Map(HOST_PRAGMAS.map((p) => [p, db.pragma(p, { simple: true })]));
  return { objects, pragmas };
}

/** Describes every difference between two snapshots, one phrase each; empty when equal. */
export function platformChanges(before: PlatformSnapshot, after: PlatformSnapshot): string[] {
  const changes: string[] = [];
  for (const [key, object] of before.objects) {
    const now = after.objects.get(key);
    if (now === undefined) changes.push(`dropped ${describe(object)}`);
    else if (now.sql !== object.sql || now.tblName !== object.tblName) {
      changes.push(`altered ${describe(object)}`);
    }
  }
  for (const [key, object] of after.objects) {
    if (!before.objects.has(key)) changes.push(`created ${describe(object)}`);
  }
  for (const [pragma, value] of before.pragmas) {
    const now = after.pragmas.get(pragma);
    if (now !== value) {
      changes.push(`changed PRAGMA ${pragma} from ${String(value)} to ${String(now)}`);
    }
  }
  return changes;
}

/** Throws MIGRATION_TOUCHED_PLATFORM when the platform differs from `before`. */
export function assertPlatformUnchanged(
  db: Connection,
  before: PlatformSnapshot,
  label: string,
): void {
  const changes = platformChanges(before, snapshotPlatform(db));
  if (changes.length === 0) return;
  throw new TenantMcpError(
    'MIGRATION_TOUCHED_PLATFORM',
    `migration ${label} touched the platform schema: ${changes.join('; ')}`,
    { hint: 'migrations may only create and change pm_ objects' },
  );
}

/**
 * Arms temporary triggers that abort any INSERT, UPDATE or DELETE on a platform table, since
 * a schema snapshot cannot see row writes. They live in the connection's temp schema, never
 * in the file, and a rollback removes them. Virtual tables cannot carry triggers, and their
 * shadow tables are already read-only to SQL in defensive mode. Returns the disarm function.
 */
export function guardPlatformWrites(db: Connection): () => void {
  const triggers = platformTables(db).flatMap((table, index) =>
    ['INSERT', 'UPDATE', 'DELETE'].map((op) => armTrigger(db, table, `${index}_${op}`, op)),
  );
  return () => {
    for (const name of triggers) db.exec(`DROP TRIGGER IF EXISTS temp.${quoteIdentifier(name)}`);
  };
}

/** The platform table a write guard caught, when `error` came from one. */
export function platformWriteTarget(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.message.startsWith(WRITE_GUARD_MESSAGE)) return undefined;
  return error.message.slice(WRITE_GUARD_MESSAGE.length);
}

/**
 * sqlite_schema rows with tbl_name spelled as the table's own name: a trigger keeps the
 * spelling its CREATE statement used (ON PM_Items), and SQLite matches names ignoring ASCII case.
 */
function schemaObjects(db: Connection): SchemaObject[] {
  const rows = db
    .prepare('SELECT type, name, tbl_name AS tblName, sql FROM main.sqlite_schema')
    .all() as SchemaObject[];
  const tables = new Map(
    rows
      .filter((r) => r.type === 'table' || r.type === 'view')
      .map((r) => [foldCase(r.name), r.name]),
  );
  return rows.map((row) => ({ ...row, tblName: tables.get(foldCase(row.tblName)) ?? row.tblName }));
}

function foldCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function platformTables(db: Connection): string[] {
  const rows = db.prepare('PRAGMA main.table_list').all() as { name: string; type: string }[];
  return rows
    .filter((row) => row.type === 'table')
    .map((row) => row.name)
    .filter((name) => !name.startsWith(PM_PREFIX) && !name.startsWith('sqlite_'));
}

function armTrigger(db: Connection, table: string, suffix: string, op: string): string {
  const name = `${WRITE_GUARD_TRIGGER}${suffix}`;
  const message = `'${(WRITE_GUARD_MESSAGE + table).replaceAll("'", "''")}'`;
  db.exec(
    `CREATE TEMP TRIGGER ${quoteIdentifier(name)} BEFORE ${op} ON ${quoteIdentifier(table)}
     BEGIN SELECT RAISE(ABORT, ${message}); END`,
  );
  return name;
}

function describe(object: SchemaObject): string {
  const on = object.tblName !== object.name ? ` on ${object.tblName}` : '';
  return `${object.type} ${object.name}${on}`;
}
