import type { Script } from './names.js';

/** A coaching program a tenant sells; `price` is in the currency's minor unit. */
export interface ProgramSpec {
  code: string;
  name: string;
  description: string | null;
  weeks: number | null;
  price: number;
}

/** An epic of a demo project and the titles of its stories. */
export interface EpicSpec {
  title: string;
  stories: readonly string[];
}

/** A demo pm_ project. */
export interface ProjectSpec {
  key: string;
  title: string;
  description: string | null;
  archived: boolean;
  epics: readonly EpicSpec[];
}

/** A tenant's own business rule for pm_llm_context. */
export interface RuleSpec {
  title: string;
  content: string;
  exampleSql: string | null;
  exampleDescription: string | null;
}

/** Row counts at scale 1 for the tables that scale. */
export interface Sizes {
  staff: number;
  clients: number;
  sessions: number;
  checkins: number;
  goals: number;
}

/** Everything that makes one demo tenant different from the other. */
export interface TenantProfile {
  id: string;
  name: string;
  emailDomain: string;
  currency: string;
  taxRate: number;
  timezone: string;
  /** Start of the staff's and clients' phone numbers. */
  phonePrefix: string;
  invoicePrefix: string;
  /** First payment-processor reference; all are above 2^53 to exercise exact integers. */
  externalRefBase: bigint;
  sizes: Sizes;
  scripts: readonly (readonly [Script, number])[];
  teams: readonly string[];
  programs: readonly ProgramSpec[];
  tags: readonly (readonly [tag: string, group: string | null])[];
  goals: readonly string[];
  noteExtras: readonly string[];
  tasks: readonly string[];
  comments: readonly string[];
  projects: readonly ProjectSpec[];
  rules: readonly RuleSpec[];
}

const NORTHWIND: TenantProfile = {
  id: 'northwind-coaching',
  name: 'Northwind Coaching Co.',
  emailDomain: 'northwind-coaching.example',
  currency: 'EUR',
  taxRate: 0.21,
  timezone: 'Europe/Amsterdam',
  phonePrefix: '+31 6',
  invoicePrefix: 'NW',
  externalRefBase: 9007199254740993n,
  sizes: { staff: 18, clients: 220, sessions: 2400, checkins: 5600, goals: 480 },
  scripts: [
    ['english', 3],
    ['latin', 4],
    ['cyrillic', 1],
    ['greek', 1],
    ['arabic', 1],
    ['hebrew', 1],
    ['devanagari', 0.5],
    ['chinese', 0.3],
  ],
  teams: ['Leadership Practice', 'Career Transitions', 'Wellbeing', 'Client Success'],
  programs: [
    {
      code: 'LEAD-12',
      name: 'Leading Through Change',
      description: 'Twelve weeks of one-to-one coaching for newly promoted leaders.',
      weeks: 12,
      price: 480000,
    },
    {
      code: 'EXEC-6',
      name: 'Executive Presence Intensive',
      description: 'Six weeks on voice, visibility and board-room communication.',
      weeks: 6,
      price: 360000,
    },
    {
      code: 'CAREER-8',
      name: 'Career Pivot Lab',
      description: 'Structured exploration for people changing field.',
      weeks: 8,
      price: 220000,
    },
    { code: 'WELL-4', name: 'Burnout Recovery Sprint', description: null, weeks: 4, price: 90000 },
    {
      code: 'TEAM-RET',
      name: 'Team Coaching Retainer',
      description: null,
      weeks: null,
      price: 150000,
    },
  ],
  tags: [
    ['vip', 'tier'],
    ['gold', 'tier'],
    ['referral', 'source'],
    ['linkedin', 'source'],
    ['c-suite', 'level'],
    ['manager', 'level'],
    ['remote', null],
    ['alumni-2024', null],
  ],
  goals: [
    'Delegate weekly reporting to the team',
    'Speak at an industry conference',
    'Negotiate a 10% raise',
    'Leave work by 18:00 three days a week',
    'Find a mentor outside the company',
    'Prepare for the VP promotion panel',
    'Run a skip-level meeting every month',
    'Finish the MBA application',
  ],
  noteExtras: [
    'Client switched to German halfway: „Ich brauche mehr Ruhe.“',
    'Mentioned the reorg in Łódź again.',
    'Quoted their manager: « On verra. »',
    'Wants to rehearse the Q&A in Greek: Ερωτήσεις και απαντήσεις.',
  ],
  tasks: [
    'Draft the outline',
    'Review with two coaches',
    'Update the booking page',
    'Check on mobile',
    'Write the help-centre article',
    'Set up tracking',
    'Translate into German and French',
    'Get sign-off from the founder',
    'Prepare slides',
    'Send the announcement email',
  ],
  comments: [
    'Blocked on the venue contract, waiting for legal 🙏',
    'Moved to review, please have a look.',
    'Done and shipped ✅',
    'Can we split this? It is bigger than it looked.',
    'Client feedback was very positive 🎉',
    'Pushing to next sprint, capacity is tight.',
    'Paired with Søren on this; notes are in the shared doc.',
    'Checked with accounting: amounts are in EUR including VAT.',
  ],
  projects: [
    {
      key: 'SPRING',
      title: 'Spring Leadership Cohort 2026',
      description: 'Launch the first group cohort of Leading Through Change in Lisbon and online.',
      archived: false,
      epics: [
        {
          title: 'Cohort curriculum',
          stories: [
            'Module 1: leading through change',
            'Peer-coaching circles',
            'Pre-work reading list',
            'Facilitator guide',
            'Graduation session format',
          ],
        },
        {
          title: 'Enrollment campaign',
          stories: [
            'Landing page for the cohort',
            'Early-bird pricing',
            'Alumni referral emails',
            'Webinar: what to expect',
            'Scholarship places',
          ],
        },
        {
          title: 'Cohort logistics',
          stories: [
            'Book the Lisbon venue',
            'Breakout rooms for remote participants',
            'Catering with dietary options',
            'Printed workbooks',
          ],
        },
      ],
    },
    {
      key: 'ONBOARD',
      title: 'Client onboarding revamp',
      description: null,
      archived: false,
      epics: [
        {
          title: 'Intake questionnaire',
          stories: [
            'Shorter intake form',
            'Goal-setting worksheet in the portal',
            'Intake in Arabic and Hebrew (right-to-left)',
            'Consent and privacy wording',
          ],
        },
        {
          title: 'First-session playbook',
          stories: [
            'Chemistry-call script',
            'Coach matching rules',
            'Welcome pack email',
            'Survey after the first session',
          ],
        },
      ],
    },
    {
      key: 'WEB',
      title: 'Website and booking flow',
      description: 'Self-service booking that respects every client time zone.',
      archived: false,
      epics: [
        {
          title: 'Booking flow',
          stories: [
            'Calendar sync with Google and Outlook',
            'Time-zone-aware slot picker',
            'Cancellation policy page',
            'Reminder emails and SMS',
          ],
        },
        {
          title: 'Content',
          stories: [
            'Coach bios in six languages',
            'Three client case studies',
            'Accessibility review',
          ],
        },
        {
          title: 'Payments',
          stories: ['Pay by card or bank transfer', 'Show prices including VAT'],
        },
      ],
    },
    {
      key: 'BILL',
      title: 'Billing processor migration',
      description: 'Moved invoicing to the new payment processor in spring 2025.',
      archived: true,
      epics: [
        {
          title: 'Move invoices to the new processor',
          stories: [
            'Map external references',
            'Reconcile 2024 invoices',
            'Switch the webhooks',
            'Retire the old processor',
          ],
        },
        { title: 'Reporting', stories: ['Monthly revenue report', 'Export for the accountant'] },
      ],
    },
  ],
  rules: [
    {
      title: 'Only time on tasks is billable',
      content: [
        'At Northwind, time logged on epics and stories is planning overhead and is not billed;',
        "only time on tasks (item_type = 'task') counts as billable coaching work.",
        'Running timers (ended_at IS NULL) are left out of billable totals.',
      ].join(' '),
      exampleSql: `SELECT p.key || '-' || w.item_number AS item,
       SUM(t.duration_seconds) / 3600.0 AS hours
FROM pm_time_entries t
JOIN pm_work_items w ON w.id = t.work_item_id
JOIN pm_projects p ON p.id = w.project_id
WHERE w.item_type = 'task' AND t.ended_at IS NOT NULL
  AND t.deleted_at IS NULL AND w.deleted_at IS NULL
GROUP BY w.id
ORDER BY hours DESC`,
      exampleDescription: 'Billable hours per task, largest first',
    },
    {
      title: 'The SPRING cohort comes first',
      content: [
        'Until the spring cohort starts, work in the SPRING project outranks every other project.',
        'A critical SPRING item without an assignee is a problem to point out.',
      ].join(' '),
      exampleSql: null,
      exampleDescription: null,
    },
  ],
};

const SAKURA: TenantProfile = {
  id: 'sakura-mentors',
  name: 'Sakura Mentors K.K.',
  emailDomain: 'sakura-mentors.example',
  currency: 'JPY',
  taxRate: 0.1,
  timezone: 'Asia/Tokyo',
  phonePrefix: '+81 90',
  invoicePrefix: 'SM',
  externalRefBase: 4611686018427400000n,
  sizes: { staff: 12, clients: 150, sessions: 1600, checkins: 4200, goals: 300 },
  scripts: [
    ['japanese', 5],
    ['chinese', 2],
    ['korean', 2],
    ['devanagari', 2],
    ['english', 1],
    ['latin', 0.5],
  ],
  teams: ['Tech Careers', 'Returnships', 'Founders Circle'],
  programs: [
    {
      code: 'MENTOR-3M',
      name: 'メンターシップ3か月 (3-month mentorship)',
      description: 'Weekly sessions with a senior mentor from the same field.',
      weeks: 13,
      price: 180000,
    },
    {
      code: 'RETURN-10',
      name: 'Returnship Bootcamp 復職',
      description: 'For engineers returning after a career break.',
      weeks: 10,
      price: 250000,
    },
    { code: 'FOUNDER', name: 'Founders Circle', description: null, weeks: null, price: 60000 },
    {
      code: 'INTERVIEW-2',
      name: 'Interview Prep Sprint',
      description: null,
      weeks: 2,
      price: 45000,
    },
  ],
  tags: [
    ['engineer', 'role'],
    ['designer', 'role'],
    ['pm', 'role'],
    ['returner', 'track'],
    ['founder', 'track'],
    ['scholarship', 'billing'],
    ['bilingual', null],
  ],
  goals: [
    'Pass the system design interview',
    'Move from QA to backend engineering',
    'Give a talk at a local meetup',
    'Return to work after parental leave',
    'Raise a pre-seed round',
    'Reach JLPT N2',
    'Build a portfolio site',
  ],
  noteExtras: [
    'メンティーは次回までに職務経歴書を更新する予定。',
    '面接練習：自己紹介を英語で。',
    '다음 세션에서 포트폴리오 리뷰.',
    'अगली बार नेटवर्किंग पर बात करेंगे।',
  ],
  tasks: [
    'Draft the brief',
    'Translate into Japanese',
    'Review with a senior mentor',
    'Build the prototype',
    'Usability test with five mentees',
    'Write release notes',
    'Fix edge cases',
    'Update the FAQ',
  ],
  comments: [
    '確認しました。明日までに対応します。',
    'LGTM 👍',
    'Blocked until the LINE API key arrives.',
    '少し遅れています 🙇',
    'Moved to review.',
    'Tested on iOS and Android ✅',
    '다음 스프린트로 옮길게요.',
  ],
  projects: [
    {
      key: 'MENTOR',
      title: 'Mentor matching v2',
      description: 'Match mentees with mentors by skills, language and time zone.',
      archived: false,
      epics: [
        {
          title: 'Matching algorithm',
          stories: [
            'Skills taxonomy',
            'Language preference weighting',
            'Explain each match',
            'Time-zone overlap score',
          ],
        },
        {
          title: 'Mentor onboarding',
          stories: [
            'Mentor handbook (日本語 / English)',
            'Shadow sessions',
            'Code of conduct sign-off',
            'Mentor availability calendar',
          ],
        },
      ],
    },
    {
      key: 'APP',
      title: 'Daily check-in app',
      description: null,
      archived: false,
      epics: [
        {
          title: 'Check-in UX',
          stories: [
            'Streak reminders',
            'Mood scale redesign 😊',
            'Weekly summary card',
            'Dark mode',
          ],
        },
        {
          title: 'Notifications',
          stories: ['LINE integration', 'Quiet hours', 'Email digest for mentors'],
        },
        { title: 'Privacy', stories: ['Data export for mentees', 'Delete my account'] },
      ],
    },
    {
      key: 'EVENTS',
      title: 'Tokyo Career Summit 2026',
      description: 'One-day summit for mentees and alumni in Shibuya.',
      archived: false,
      epics: [
        {
          title: 'Venue and logistics',
          stories: [
            'Book the Shibuya hall',
            'Interpreters for Korean and Hindi',
            'Live-stream setup',
            'Name badges with furigana',
          ],
        },
        {
          title: 'Speakers',
          stories: ['Invite alumni speakers', 'Panel: 転職 after 40', 'Speaker travel and hotels'],
        },
      ],
    },
  ],
  rules: [
    {
      title: 'Report days in Japan time',
      content: [
        'Sakura Mentors reports per day in Japan Standard Time (UTC+9).',
        'Shift Unix seconds by 32400 before taking the date:',
        "date(started_at + 32400, 'unixepoch').",
      ].join(' '),
      exampleSql: `SELECT date(started_at + 32400, 'unixepoch') AS jst_day,
       SUM(duration_seconds) / 3600.0 AS hours
FROM pm_time_entries
WHERE deleted_at IS NULL AND ended_at IS NOT NULL
GROUP BY jst_day
ORDER BY jst_day`,
      exampleDescription: 'Hours logged per Japan-time day',
    },
    {
      title: 'Mentor-matching work needs an admin review',
      content: [
        "Items in the MENTOR project pass through 'review' before 'done',",
        'and only a project admin moves them to done.',
      ].join(' '),
      exampleSql: null,
      exampleDescription: null,
    },
  ],
};

/** The two demo tenants, in build order. */
export const DEMO_TENANTS: readonly TenantProfile[] = [NORTHWIND, SAKURA];

/**
 * The fixed "now" of the demo data, 2026-01-12 09:00 UTC in Unix seconds: after the seeded
 * pm_llm_context rows (dated 2025-12-01), so the demo history reads in order.
 */
export const DEMO_NOW = 1_768_208_400;

/** Seconds in a day. */
export const DAY = 86_400;
