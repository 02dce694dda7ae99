import type { Random } from './random.js';

// Every note names one topic, in turn, so a full-text search for any topic word is certain
// to find rows even at small scales.
const TOPICS = [
  'delegation',
  'burnout',
  'boundaries',
  'promotion',
  'feedback',
  'negotiation',
  'public speaking',
  'career change',
  'imposter syndrome',
  'work-life balance',
] as const;

const OPENERS = [
  'Client arrived energised and wanted to talk about',
  'We spent most of the hour on',
  'Follow-up on last week: still wrestling with',
  'Short session; focus was',
  'Breakthrough moment around',
  'Client felt stuck on',
] as const;

const ACTIONS = [
  'Agreed on one small experiment before next session.',
  'Homework: journal three evenings this week.',
  'Role-played the conversation twice; second round much calmer.',
  'Mapped stakeholders and picked the first ally to approach.',
  'Client will draft an email to their manager and share it with me.',
  'No action items; the client needed space to think.',
] as const;

const EMOJI = ['🎉', '💪', '🙂', '😕', '🌱', '🔥', '🙏', '✨'] as const;

const CHECKIN_NOTES = [
  'Slept badly 😴',
  'Great run this morning 🏃‍♀️',
  'Big presentation today, nervous',
  'Feeling calmer after journaling ✍️',
  'Said no to a meeting, felt good!',
  'Сегодня лучше 🙂',
  'Πολύ κουρασμένη σήμερα',
  'يوم جيد في العمل',
  'יום קשה, אבל עברתי אותו',
  'आज अच्छा दिन था 🌞',
  '今日はよく頑張った！',
  '有点累，但很充实',
  'Gute Woche bisher 👍',
] as const;

/** A coach's session note; note `index` determines its topic word. */
export function sessionNote(rng: Random, index: number, extra: readonly string[]): string {
  const topic = TOPICS[index % TOPICS.length] ?? TOPICS[0];
  const parts = [`${rng.pick(OPENERS)} ${topic}.`, rng.pick(ACTIONS)];
  if (extra.length > 0 && rng.chance(0.3)) parts.push(rng.pick(extra));
  if (rng.chance(0.25)) parts.push(rng.pick(EMOJI));
  return parts.join(' ');
}

/** A client's optional remark on a daily check-in, NULL most days. */
export function checkinNote(rng: Random): string | null {
  return rng.chance(0.25) ? rng.pick(CHECKIN_NOTES) : null;
}
