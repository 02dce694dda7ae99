import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  clientNames,
  clientTable,
  findClients,
  type ClientMatch,
  type ClientTable,
} from '../../domain/clients.js';
import { quoteIdentifier } from '../../db/open.js';
import { TenantMcpError } from '../../errors.js';
import type { Cell } from '../../query/encode.js';
import type { TenantContext } from '../context.js';
import { guarded, guardedCompletion } from '../wire.js';
import { tableUri } from '../resources/tables.js';
import { call, rulesSection, userPrompt } from './shared.js';

// One lookup per open connection: over HTTP a server is built for every request, and finding
// the table reads the foreign keys of every platform table (about 0.4 ms on the demo).
const clientTables = new WeakMap<object, ClientTable | null>();

function clientTableOf(ctx: TenantContext): ClientTable | undefined {
  let table = clientTables.get(ctx.db);
  if (table === undefined) {
    table = clientTable(ctx.db) ?? null;
    clientTables.set(ctx.db, table);
  }
  return table ?? undefined;
}

/**
 * Registers client_summary when the platform has a clients table with a name column: a
 * summary of one client's coaching, the name completed from that table.
 */
export function registerClientSummary(server: McpServer, ctx: TenantContext): void {
  const table = clientTableOf(ctx);
  if (!table) return;
  const argsSchema = {
    client: completable(z.string().min(1).max(200).describe('Client name'), (value) =>
      guardedCompletion(ctx, 'client_summary.client', value, (v) =>
        clientNames(ctx.queries, table, v),
      ),
    ),
  };
  server.registerPrompt(
    'client_summary',
    { title: 'Client summary', description: "A summary of one client's coaching.", argsSchema },
    async ({ client }) =>
      guarded(ctx, 'client_summary', async () => {
        const matches = await findClients(ctx.queries, table, client);
        return clientSummary(ctx, table, matches);
      }),
  );
}

async function clientSummary(ctx: TenantContext, t: ClientTable, matches: ClientMatch[]) {
  const first = matches[0];
  if (!first) {
    throw new TenantMcpError('NOT_FOUND', 'no client has this name', {
      hint: 'complete the client argument to pick an existing name',
    });
  }
  const key = t.keyColumn;
  const linked = t.referencedBy.map((r) => `${r.table} (${r.columns.join(', ')})`);
  const ids = matches.map((m) => cellText(m.key)).join(', ');
  const several = matches.length > 1 ? ' Several clients share this name: say which is which.' : '';
  const text = [
    `Summarize the coaching of client "${first.name}" (${t.table}.${key} = ${ids}).${several}`,
    `Tables pointing at ${t.table}: ${linked.join(', ') || 'none'}.`,
    '',
    'Steps:',
    `1. Read ${tableUri(t.table)} and the tenant://tables/{name} resource of each table you ` +
      'use (or describe_table) before writing SQL: platform tables differ between tenants.',
    `2. query with bound params, e.g. ${call('query', exampleQuery(t, first.key))}.`,
    `3. ${call('search', { text: first.name })} finds notes and comments that name the client.`,
    '',
    'Cover: status and programs, sessions held and coming, goals and progress, recent ' +
      'check-ins, invoices still open, themes of the session notes. Dates, not timestamps.',
    await rulesSection(ctx, 'instruction'),
  ];
  return userPrompt(`Coaching summary of ${first.name}`, text.join('\n'));
}

function exampleQuery(t: ClientTable, key: Cell): Record<string, unknown> {
  const ref = t.referencedBy[0];
  const [table, column] = ref ? [ref.table, ref.columns[0] ?? ''] : [t.table, t.keyColumn];
  const sql = `SELECT * FROM ${quoteIdentifier(table)} WHERE ${quoteIdentifier(column)} = :client LIMIT 50`;
  return { sql, params: { client: paramOf(key) } };
}

function paramOf(cell: Cell): unknown {
  if (cell !== null && typeof cell === 'object' && '$int' in cell) return { $int: cell.$int };
  return cell;
}

function cellText(cell: Cell): string {
  if (cell !== null && typeof cell === 'object') return '$int' in cell ? cell.$int : '?';
  return String(cell);
}
