import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describeTables, type TableDetail } from '../../schema/introspect.js';
import type { TenantContext } from '../context.js';
import { guarded } from '../wire.js';

/** The URI of the schema as JSON. */
export const SCHEMA_JSON_URI = 'tenant://schema.json';

/** Registers the schema as JSON for programs: tables grouped pm and platform. */
export function registerSchemaJsonResource(server: McpServer, ctx: TenantContext): void {
  server.registerResource(
    'schema.json',
    SCHEMA_JSON_URI,
    {
      title: 'Database schema (JSON)',
      description:
        'Tables and views grouped pm/platform: columns, keys, indexes, row counts (capped: ' +
        'rowCountIsLowerBound marks a table with more rows).',
      mimeType: 'application/json',
    },
    async (uri) =>
      guarded(ctx, 'schema.json', () => {
        const text = JSON.stringify(schemaJson(describeTables(ctx.db), ctx.tenantId));
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
      }),
  );
}

function schemaJson(tables: TableDetail[], tenant: string) {
  // A table's CREATE statement repeats its columns; only a view's SQL says something new.
  const shown = tables.map((t) => ({ ...t, sql: t.kind === 'view' ? t.sql : null }));
  return {
    tenant,
    pm: shown.filter((t) => t.group === 'pm'),
    platform: shown.filter((t) => t.group === 'platform'),
  };
}
