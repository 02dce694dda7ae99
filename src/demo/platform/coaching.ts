import { DAY, DEMO_NOW } from '../profiles.js';
import type { Row } from '../sql.js';
import { isoDate } from '../sql.js';
import { checkinNote, sessionNote } from '../text.js';
import { daysAgo, notAfterNow, scaled } from './context.js';
import type { Gen } from './context.js';
import type { Client, Staff } from './people.js';

// Weights for the categorical columns, tuned to look like a busy practice.
const OUTCOMES = [
  ['completed', 0.82],
  ['cancelled', 0.1],
  ['no_show', 0.08],
] as const;
const CHANNELS = [
  ['video', 0.6],
  ['phone', 0.15],
  ['in_person', 0.25],
] as const;
const RATINGS = [
  [5, 0.5],
  [4, 0.35],
  [3, 0.1],
  [2, 0.05],
] as const;
const GOAL_STATUSES = [
  ['open', 0.55],
  ['achieved', 0.3],
  ['abandoned', 0.15],
] as const;
const MOODS = [
  [1, 0.05],
  [2, 0.15],
  [3, 0.35],
  [4, 0.3],
  [5, 0.15],
] as const;

/** What later generators need to know about a program. */
export interface Program {
  id: number;
  weeks: number | null;
  price: number;
}

/** What later generators need to know about an enrollment. */
export interface Enrollment {
  id: number;
  clientId: number;
  programId: number;
  coachId: string;
  status: 'active' | 'paused' | 'completed' | 'cancelled';
  start: number;
  /** When the enrollment stopped or will stop, in Unix seconds. */
  end: number;
}

interface Session {
  enrollmentId: number;
  clientId: number;
  coachId: string;
  scheduledAt: number;
}

/** The tenant's programs; a retainer has no fixed length. */
export function makePrograms(gen: Gen): { programs: Program[]; rows: Row[] } {
  const { profile, rng } = gen;
  const programs = profile.programs.map((spec, index) => ({
    id: index + 1,
    weeks: spec.weeks,
    price: spec.price,
  }));
  const rows = profile.programs.map((spec, index) => ({
    id: index + 1,
    code: spec.code,
    name: spec.name,
    description: spec.description,
    duration_weeks: spec.weeks,
    price_cents: spec.price,
    currency: profile.currency,
    is_active: rng.chance(0.85) ? 1 : 0,
    created_at: daysAgo(rng, 800, 1000),
  }));
  return { programs, rows };
}

/**
 * Enrollments that match each client's status: alumni finished a program, current clients
 * are in one now (active or paused), and some current clients finished an earlier one.
 */
export function makeEnrollments(
  gen: Gen,
  clients: readonly Client[],
  programs: readonly Program[],
  staff: readonly Staff[],
): Enrollment[] {
  const coaches = staff.filter((member) => member.role === 'coach');
  const enrollments: Enrollment[] = [];
  for (const client of clients.filter((candidate) => candidate.status !== 'lead')) {
    const coachId = client.coachId ?? gen.rng.pick(coaches).id;
    const current = client.status === 'active' || client.status === 'paused';
    const plan = (): EnrollmentPlan => ({ id: enrollments.length + 1, client, coachId });
    const past = !current || gen.rng.chance(0.35);
    const earlier = past ? pastEnrollment(gen, plan(), gen.rng.pick(programs)) : null;
    if (earlier !== null) enrollments.push(earlier);
    if (current) enrollments.push(currentEnrollment(gen, plan(), gen.rng.pick(programs), earlier));
  }
  return enrollments;
}

interface EnrollmentPlan {
  id: number;
  client: Client;
  coachId: string;
}

function weeksOf(gen: Gen, program: Program): number {
  return program.weeks ?? gen.rng.int(8, 26);
}

// Starts soon after the client signed up; a tenth were cancelled part-way through. A current
// client whose first program would still be running gets no earlier one.
function pastEnrollment(gen: Gen, plan: EnrollmentPlan, program: Program): Enrollment | null {
  const { rng } = gen;
  const start = plan.client.createdAt + rng.int(0, 20) * DAY;
  const planned = start + weeksOf(gen, program) * 7 * DAY;
  if (plan.client.status !== 'alumni' && planned > DEMO_NOW - 7 * DAY) return null;
  const base = {
    id: plan.id,
    clientId: plan.client.id,
    programId: program.id,
    coachId: plan.coachId,
    start,
  };
  if (rng.chance(0.1)) {
    const stoppedAt = start + Math.floor((planned - start) * rng.next());
    return { ...base, status: 'cancelled', end: notAfterNow(stoppedAt) };
  }
  return { ...base, status: 'completed', end: notAfterNow(planned) };
}

// Running today: started at most one program length ago, after any earlier enrollment.
function currentEnrollment(
  gen: Gen,
  plan: EnrollmentPlan,
  program: Program,
  earlier: Enrollment | null,
): Enrollment {
  const days = weeksOf(gen, program) * 7;
  const earliest = Math.max(plan.client.createdAt, (earlier?.end ?? 0) + 7 * DAY);
  const start = Math.max(earliest, DEMO_NOW - gen.rng.int(1, days - 1) * DAY);
  return {
    id: plan.id,
    clientId: plan.client.id,
    programId: program.id,
    coachId: plan.coachId,
    status: plan.client.status === 'paused' ? 'paused' : 'active',
    start,
    end: start + days * DAY,
  };
}

/** Enrollment rows; only finished enrollments have an end date. */
export function enrollmentRows(enrollments: readonly Enrollment[]): Row[] {
  return enrollments.map((enrollment) => ({
    id: enrollment.id,
    client_id: enrollment.clientId,
    program_id: enrollment.programId,
    coach_id: enrollment.coachId,
    status: enrollment.status,
    started_on: isoDate(enrollment.start),
    ended_on: isFinished(enrollment) ? isoDate(enrollment.end) : null,
    created_at: enrollment.start - DAY * 3,
  }));
}

function isFinished(enrollment: Enrollment): boolean {
  return enrollment.status === 'completed' || enrollment.status === 'cancelled';
}

/**
 * Coaching sessions spread over enrollments, numbered in calendar order, with a note on
 * most completed ones (and sometimes a second, private note).
 */
export function makeSessions(
  gen: Gen,
  enrollments: readonly Enrollment[],
): { sessions: Row[]; notes: Row[] } {
  if (enrollments.length === 0) return { sessions: [], notes: [] };
  const planned: Session[] = [];
  for (let i = 0; i < scaled(gen, gen.profile.sizes.sessions); i++) {
    planned.push(planSession(gen, gen.rng.pick(enrollments)));
  }
  planned.sort((a, b) => a.scheduledAt - b.scheduledAt);
  const sessions = planned.map((session, index) => sessionRow(gen, session, index + 1));
  return { sessions, notes: makeNotes(gen, sessions) };
}

function planSession(gen: Gen, enrollment: Enrollment): Session {
  const { rng } = gen;
  // Running enrollments also have sessions booked for the next ten days.
  const last = isFinished(enrollment)
    ? enrollment.end
    : Math.min(enrollment.end, DEMO_NOW + 10 * DAY);
  const day = rng.int(0, Math.max(0, Math.floor((last - enrollment.start) / DAY) - 1));
  return {
    enrollmentId: enrollment.id,
    clientId: enrollment.clientId,
    coachId: enrollment.coachId,
    scheduledAt: enrollment.start + day * DAY + rng.int(7, 17) * 3600,
  };
}

function sessionRow(gen: Gen, session: Session, id: number): Row {
  const { rng } = gen;
  const status = session.scheduledAt > DEMO_NOW ? 'scheduled' : rng.weighted(OUTCOMES);
  const rated = status === 'completed' && rng.chance(0.7);
  return {
    id,
    enrollment_id: rng.chance(0.03) ? null : session.enrollmentId,
    client_id: session.clientId,
    coach_id: session.coachId,
    scheduled_at: session.scheduledAt,
    duration_minutes: rng.pick([30, 45, 60, 60, 60, 90]),
    status,
    channel: rng.weighted(CHANNELS),
    rating: rated ? rng.weighted(RATINGS) : null,
    created_at: session.scheduledAt - rng.int(1, 14) * DAY,
  };
}

function makeNotes(gen: Gen, sessions: readonly Row[]): Row[] {
  const { rng, profile } = gen;
  const notes: Row[] = [];
  for (const session of sessions) {
    if (session.status !== 'completed') continue;
    const end = Number(session.scheduled_at) + Number(session.duration_minutes) * 60;
    const privacy = rng.chance(0.85) ? [0] : [];
    if (rng.chance(0.15)) privacy.push(1);
    for (const isPrivate of privacy) {
      notes.push({
        id: notes.length + 1,
        session_id: session.id ?? null,
        author_id: session.coach_id ?? null,
        body: sessionNote(rng, notes.length, profile.noteExtras),
        is_private: isPrivate,
        created_at: end + rng.int(300, 7200),
      });
    }
  }
  return notes;
}

/** Client goals, some tied to an enrollment, with progress that matches their status. */
export function makeGoals(gen: Gen, enrollments: readonly Enrollment[]): Row[] {
  const { rng, profile } = gen;
  if (enrollments.length === 0) return [];
  return Array.from({ length: scaled(gen, profile.sizes.goals) }, (_, index) => {
    const enrollment = rng.pick(enrollments);
    const createdAt = notAfterNow(enrollment.start + rng.int(0, 21) * DAY);
    const status = rng.weighted(GOAL_STATUSES);
    return {
      id: index + 1,
      client_id: enrollment.clientId,
      enrollment_id: rng.chance(0.7) ? enrollment.id : null,
      title: rng.pick(profile.goals),
      target_date: rng.chance(0.65) ? isoDate(createdAt + rng.int(30, 180) * DAY) : null,
      status,
      progress_pct: status === 'achieved' ? 100 : rng.int(0, status === 'open' ? 18 : 12) * 5,
      created_at: createdAt,
      achieved_at: status === 'achieved' ? notAfterNow(createdAt + rng.int(14, 150) * DAY) : null,
    };
  });
}

/**
 * Daily check-ins: each client who is or was in a program logs a run of days ending today
 * (or when they stopped), skipping some. Rows are stored in the order they were logged.
 */
export function makeCheckins(gen: Gen, clients: readonly Client[]): Row[] {
  const { rng } = gen;
  const eligible = clients.filter((client) => client.status !== 'lead');
  const total = scaled(gen, gen.profile.sizes.checkins);
  const average = Math.ceil(total / Math.max(1, eligible.length));
  const rows: Row[] = [];
  for (const client of eligible) {
    const count = Math.min(total - rows.length, rng.int(Math.ceil(average / 2), average * 2 - 1));
    const last = client.status === 'active' ? DEMO_NOW : daysAgo(rng, 10, 200);
    rows.push(...checkinRun(gen, client, Math.max(count, 0), last));
  }
  rows.sort((a, b) => Number(a.created_at) - Number(b.created_at));
  return rows.map((row, index) => ({ ...row, id: index + 1 }));
}

function checkinRun(gen: Gen, client: Client, count: number, last: number): Row[] {
  const { rng } = gen;
  const rows: Row[] = [];
  let day = Math.floor(last / DAY) * DAY;
  for (let i = 0; i < count && day >= client.createdAt; i++) {
    rows.push({
      id: 0,
      client_id: client.id,
      checkin_date: isoDate(day),
      mood: rng.weighted(MOODS),
      energy: rng.int(1, 5),
      sleep_hours: rng.chance(0.7) ? rng.int(9, 18) / 2 : null,
      note: checkinNote(rng),
      created_at: notAfterNow(day + rng.int(6, 22) * 3600),
    });
    day -= (rng.chance(0.2) ? 2 : 1) * DAY;
  }
  return rows;
}
