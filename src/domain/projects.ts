import { prepared, type Connection } from '../db/open.js';
import { TenantMcpError } from '../errors.js';
import { checkProjectKey } from './keys.js';
import { live } from './sql.js';

/** A project row as the domain questions need it. */
export interface ProjectRow {
  id: string;
  key: string;
  title: string;
  status: string;
  deleted_at: number | null;
}

const MAX_LISTED = 200;

/**
 * Finds a project by key, ignoring case; an exact match wins over one that differs in case.
 * A missing or soft-deleted project is PROJECT_NOT_FOUND with the keys that do exist.
 */
export function findProject(db: Connection, key: string, includeDeleted = false): ProjectRow {
  const found = prepared(
    db,
    `SELECT id, key, title, status, deleted_at FROM pm_projects AS p
       WHERE key = :key COLLATE NOCASE ${live('p', includeDeleted)}
       ORDER BY key = :key DESC, key LIMIT 1`,
  ).get({ key: checkProjectKey(key) }) as ProjectRow | undefined;
  if (found) return found;
  const known = projectKeys(db).slice(0, 20).join(', ');
  throw new TenantMcpError('PROJECT_NOT_FOUND', 'no project has this key', {
    hint: known ? `project keys: ${known}` : 'this tenant has no projects',
  });
}

/** Keys of the live projects, in order. */
export function projectKeys(db: Connection): string[] {
  return prepared(db, `SELECT key FROM pm_projects WHERE deleted_at IS NULL ORDER BY key LIMIT ?`)
    .pluck()
    .all(MAX_LISTED) as string[];
}

/** Names of the live sprints of one project (of every project when `project` is null). */
export function sprintNames(db: Connection, project: ProjectRow | null): string[] {
  const sql = `SELECT name FROM pm_sprints
     WHERE deleted_at IS NULL AND (:project IS NULL OR project_id = :project)
     ORDER BY start_date DESC, name LIMIT :limit`;
  return prepared(db, sql)
    .pluck()
    .all({ project: project?.id ?? null, limit: MAX_LISTED }) as string[];
}
