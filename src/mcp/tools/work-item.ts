import { z } from 'zod';
import {
  workItem,
  type ItemLink,
  type ItemRef,
  type WorkItemDetail,
} from '../../domain/work-item.js';
import { pooledReader } from '../../domain/pooled.js';
import type { TenantTool } from '../tool.js';
import { hours, includeDeleted, itemKey } from './shapes.js';

const input = {
  key: itemKey,
  comments: z.number().int().min(0).max(50).optional().describe('Latest comments (default 5)'),
  activity: z.number().int().min(0).max(50).optional().describe('Latest changes (default 10)'),
  includeDeleted,
};

const str = z.string();
const opt = z.string().optional();
const deleted = z.boolean().optional();
const ref = { key: str, type: str, title: str, status: str, deleted };

const output = {
  key: str,
  type: str,
  title: str,
  description: opt,
  status: str,
  priority: str,
  points: z.number().optional(),
  project: str,
  projectTitle: str,
  assignee: opt,
  sprint: opt,
  created: str,
  updated: str,
  deleted: opt,
  parents: z.array(z.object(ref)),
  children: z.array(z.object({ ...ref, assignee: opt, points: z.number().optional() })),
  childCount: z.number(),
  links: z.array(
    z.object({
      rel: z.enum(['blocks', 'blocked_by', 'relates_to']),
      key: str,
      title: str,
      status: str,
      deleted,
    }),
  ),
  logged: z.number(),
  loggedBy: z.array(z.object({ user: str, seconds: z.number() })),
  timers: z.array(z.object({ user: str, since: str })),
  comments: z.array(z.object({ at: str, by: str, text: str, deleted })),
  commentCount: z.number(),
  activity: z.array(
    z.object({ at: str, by: str, action: str, field: opt, from: opt, to: opt, note: opt }),
  ),
};

/** work_item: one item by KEY-N with everything around it, in one call. */
export const workItemTool: TenantTool<typeof input, typeof output> = {
  name: 'work_item',
  title: 'Work item',
  description:
    'One work item by KEY-N: details, parents up to the epic, children, dependencies, time ' +
    'logged (seconds, per person; running timers apart), latest comments and changes. UTC.',
  input,
  output,
  run: async (ctx, args, signal) =>
    workItem(ctx.db, pooledReader(ctx.queries, signal), args.key, {
      comments: args.comments ?? 5,
      activity: args.activity ?? 10,
      includeDeleted: args.includeDeleted ?? false,
    }),
  text: itemText,
};

function itemText(w: WorkItemDetail): string {
  const pts = w.points === undefined ? '' : `, ${w.points} pts`;
  const lines = [
    `${w.key} ${w.type} "${w.title}" [${w.status}, ${w.priority}${pts}]` +
      (w.deleted ? ` DELETED ${w.deleted}` : ''),
    `project ${w.project} (${w.projectTitle}); assignee ${w.assignee ?? 'none'}; ` +
      `sprint ${w.sprint ?? 'none'}; created ${w.created}; updated ${w.updated}`,
  ];
  if (w.parents.length) lines.push(`parents: ${w.parents.map(refText).join(' < ')}`);
  if (w.description) lines.push(`description: ${w.description}`);
  lines.push(...childLines(w), ...linkLines(w.links), timeLine(w), ...commentLines(w));
  lines.push(...activityLines(w));
  return lines.join('\n');
}

function refText(r: Omit<ItemRef, 'type'> & { type?: string }): string {
  const type = r.type ? ` ${r.type}` : '';
  return `${r.key}${type} "${r.title}" [${r.status}]${r.deleted ? ' (deleted)' : ''}`;
}

function childLines(w: WorkItemDetail): string[] {
  if (w.childCount === 0) return [];
  const shown = w.children.length < w.childCount ? `, ${w.children.length} shown` : '';
  return [
    `children (${w.childCount}${shown}):`,
    ...w.children.map((c) => {
      const pts = c.points === undefined ? '' : `, ${c.points} pts`;
      return `  ${refText(c)} ${c.assignee ?? 'unassigned'}${pts}`;
    }),
  ];
}

function linkLines(links: ItemLink[]): string[] {
  if (links.length === 0) return ['links: none'];
  return ['links:', ...links.map((l) => `  ${l.rel} ${refText(l)}`)];
}

function timeLine(w: WorkItemDetail): string {
  const people = w.loggedBy.map((u) => `${u.user} ${hours(u.seconds)}`);
  const timers = w.timers.map((r) => `${r.user} since ${r.since}`);
  const byPerson = people.length ? ` (${people.join(', ')})` : '';
  return `time logged: ${hours(w.logged)}${byPerson}; running timers: ${timers.join(', ') || 'none'}`;
}

function commentLines(w: WorkItemDetail): string[] {
  if (w.commentCount === 0) return ['comments: none'];
  return [
    `comments (${w.comments.length} of ${w.commentCount}, newest first):`,
    ...w.comments.map((c) => `  ${c.at} ${c.by}${c.deleted ? ' (deleted)' : ''}: ${c.text}`),
  ];
}

function activityLines(w: WorkItemDetail): string[] {
  if (w.activity.length === 0) return [];
  return [
    'activity (newest first):',
    ...w.activity.map((a) => {
      const change = a.field ? ` ${a.field} ${a.from ?? '∅'} → ${a.to ?? '∅'}` : '';
      return `  ${a.at} ${a.by} ${a.action}${change}${a.note ? `: ${a.note}` : ''}`;
    }),
  ];
}
