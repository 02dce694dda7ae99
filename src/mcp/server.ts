import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { z } from 'zod';
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
import { serveTools, toolSetOf, type TenantTool, type ToolSet } from './tool.js';
import { blockedItemsTool } from './tools/blocked-items.js';
import { describeTableTool } from './tools/describe-table.js';
import { listTablesTool } from './tools/list-tables.js';
import { projectStatusTool } from './tools/project-status.js';
import { queryTool } from './tools/query.js';
import { searchTool } from './tools/search.js';
import { workItemTool } from './tools/work-item.js';
import { workloadTool } from './tools/workload.js';

// Widened to the base shape: each tool keeps its own types where it is defined.
const TOOLS = [
  workItemTool,
  projectStatusTool,
  blockedItemsTool,
  workloadTool,
  searchTool,
  listTablesTool,
  describeTableTool,
  queryTool,
] as unknown as TenantTool<z.ZodRawShape, z.ZodRawShape>[];

let tools: ToolSet | undefined;

/** Builds the MCP server for one tenant: read-only tools, resources and prompts over its file. */
export function createTenantServer(ctx: TenantContext): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions: instructionsFor(ctx.tenantId),
      jsonSchemaValidator: new LazyJsonSchemaValidator(),
    },
  );
  serveTools(server, ctx, (tools ??= toolSetOf(TOOLS)));
  registerSchemaResource(server, ctx);
  registerSchemaJsonResource(server, ctx);
  registerTableResources(server, ctx);
  registerGuidanceResources(server, ctx);
  registerSprintReview(server, ctx);
  registerProjectReport(server, ctx);
  registerClientSummary(server, ctx);
  // The SDK announces listChanged with every resource and prompt; these lists never change
  // while a server runs, and a stateless server could not send the notification anyway.
  server.server.registerCapabilities({
    resources: { listChanged: false },
    prompts: { listChanged: false },
  });
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
