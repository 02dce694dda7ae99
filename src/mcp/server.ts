import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SERVER_NAME, SERVER_VERSION } from '../version.js';
import type { TenantContext } from './context.js';
import { registerSchemaResource } from './resources/schema.js';
import { registerTool } from './tool.js';
import { describeTableTool } from './tools/describe-table.js';
import { listTablesTool } from './tools/list-tables.js';
import { queryTool } from './tools/query.js';

/** Builds the MCP server for one tenant: read-only tools over its file and its schema. */
export function createTenantServer(ctx: TenantContext): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { instructions: instructionsFor(ctx.tenantId) },
  );
  registerTool(server, ctx, listTablesTool);
  registerTool(server, ctx, describeTableTool);
  registerTool(server, ctx, queryTool);
  registerSchemaResource(server, ctx);
  return server;
}

function instructionsFor(tenantId: string): string {
  return [
    `Read-only access to the SQLite database of coaching tenant ${tenantId}.`,
    'Start with list_tables or the tenant://schema resource, then describe_table, then query.',
    'pm_ tables hold projects, sprints and work items (shown as KEY-N from pm_projects.key and',
    'item_number); rows with deleted_at set are deleted and must be excluded. Times are Unix',
    "seconds: use datetime(col, 'unixepoch'). Only one SELECT, WITH or VALUES statement per query.",
  ].join(' ');
}
