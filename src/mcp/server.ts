import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SERVER_NAME, SERVER_VERSION } from '../version.js';
import type { TenantContext } from './context.js';
import { LazyJsonSchemaValidator } from './json-schema-validator.js';
import { registerClientSummary } from './prompts/client-summary.js';
import { registerProjectReport } from './prompts/project-report.js';
import { registerSprintReview } from './prompts/sprint-review.js';
import { registerGuidanceResources } from './resources/guidance.js';
import { registerSchemaJsonResource } from './resources/schema-json.js';
import { registerSchemaResource } from './resources/schema.js';
import { registerTableResources } from './resources/tables.js';
import { registerTool } from './tool.js';
import { blockedItemsTool } from './tools/blocked-items.js';
import { describeTableTool } from './tools/describe-table.js';
import { listTablesTool } from './tools/list-tables.js';
import { projectStatusTool } from './tools/project-status.js';
import { queryTool } from './tools/query.js';
import { searchTool } from './tools/search.js';
import { workItemTool } from './tools/work-item.js';
import { workloadTool } from './tools/workload.js';

/** Builds the MCP server for one tenant: read-only tools, resources and prompts over its file. */
export function createTenantServer(ctx: TenantContext): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions: instructionsFor(ctx.tenantId),
      jsonSchemaValidator: new LazyJsonSchemaValidator(),
    },
  );
  registerTool(server, ctx, workItemTool);
  registerTool(server, ctx, projectStatusTool);
  registerTool(server, ctx, blockedItemsTool);
  registerTool(server, ctx, workloadTool);
  registerTool(server, ctx, searchTool);
  registerTool(server, ctx, listTablesTool);
  registerTool(server, ctx, describeTableTool);
  registerTool(server, ctx, queryTool);
  registerSchemaResource(server, ctx);
  registerSchemaJsonResource(server, ctx);
  registerTableResources(server, ctx);
  registerGuidanceResources(server, ctx);
  registerSprintReview(server, ctx);
  registerProjectReport(server, ctx);
  registerClientSummary(server, ctx);
  return server;
}

function instructionsFor(tenantId: string): string {
  return [
    `Read-only access to the SQLite database of coaching tenant ${tenantId}.`,
    'For projects, sprints and work items (named KEY-N) prefer work_item, project_status,',
    'blocked_items and workload: one call answers most questions, soft-deleted rows left out.',
    'search finds words in work items, comments and platform text. For anything else read',
    'tenant://schema (or list_tables, describe_table) and tenant://guidance, then query.',
    "Rows with deleted_at set are deleted. Times are Unix seconds: datetime(col, 'unixepoch').",
    'Only one SELECT, WITH or VALUES statement per query.',
  ].join(' ');
}
