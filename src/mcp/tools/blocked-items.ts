import { blockedItems, type BlockedItems, type BlockSide } from '../../domain/blockers.js';
import { pooledReader } from '../../domain/pooled.js';
import { z } from 'zod';
import type { TenantTool } from '../tool.js';
import { includeDeleted, projectKey } from './shapes.js';

const input = { project: projectKey.optional(), includeDeleted };

const side = {
  key: z.string(),
  title: z.string(),
  status: z.string(),
  assignee: z.string().nullable(),
};

const output = {
  items: z.array(z.object({ ...side, by: z.array(z.object(side)) })),
  links: z.number(),
  truncated: z.boolean().optional(),
};

/** blocked_items: what is stuck and on what. */
export const blockedItemsTool: TenantTool<typeof input, typeof output> = {
  name: 'blocked_items',
  title: 'Blocked items',
  description:
    'Open work items blocked by items not yet done (live "blocks" dependencies), ' +
    'each with its blockers; optionally one project.',
  input,
  output,
  run: async (ctx, args, signal) => blockedItems(ctx.db, pooledReader(ctx.queries, signal), args),
  text: blockedText,
};

function blockedText(b: BlockedItems): string {
  if (b.items.length === 0) return 'no blocked items';
  const lines = [`${b.items.length} blocked items, ${b.links} open blockers:`];
  for (const item of b.items) {
    lines.push(`${sideText(item)} blocked by ${item.by.map(sideText).join('; ')}`);
  }
  if (b.truncated) lines.push('(list cut at its limit: ask per project)');
  return lines.join('\n');
}

function sideText(s: BlockSide): string {
  return `${s.key} "${s.title}" [${s.status}, ${s.assignee ?? 'unassigned'}]`;
}
