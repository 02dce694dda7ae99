import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PROJECT_KEY } from '../../domain/keys.js';
import { findProject } from '../../domain/projects.js';
import type { TenantContext } from '../context.js';
import { guarded, guardedCompletion } from '../wire.js';
import { call, completeProject, rulesSection, userPrompt } from './shared.js';

/** Registers project_report: a status report of one project, its key completed. */
export function registerProjectReport(server: McpServer, ctx: TenantContext): void {
  const argsSchema = {
    project: completable(z.string().regex(PROJECT_KEY).describe('Project key'), (value) =>
      guardedCompletion(ctx, 'project_report.project', value, (v) => completeProject(ctx, v)),
    ),
  };
  server.registerPrompt(
    'project_report',
    { title: 'Project report', description: "A project's status report.", argsSchema },
    async ({ project }) => guarded(ctx, 'project_report', () => projectReport(ctx, project)),
  );
}

async function projectReport(ctx: TenantContext, key: string) {
  const project = findProject(ctx.db, key);
  const text = [
    `Write a status report for project ${project.key} "${project.title}" [${project.status}].`,
    '',
    'Steps:',
    `1. ${call('project_status', { key: project.key })}: items by status and type, points, ` +
      'the active sprint, time logged, blockers, members.',
    `2. ${call('blocked_items', { project: project.key })}: blockers and who holds them.`,
    `3. ${call('workload', { project: project.key })}: who carries the open work.`,
    `4. ${call('work_item', { key: `${project.key}-N` })} for items you discuss; ` +
      `${call('search', { text: '…' })} finds items by words.`,
    '',
    'Cover: overall progress (items and points), the active sprint, blockers and risks, ' +
      'load per person, time logged. Keep it short; name items by KEY-N, people by name.',
    await rulesSection(ctx, 'business_rule'),
  ];
  return userPrompt(`Status report of ${project.key}`, text.join('\n'));
}
