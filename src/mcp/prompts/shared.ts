import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { hasGuidance } from '../../domain/guidance.js';
import { pooledReader } from '../../domain/pooled.js';
import {
  findProject,
  keysStartingWith,
  MAX_COMPLETIONS,
  type ProjectRow,
} from '../../domain/projects.js';
import type { TenantContext } from '../context.js';

/** The most guidance rows a prompt shows; tenant://guidance has them all. */
const MAX_RULES = 20;

/** Live project keys starting with `value`, ignoring ASCII case; the first few in key order. */
export function completeProject(ctx: TenantContext, value: string): string[] {
  return keysStartingWith(ctx.db, value, MAX_COMPLETIONS);
}

/** The project a prompt argument names, or null when it names none. */
export function projectOrNull(ctx: TenantContext, key: string | undefined): ProjectRow | null {
  if (key === undefined || key === '') return null;
  try {
    return findProject(ctx.db, key);
  } catch {
    // Completion runs while the user is still typing: an unknown key narrows nothing yet.
    return null;
  }
}

/**
 * The tenant's highest-priority guidance rows of one type, as a Markdown list for a prompt.
 * A tenant may hold any number of rows, so they are ordered and cut in the query pool.
 */
export async function rulesSection(ctx: TenantContext, type: string): Promise<string> {
  if (!hasGuidance(ctx.db)) return '';
  const { rows } = await pooledReader(ctx.queries).upTo<Rule>(
    `SELECT title, content FROM pm_llm_context
       WHERE deleted_at IS NULL AND context_type = :type
       ORDER BY priority DESC, title, id LIMIT :limit`,
    { type, limit: MAX_RULES },
    MAX_RULES,
  );
  if (rows.length === 0) return '';
  return [
    '',
    "Rules from this tenant's guidance (tenant://guidance has all):",
    ...rows.map(rule),
  ].join('\n');
}

interface Rule {
  title: string;
  content: string;
}

function rule(row: Rule): string {
  return `- ${row.title}: ${row.content.replace(/\s+/g, ' ')}`;
}

/** A tool call written the way a model should make it. */
export function call(tool: string, args: Record<string, unknown>): string {
  return `${tool} ${JSON.stringify(args)}`;
}

/** A prompt result of one user message. */
export function userPrompt(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: 'user', content: { type: 'text', text } }] };
}
