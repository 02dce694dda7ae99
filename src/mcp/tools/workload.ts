import { z } from 'zod';
import { pooledReader } from '../../domain/pooled.js';
import { nowSeconds } from '../../domain/sql.js';
import { workload, type Workload } from '../../domain/workload.js';
import type { TenantTool } from '../tool.js';
import { counts, hours, includeDeleted, projectKey } from './shapes.js';

const input = {
  project: projectKey.optional(),
  days: z.number().int().min(1).max(3660).optional().describe('Time window in days (default 7)'),
  includeDeleted,
};

const output = {
  since: z.string(),
  people: z.array(
    z.object({
      name: z.string().nullable(),
      open: z.number(),
      byStatus: z.record(z.string(), z.number()),
      points: z.number(),
      loggedSeconds: z.number(),
      running: z.array(z.object({ key: z.string(), since: z.string() })),
    }),
  ),
};

/** workload: who holds what, and where their time went lately. */
export const workloadTool: TenantTool<typeof input, typeof output> = {
  name: 'workload',
  title: 'Workload',
  description:
    'Per person (name null = unassigned): open items by status, open task points, time ' +
    'logged on entries started in the last N days, running timers; optionally one project.',
  input,
  output,
  run: async (ctx, args, signal) =>
    workload(ctx.db, pooledReader(ctx.queries, signal), {
      project: args.project,
      days: args.days ?? 7,
      includeDeleted: args.includeDeleted,
      now: nowSeconds(),
    }),
  text: workloadText,
};

function workloadText(w: Workload): string {
  const lines = [`time logged since ${w.since}`];
  for (const p of w.people) {
    const timers = p.running.map((r) => `${r.key} since ${r.since}`).join(', ');
    lines.push(
      `${p.name ?? 'unassigned'}: open ${p.open} (${counts(p.byStatus)}), ${p.points} pts, ` +
        `logged ${hours(p.loggedSeconds)}${timers ? `, running ${timers}` : ''}`,
    );
  }
  return lines.join('\n');
}
