import type Database from 'better-sqlite3';
import { TenantMcpError } from '../../errors.js';
import type { TenantProfile } from '../profiles.js';
import type { Random } from '../random.js';
import { insertAll } from '../sql.js';
import type { Row } from '../sql.js';
import { makeInvoices } from './billing.js';
import {
  enrollmentRows,
  makeCheckins,
  makeEnrollments,
  makeGoals,
  makePrograms,
  makeSessions,
} from './coaching.js';
import type { Gen } from './context.js';
import { makeClients, makeStaff, makeTeams } from './people.js';
import type { Staff } from './people.js';
import { PLATFORM_SCHEMA } from './schema.js';

/**
 * Creates the host's platform tables in an empty tenant file and fills them in one
 * transaction. Returns the staff accounts, which the pm_ data refers to.
 */
export function writePlatform(
  db: Database.Database,
  profile: TenantProfile,
  rng: Random,
  scale: number,
): Staff[] {
  const gen: Gen = { profile, rng, scale };
  const { staff, tables } = generate(gen);
  db.exec(PLATFORM_SCHEMA);
  db.transaction(() => {
    for (const [table, rows] of tables) insertAll(db, table, rows);
  })();
  checkExternalRefs(db, profile.externalRefBase);
  return staff;
}

/** Every platform row, table by table in insertion order (parents first). */
function generate(gen: Gen): { staff: Staff[]; tables: [string, Row[]][] } {
  const users = makeStaff(gen);
  const teams = makeTeams(gen, users.staff);
  const clients = makeClients(gen, users.staff);
  const programs = makePrograms(gen);
  const enrollments = makeEnrollments(gen, clients.clients, programs.programs, users.staff);
  const sessions = makeSessions(gen, enrollments);
  const tables: [string, Row[]][] = [
    ['users', users.rows],
    ['teams', teams.teams],
    ['team_members', teams.members],
    ['clients', clients.rows],
    ['client tags', clients.tags],
    ['programs', programs.rows],
    ['enrollments', enrollmentRows(enrollments)],
    ['coaching_sessions', sessions.sessions],
    ['session_notes', sessions.notes],
    ['goals', makeGoals(gen, enrollments)],
    ['daily_checkins', makeCheckins(gen, clients.clients)],
    ['invoices', makeInvoices(gen, enrollments, programs.programs)],
  ];
  return { staff: users.staff, tables };
}

// The big references are the point of the invoices table; a silent rounding anywhere on
// the way in would make the demo useless for testing exact integers, so check it here.
function checkExternalRefs(db: Database.Database, expected: bigint): void {
  const stored = db
    .prepare('SELECT min(external_ref) FROM invoices')
    .pluck()
    .safeIntegers(true)
    .get();
  if (stored !== null && stored !== expected) {
    throw new TenantMcpError('INTERNAL', 'demo invoice references did not round-trip exactly');
  }
}
