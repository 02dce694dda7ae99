import { z } from 'zod';
import { pooledReader } from '../../domain/pooled.js';
import { projectStatus, type ProjectStatus } from '../../domain/project-status.js';
import type { TenantTool } from '../tool.js';
import { counts, hours, includeDeleted, projectKey } from './shapes.js';

const input = {
  key: projectKey,
  sprint: z.string().min(1).max(200).optional().describe('Sprint name; default the active one'),
  includeDeleted,
};

const tally = z.record(z.string(), z.number());

const output = {
  key: z.string(),
  title: z.string(),
  status: z.string(),
  deleted: z.boolean().optional(),
  items: z.number(),
  byStatus: tally,
  byType: tally,
  points: z.number(),
  pointsDone: z.number(),
  sprint: z
    .object({
      name: z.string(),
      goal: z.string().nullable(),
      status: z.string(),
      start: z.string(),
      end: z.string(),
      items: z.number(),
      done: z.number(),
      points: z.number(),
      pointsDone: z.number(),
    })
    .nullable(),
  loggedSeconds: z.number(),
  runningTimers: z.number(),
  blocked: z.number(),
  openBlockers: z.number(),
  members: z.array(z.object({ name: z.string(), role: z.string() })),
};

/** project_status: a project's state in one call. */
export const projectStatusTool: TenantTool<typeof input, typeof output> = {
  name: 'project_status',
  title: 'Project status',
  description:
    'A project by key: items by status and type, story points (tasks) done/total, the active ' +
    'or named sprint with progress and dates, time logged, blocked items, members.',
  input,
  output,
  run: async (ctx, args, signal) =>
    projectStatus(ctx.db, pooledReader(ctx.queries, signal), args.key, {
      sprint: args.sprint,
      includeDeleted: args.includeDeleted,
    }),
  text: statusText,
};

function statusText(p: ProjectStatus): string {
  const lines = [
    `${p.key} "${p.title}" [${p.status}${p.deleted ? ', deleted' : ''}]`,
    `items ${p.items}: ${counts(p.byStatus)}; ${counts(p.byType)}`,
    `points (tasks) ${p.pointsDone}/${p.points} done`,
    sprintLine(p.sprint),
    `time logged ${hours(p.loggedSeconds)}; running timers ${p.runningTimers}`,
    `blocked items ${p.blocked} (open blockers ${p.openBlockers})`,
    `members: ${p.members.map((m) => `${m.name} (${m.role})`).join(', ') || 'none'}`,
  ];
  return lines.join('\n');
}

function sprintLine(s: ProjectStatus['sprint']): string {
  if (!s) return 'sprint: no active sprint';
  const goal = s.goal ? ` goal "${s.goal}"` : '';
  return (
    `sprint "${s.name}" [${s.status}] ${s.start} → ${s.end}${goal}: ` +
    `items ${s.done}/${s.items} done, points ${s.pointsDone}/${s.points} done`
  );
}
