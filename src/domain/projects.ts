import { prepared, type Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import { checkProjectKey } from './keys.js';
import type { PooledReader } from './pooled.js';
import { live } from './sql.js';

/** A project row as the domain questions need it. */
export interface ProjectRow {
  id: string;
  key: string;
  title: string;
  status: string;
  deleted_at: number | null;
}

/** The most completion values one request returns. */
export const MAX_COMPLETIONS = 50;

// Spellings of one key in different ASCII case that are followed at once; real keys have one.
const MAX_SPELLINGS = 8;
// Index entries one completion reads, deleted projects included, before it stops looking.
const MAX_SCANNED = 1000;
const KNOWN_IN_HINT = 20;

const PROJECT_COLUMNS = 'id, key, title, status, deleted_at';

/**
 * Finds a project by key, ignoring ASCII case; an exact match wins over one that differs in
 * case. Every step is a lookup on the key index, so the cost does not grow with the projects.
 * A missing or soft-deleted project is PROJECT_NOT_FOUND with some keys that do exist.
 */
export function findProject(db: Connection, key: string, includeDeleted = false): ProjectRow {
  const exact = projectByKey(db, checkProjectKey(key), includeDeleted);
  if (exact) return exact;
  for (const spelling of storedSpellings(db, key).sort()) {
    if (spelling === key) continue;
    const found = projectByKey(db, spelling, includeDeleted);
    if (found) return found;
  }
  const known = keysStartingWith(db, '', KNOWN_IN_HINT).join(', ');
  throw new TenantMcpError('PROJECT_NOT_FOUND', 'no project has this key', {
    hint: known ? `project keys: ${known}` : 'this tenant has no projects',
  });
}

function projectByKey(db: Connection, key: string, includeDeleted: boolean) {
  return prepared(
    db,
    `SELECT ${PROJECT_COLUMNS} FROM pm_projects AS p WHERE key = ? ${live('p', includeDeleted)}`,
  ).get(key) as ProjectRow | undefined;
}

/**
 * Keys of live projects that start with `prefix`, ignoring ASCII case, in key order; at most
 * `limit`. Reads a bounded range of the key index per spelling of the prefix.
 */
export function keysStartingWith(db: Connection, prefix: string, limit: number): string[] {
  const keys = storedSpellings(db, prefix).flatMap(
    (spelling) =>
      prepared(
        db,
        `SELECT key FROM (
         SELECT key, deleted_at FROM pm_projects
           WHERE key >= :prefix AND key < :prefix || char(1114111) ORDER BY key LIMIT :scan)
       WHERE deleted_at IS NULL LIMIT :limit`,
      )
        .pluck()
        .all({ prefix: spelling, scan: MAX_SCANNED, limit }) as string[],
  );
  return [...new Set(keys)].sort().slice(0, limit);
}

/**
 * The spellings of `text` that differ from it in ASCII case only and begin some stored key,
 * found a character at a time so that only spellings that exist are followed.
 */
function storedSpellings(db: Connection, text: string): string[] {
  const begins = prepared(
    db,
    `SELECT 1 FROM pm_projects WHERE key >= :prefix AND key < :prefix || char(1114111) LIMIT 1`,
  );
  let found = [''];
  for (const char of text) {
    const cases = /[A-Za-z]/.test(char) ? [char.toUpperCase(), char.toLowerCase()] : [char];
    found = found
      .flatMap((prefix) => cases.map((c) => prefix + c))
      .filter((prefix) => begins.get({ prefix }) !== undefined)
      .slice(0, MAX_SPELLINGS);
    if (found.length === 0) return [];
  }
  return found;
}

/**
 * Names of the live sprints of one project (of every project when `project` is null) that
 * contain `part`, ignoring ASCII case: a name equal to it first, then names starting with it,
 * the latest first. No index covers sprint names, so this reads in the query pool.
 */
export async function sprintNames(
  pool: PooledReader,
  project: ProjectRow | null,
  part: string,
): Promise<string[]> {
  const rows = await pool.upTo<{ name: string }>(
    `SELECT name FROM pm_sprints
       WHERE deleted_at IS NULL AND (:project IS NULL OR project_id = :project)
         AND instr(lower(name), lower(:part)) > 0
       GROUP BY name
       ORDER BY CASE WHEN lower(name) = lower(:part) THEN 0
           WHEN instr(lower(name), lower(:part)) = 1 THEN 1 ELSE 2 END,
         max(start_date) DESC, name
       LIMIT :limit`,
    { project: project?.id ?? null, part, limit: MAX_COMPLETIONS },
    MAX_COMPLETIONS,
  );
  return rows.rows.map((r) => r.name);
}
