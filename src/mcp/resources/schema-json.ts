import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describeTables, type SchemaDescription, type TableRef } from '../../schema/introspect.js';
import { fitted, MAX_SCHEMA_BYTES, partialNote } from '../../schema/overview.js';
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
        'rowCountIsLowerBound marks a table with more rows). On a very wide schema only the ' +
        'first tables are described (truncated: true, with a note and the names of others).',
      mimeType: 'application/json',
    },
    async (uri) =>
      guarded(ctx, 'schema.json', () => {
        const text = JSON.stringify(schemaJson(describeTables(ctx.db), ctx.tenantId));
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
      }),
  );
}

/** The schema as JSON, at most `maxBytes` of it; what is left out is counted and named. */
export function schemaJson(schema: SchemaDescription, tenant: string, maxBytes = MAX_SCHEMA_BYTES) {
  // A table's CREATE statement repeats its columns; only a view's SQL says something new.
  const shown = schema.tables.map((t) => ({ ...t, sql: t.kind === 'view' ? t.sql : null }));
  const fit = fitted(shown, (t) => JSON.stringify(t), maxBytes);
  const named = namesThatFit([...fit.left, ...schema.namedOnly], maxBytes / 4);
  const note = partialNote(schema, fit.kept.length, named.length);
  return {
    tenant,
    ...(note === null ? {} : { truncated: true, tableCount: schema.total, note }),
    pm: fit.kept.filter((t) => t.group === 'pm'),
    platform: fit.kept.filter((t) => t.group === 'platform'),
    ...(note === null ? {} : { notDescribed: named }),
  };
}

function namesThatFit(tables: TableRef[], maxBytes: number): TableRef[] {
  let room = maxBytes;
  const at = tables.findIndex((t) => (room -= Buffer.byteLength(JSON.stringify(t))) < 0);
  return at < 0 ? tables : tables.slice(0, at);
}
