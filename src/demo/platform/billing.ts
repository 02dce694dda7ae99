import { DAY, DEMO_NOW } from '../profiles.js';
import type { Row } from '../sql.js';
import { isoDate } from '../sql.js';
import type { Gen } from './context.js';
import type { Enrollment, Program } from './coaching.js';

interface Draft {
  clientId: number;
  enrollmentId: number;
  amount: number;
  issuedAt: number;
  /** Later installments of a cancelled enrollment are voided. */
  voided: boolean;
}

const MONTH = 30 * DAY;

/**
 * Invoices per enrollment: fixed programs in one to three installments, retainers monthly.
 * Paid invoices carry the payment processor's reference, an integer above 2^53 that only
 * survives reading with safe integers; the oldest invoice is always paid so the first
 * reference is exactly the profile's base.
 */
export function makeInvoices(
  gen: Gen,
  enrollments: readonly Enrollment[],
  programs: readonly Program[],
): Row[] {
  const drafts = enrollments.flatMap((enrollment) => installments(gen, enrollment, programs));
  drafts.sort((a, b) => a.issuedAt - b.issuedAt);
  let nextRef = gen.profile.externalRefBase;
  return drafts.map((draft, index) => {
    const row = invoiceRow(gen, draft, index + 1, index === 0);
    if (row.status === 'paid') {
      row.external_ref = nextRef;
      nextRef += BigInt(gen.rng.int(1, 999_999));
    }
    return row;
  });
}

function installments(gen: Gen, enrollment: Enrollment, programs: readonly Program[]): Draft[] {
  const { rng } = gen;
  const program = programs.find((candidate) => candidate.id === enrollment.programId);
  if (program === undefined) return [];
  const count =
    program.weeks === null
      ? Math.max(1, Math.ceil((enrollment.end - enrollment.start) / MONTH))
      : rng.pick([1, 1, 2, 3]);
  const amount = program.weeks === null ? program.price : Math.round(program.price / count);
  const drafts: Draft[] = [];
  for (let i = 0; i < count; i++) {
    const issuedAt = enrollment.start + i * MONTH + rng.int(0, 3 * 3600);
    if (issuedAt > DEMO_NOW) break;
    const voided = enrollment.status === 'cancelled' && issuedAt > enrollment.end;
    drafts.push({
      clientId: enrollment.clientId,
      enrollmentId: enrollment.id,
      amount,
      issuedAt,
      voided,
    });
  }
  return drafts;
}

function invoiceRow(gen: Gen, draft: Draft, id: number, oldest: boolean): Row {
  const { rng, profile } = gen;
  const status = invoiceStatus(gen, draft, oldest);
  const issued = status !== 'draft';
  const year = isoDate(draft.issuedAt).slice(0, 4);
  return {
    id,
    number: `${profile.invoicePrefix}-${year}-${String(id).padStart(5, '0')}`,
    client_id: draft.clientId,
    enrollment_id: draft.enrollmentId,
    amount_cents: draft.amount,
    tax_cents: Math.round(draft.amount * profile.taxRate),
    currency: profile.currency,
    status,
    issued_at: issued ? draft.issuedAt : null,
    due_on: issued ? isoDate(draft.issuedAt + 14 * DAY) : null,
    paid_at: status === 'paid' ? Math.min(draft.issuedAt + rng.int(1, 25) * DAY, DEMO_NOW) : null,
    external_ref: null,
    created_at: draft.issuedAt - rng.int(0, 2) * 3600,
  };
}

function invoiceStatus(gen: Gen, draft: Draft, oldest: boolean): string {
  const { rng } = gen;
  if (oldest) return 'paid';
  if (draft.voided) return 'void';
  const age = DEMO_NOW - draft.issuedAt;
  if (age < 3 * DAY && rng.chance(0.3)) return 'draft';
  if (age > 30 * DAY) return rng.chance(0.92) ? 'paid' : 'overdue';
  return rng.chance(0.35) ? 'paid' : 'sent';
}
