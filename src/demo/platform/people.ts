import { avatarPng } from '../avatar.js';
import { makePerson, uniqueHandles } from '../names.js';
import { DAY, DEMO_NOW } from '../profiles.js';
import type { Row } from '../sql.js';
import { daysAgo, notAfterNow, scaled } from './context.js';
import type { Gen } from './context.js';

/** A role of the host's staff accounts. */
export type StaffRole = 'owner' | 'admin' | 'coach' | 'assistant';

/** A row of `users`: the people pm_ tables refer to. */
export interface Staff {
  id: string;
  name: string;
  role: StaffRole;
  createdAt: number;
}

/** What later generators need to know about a client. */
export interface Client {
  id: number;
  coachId: string | null;
  status: 'lead' | 'active' | 'paused' | 'alumni';
  createdAt: number;
}

const NICKNAMES = ['Sam', 'Kate', 'Alex', 'Jo', 'Nico', 'Mimi', 'Kenny', 'Lulu'];
const MAIL_HOSTS = ['mail.example', 'post.example', 'inbox.example'];
const COMPANIES = [
  'Fjord Logistics',
  'Atlas Bank',
  'Kite Studio',
  'Helios Energy',
  'Minato Robotics',
  'Lotus Health',
  'Orbit Games',
  'Banyan Foods',
  'Nordlicht GmbH',
  'Café Olé SARL',
];

/** The staff accounts: one owner, two admins, two assistants and coaches for the rest. */
export function makeStaff(gen: Gen): { staff: Staff[]; rows: Row[] } {
  const { profile, rng } = gen;
  const handle = uniqueHandles();
  const count = profile.sizes.staff;
  const staff: Staff[] = [];
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const person = makePerson(rng, profile.scripts);
    const role = staffRole(i, count);
    const member = { id: rng.uuid(), name: person.name, role, createdAt: daysAgo(rng, 200, 900) };
    staff.push(member);
    rows.push({
      id: member.id,
      email: `${handle(person.handle)}@${profile.emailDomain}`,
      name: member.name,
      role,
      timezone: rng.chance(0.8) ? profile.timezone : null,
      phone: rng.chance(0.6) ? phoneNumber(gen) : null,
      // One coach has left; their account stays because old rows still name them.
      is_active: i === count - 3 ? 0 : 1,
      last_login_at: rng.chance(0.85) ? DEMO_NOW - rng.int(60, 30 * DAY) : null,
      created_at: member.createdAt,
    });
  }
  return { staff, rows };
}

function staffRole(index: number, count: number): StaffRole {
  if (index === 0) return 'owner';
  if (index <= 2) return 'admin';
  return index >= count - 2 ? 'assistant' : 'coach';
}

function phoneNumber(gen: Gen): string {
  return `${gen.profile.phonePrefix} ${gen.rng.int(1000, 9999)} ${gen.rng.int(1000, 9999)}`;
}

/** Teams led by admins or coaches, and the WITHOUT ROWID membership table. */
export function makeTeams(gen: Gen, staff: readonly Staff[]): { teams: Row[]; members: Row[] } {
  const { rng } = gen;
  const leaders = staff.filter((member) => member.role === 'admin' || member.role === 'coach');
  const teams: Row[] = [];
  const members: Row[] = [];
  gen.profile.teams.forEach((name, index) => {
    const id = index + 1;
    const lead = rng.chance(0.85) ? rng.pick(leaders) : null;
    teams.push({ id, name, lead_user_id: lead?.id ?? null, created_at: daysAgo(rng, 400, 800) });
    for (const member of rng.sample(staff, rng.int(2, 6))) {
      const role = member.id === lead?.id ? 'lead' : 'member';
      members.push({ team_id: id, user_id: member.id, role, joined_at: daysAgo(rng, 10, 390) });
    }
  });
  return { teams, members };
}

/** Clients with their coach, avatar and tags. */
export function makeClients(
  gen: Gen,
  staff: readonly Staff[],
): {
  clients: Client[];
  rows: Row[];
  tags: Row[];
} {
  const coaches = staff.filter((member) => member.role === 'coach');
  const clients: Client[] = [];
  const rows: Row[] = [];
  const tags: Row[] = [];
  for (let id = 1; id <= scaled(gen, gen.profile.sizes.clients); id++) {
    const client = makeClient(gen, id, coaches);
    clients.push(client);
    rows.push(clientRow(gen, client));
    for (const [tag, group] of gen.rng.sample(gen.profile.tags, gen.rng.int(0, 3))) {
      tags.push({ client_id: id, tag, group });
    }
  }
  return { clients, rows, tags };
}

function makeClient(gen: Gen, id: number, coaches: readonly Staff[]): Client {
  const { rng } = gen;
  const status = rng.weighted([
    ['active', 0.45],
    ['alumni', 0.3],
    ['paused', 0.1],
    ['lead', 0.15],
  ] as const);
  const coachId = status === 'lead' && rng.chance(0.6) ? null : rng.pick(coaches).id;
  return { id, coachId, status, createdAt: daysAgo(rng, 5, 720) };
}

function clientRow(gen: Gen, client: Client): Row {
  const { rng, profile } = gen;
  const person = makePerson(rng, profile.scripts);
  return {
    id: client.id,
    full_name: person.name,
    preferred_name: rng.chance(0.15) ? rng.pick(NICKNAMES) : null,
    email: rng.chance(0.9) ? `${person.handle}@${rng.pick(MAIL_HOSTS)}` : null,
    phone: rng.chance(0.5) ? phoneNumber(gen) : null,
    company: rng.chance(0.7) ? rng.pick(COMPANIES) : null,
    country: person.country,
    coach_id: client.coachId,
    status: client.status,
    avatar: rng.chance(0.55) ? avatarPng(rng) : null,
    created_at: client.createdAt,
    updated_at: rng.chance(0.7) ? notAfterNow(client.createdAt + rng.int(1, 300) * DAY) : null,
  };
}
