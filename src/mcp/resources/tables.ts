import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { TenantMcpError } from '../../errors.js';
import {
  describeTable,
  LISTED_TABLES_CAP,
  listTableRefs,
  tableNamesStartingWith,
} from '../../schema/introspect.js';
import { tableDetailMarkdown } from '../../schema/overview.js';
import type { TenantContext } from '../context.js';
import { guarded, guardedCompletion } from '../wire.js';

const PREFIX = 'tenant://tables/';

/** The URI of one table's description. */
export function tableUri(name: string): string {
  return `${PREFIX}${encodeURIComponent(name)}`;
}

/** Registers `tenant://tables/{name}`: one table or view as Markdown, listed and completable. */
export function registerTableResources(server: McpServer, ctx: TenantContext): void {
  const template = new ResourceTemplate(`${PREFIX}{name}`, {
    list: async () =>
      guarded(ctx, 'tables.list', () => ({
        resources: listTableRefs(ctx.db).tables.map((t) => ({
          uri: tableUri(t.name),
          name: t.name,
          description: `${t.kind}, ${t.group}`,
          mimeType: 'text/markdown',
        })),
      })),
    complete: {
      name: async (value) => guardedCompletion(ctx, 'tables.complete', value, (v) => names(ctx, v)),
    },
  });
  server.registerResource(
    'table',
    template,
    {
      title: 'One table',
      description:
        'A table or view: columns, keys, indexes, rows. At most ' +
        `${LISTED_TABLES_CAP} are listed, pm_ tables first; any other name can be read too.`,
    },
    async (uri, variables) =>
      guarded(ctx, 'table', () => {
        const text = tableDetailMarkdown(describeTable(ctx.db, decodeName(variables.name)));
        return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
      }),
  );
}

function names(ctx: TenantContext, value: string): string[] {
  return tableNamesStartingWith(ctx.db, value, COMPLETION_CAP);
}

// The SDK sends at most 100 values; one more lets it say that there are more.
const COMPLETION_CAP = 101;

/** A template variable arrives percent-encoded; anything that does not decode names no table. */
function decodeName(value: string | string[] | undefined): string {
  try {
    if (typeof value === 'string') return decodeURIComponent(value);
  } catch {
    // Malformed percent-encoding falls through to the not-found error below.
  }
  throw new TenantMcpError('TABLE_NOT_FOUND', 'no such table or view', {
    hint: 'list resources or call list_tables to see the names that exist',
  });
}
