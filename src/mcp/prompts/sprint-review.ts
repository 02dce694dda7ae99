import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PROJECT_KEY } from '../../domain/keys.js';
import { findSprint, type SprintRow } from '../../domain/project-status.js';
import { pooledReader } from '../../domain/pooled.js';
import { findProject, sprintNames, type ProjectRow } from '../../domain/projects.js';
import { iso } from '../../domain/sql.js';
import type { TenantContext } from '../context.js';
import { guarded, guardedCompletion } from '../wire.js';
import { call, completeProject, projectOrNull, rulesSection, userPrompt } from './shared.js';

const DAY = 86_400;

/** Registers sprint_review: a review of one sprint, its project key and name completed. */
export function registerSprintReview(server: McpServer, ctx: TenantContext): void {
  const argsSchema = {
    project: completable(z.string().regex(PROJECT_KEY).describe('Project key'), (value) =>
      guardedCompletion(ctx, 'sprint_review.project', value, (v) => completeProject(ctx, v)),
    ),
    sprint: completable(
      z.string().max(200).optional().describe('Sprint name; default the active sprint'),
      (value, context) =>
        guardedCompletion(ctx, 'sprint_review.sprint', value, (v) =>
          completeSprint(ctx, v, context?.arguments?.project),
        ),
    ),
  };
  server.registerPrompt(
    'sprint_review',
    {
      title: 'Sprint review',
      description: 'Review a sprint: done vs planned, slips, blockers.',
      argsSchema,
    },
    async ({ project, sprint }) =>
      guarded(ctx, 'sprint_review', () => sprintReview(ctx, project, sprint)),
  );
}

async function completeSprint(
  ctx: TenantContext,
  value: string,
  projectKey?: string,
): Promise<string[]> {
  const project = projectOrNull(ctx, projectKey);
  if (projectKey && project === null) return [];
  // Sprint names often repeat the project ("WEB Sprint 4"): any part of the name may match.
  return sprintNames(pooledReader(ctx.queries), project, value);
}

async function sprintReview(ctx: TenantContext, key: string, name: string | undefined) {
  const project = findProject(ctx.db, key);
  const pool = pooledReader(ctx.queries);
  const sprint = await findSprint(pool, project, name === '' ? undefined : name);
  const text = [
    heading(project, sprint),
    '',
    'Steps:',
    `1. ${call('project_status', sprintArgs(project, sprint))}: items and story points of the ` +
      'sprint, planned vs done, plus time logged and blockers of the project.',
    `2. ${call('blocked_items', { project: project.key })}: what is stuck and on what.`,
    `3. ${call('workload', { project: project.key, days: windowDays(sprint) })}: who holds ` +
      'the open work and where time went.',
    `4. ${call('work_item', { key: `${project.key}-N` })} for any item worth a closer look; ` +
      'use query only for what these do not answer.',
    '',
    'Report: goal and dates; done vs planned in items and points; what slipped and why; ' +
      'blockers; who needs help; one suggestion for the next sprint. Name items by KEY-N.',
    await rulesSection(ctx, 'business_rule'),
  ];
  return userPrompt(`Sprint review of ${project.key}`, text.join('\n'));
}

function heading(project: ProjectRow, sprint: SprintRow | undefined): string {
  const where = `project ${project.key} "${project.title}"`;
  if (!sprint) return `Review the latest sprint of ${where}: it has no active sprint.`;
  const dates = `${iso(sprint.start_date)} → ${iso(sprint.end_date)}`;
  return `Review sprint "${sprint.name}" [${sprint.status}, ${dates}] of ${where}.`;
}

function sprintArgs(project: ProjectRow, sprint: SprintRow | undefined): Record<string, string> {
  return sprint ? { key: project.key, sprint: sprint.name } : { key: project.key };
}

function windowDays(sprint: SprintRow | undefined): number {
  if (!sprint) return 14;
  return Math.min(366, Math.max(1, Math.ceil((sprint.end_date - sprint.start_date) / DAY)));
}
