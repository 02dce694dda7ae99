import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  GUIDANCE_TYPES,
  guidanceMarkdown,
  guidanceTypes,
  readGuidance,
} from '../../domain/guidance.js';
import { TenantMcpError } from '../../errors.js';
import type { TenantContext } from '../context.js';
import { guarded, guardedCompletion } from '../wire.js';

/** The URI of all guidance. */
export const GUIDANCE_URI = 'tenant://guidance';

const TYPE_PREFIX = `${GUIDANCE_URI}/`;

/** Registers the tenant's pm_llm_context guidance: all of it, and one resource per type. */
export function registerGuidanceResources(server: McpServer, ctx: TenantContext): void {
  server.registerResource(
    'guidance',
    GUIDANCE_URI,
    {
      title: 'Guidance',
      description: 'How to read this tenant: rules, schema notes, query patterns (pm_llm_context).',
      mimeType: 'text/markdown',
    },
    async (uri) =>
      guarded(ctx, 'guidance', () => markdown(uri.href, readGuidance(ctx.db), 'Guidance')),
  );
  server.registerResource(
    'guidance-type',
    typeTemplate(ctx),
    { title: 'Guidance of one type', description: 'Guidance rows of one context_type.' },
    async (uri, variables) =>
      guarded(ctx, 'guidance-type', () => {
        const type = checkType(variables.type);
        return markdown(uri.href, readGuidance(ctx.db, type), `Guidance: ${type}`);
      }),
  );
}

function typeTemplate(ctx: TenantContext): ResourceTemplate {
  return new ResourceTemplate(`${TYPE_PREFIX}{type}`, {
    list: async () =>
      guarded(ctx, 'guidance.list', () => ({
        resources: guidanceTypes(ctx.db).map((type) => ({
          uri: `${TYPE_PREFIX}${type}`,
          name: `guidance/${type}`,
          mimeType: 'text/markdown',
        })),
      })),
    complete: {
      type: async (value) =>
        guardedCompletion(ctx, 'guidance.complete', value, (v) =>
          guidanceTypes(ctx.db).filter((t) => t.startsWith(v.toLowerCase())),
        ),
    },
  });
}

function markdown(uri: string, rows: ReturnType<typeof readGuidance>, heading: string) {
  return { contents: [{ uri, mimeType: 'text/markdown', text: guidanceMarkdown(rows, heading) }] };
}

function checkType(value: string | string[] | undefined): string {
  const known: readonly string[] = GUIDANCE_TYPES;
  if (typeof value === 'string' && known.includes(value)) return value;
  throw new TenantMcpError('NOT_FOUND', 'no such guidance type', {
    hint: `types: ${GUIDANCE_TYPES.join(', ')}`,
  });
}
