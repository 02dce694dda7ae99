import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { readGuidance, type GuidanceRow } from '../../domain/guidance.js';
import { findProject, projectKeys, type ProjectRow } from '../../domain/projects.js';
import type { TenantContext } from '../context.js';

/** Live project keys starting with `value`, ignoring case. */
export function completeProject(ctx: TenantContext, value: string): string[] {
  const prefix = value.toLowerCase();
  return projectKeys(ctx.db).filter((k) => k.toLowerCase().startsWith(prefix));
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

/** The tenant's guidance rows of the given types, as a Markdown list for a prompt. */
export function rulesSection(ctx: TenantContext, types: readonly string[]): string {
  const rows = readGuidance(ctx.db).filter((r) => types.includes(r.type));
  if (rows.length === 0) return '';
  return [
    '',
    "Rules from this tenant's guidance (tenant://guidance has all):",
    ...rows.map(rule),
  ].join('\n');
}

function rule(row: GuidanceRow): string {
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
