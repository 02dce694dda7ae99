import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { schemaOverviewMarkdown } from '../../schema/overview.js';
import type { TenantContext } from '../context.js';
import { guarded } from '../wire.js';

/** The URI of the tenant's schema overview. */
export const SCHEMA_URI = 'tenant://schema';

/** Registers the schema overview: every table and view with its columns, as Markdown. */
export function registerSchemaResource(server: McpServer, ctx: TenantContext): void {
  server.registerResource(
    'schema',
    SCHEMA_URI,
    {
      title: 'Database schema',
      description: `Tables, columns and foreign keys of tenant ${ctx.tenantId}, pm_ tables first.`,
      mimeType: 'text/markdown',
    },
    async (uri) =>
      guarded(ctx, 'schema', () => {
        const text = schemaOverviewMarkdown(ctx.db, ctx.tenantId);
        return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
      }),
  );
}
