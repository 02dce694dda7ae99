/**
 * The demo tour: builds the demo tenants, starts the built server over stdio exactly as
 * Claude Desktop would, and prints what a model sees through a real MCP client.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../config/load.js';
import { buildDemoRoot } from '../demo/build.js';
import { mintDemoToken } from '../demo/tokens.js';
import { createLogger } from '../log/logger.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const configFile = resolve(repo, 'mcp.config.json');
const config = loadConfig(configFile);
const out = (text: string) => process.stdout.write(`${text}\n`);

const demo = buildDemoRoot({
  root: config.dataRoot,
  migrationsDir: config.migrations.dir,
  logger: createLogger('warn'),
});
const tenant = demo.tenants[0]!;
out(`Demo data root built: ${demo.tenants.map((t) => t.id).join(', ')}\n`);

const token = await mintDemoToken({
  secret: demo.secret,
  tenantId: tenant.id,
  issuer: config.auth.issuer ?? 'tenant-mcp-demo',
  audience: config.auth.audience ?? 'tenant-mcp',
  ttlSeconds: 3600,
});
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [resolve(repo, 'bin/tenant-mcp.js'), '--config', configFile],
  env: {
    PATH: process.env.PATH ?? '',
    TENANT_MCP_TOKEN: token,
    [config.auth.secretEnv ?? 'TENANT_MCP_JWT_SECRET']: demo.secret,
  },
  stderr: 'ignore',
});
const client = new Client({ name: 'tenant-mcp-tour', version: '1.0.0' });
await client.connect(transport);
out(`Connected over stdio to ${client.getServerVersion()?.name} as tenant ${tenant.id}.`);
out(`\nServer instructions:\n  ${client.getInstructions()}\n`);

const { tools } = await client.listTools();
out(`== tools/list: ${tools.length} tools ==`);
for (const tool of tools) out(`- ${tool.name}: ${tool.description}`);

const { resources } = await client.listResources();
out(`\n== resources/list ==`);
for (const r of resources) out(`- ${r.uri} (${r.mimeType}): ${r.description}`);

const schema = await client.readResource({ uri: 'tenant://schema' });
const schemaText = String((schema.contents[0] as { text?: string }).text ?? '');
out(`\n== tenant://schema (first 25 of ${schemaText.split('\n').length} lines) ==`);
out(schemaText.split('\n').slice(0, 25).join('\n'));

await show('list_tables', {});
await show('describe_table', { table: 'pm_work_items' });
await show('query', {
  sql: `SELECT p.key || '-' || w.item_number AS item, w.title, w.status, u.name AS assignee
        FROM pm_work_items w JOIN pm_projects p ON p.id = w.project_id
        LEFT JOIN users u ON u.id = w.assignee_id
        WHERE w.deleted_at IS NULL AND w.status = :status ORDER BY w.item_number LIMIT 5`,
  params: { status: 'in_progress' },
});
await show('work_item', { key: 'SPRING-2' });
await show('blocked_items', {});
await show('query', { sql: 'DELETE FROM pm_work_items' });
await show('query', { sql: "ATTACH 'other.db' AS other" });

await client.close();
out('\nDone. `node bin/tenant-mcp.js demo` prints tokens and a Claude Desktop config snippet.');

async function show(name: string, args: Record<string, unknown>): Promise<void> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const label = result.isError ? 'refused' : 'ok';
  out(`\n== tools/call ${name} ${JSON.stringify(args).replace(/\s+/g, ' ')} -> ${label} ==`);
  const text = result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
  const lines = text.split('\n');
  out(
    lines.slice(0, 30).join('\n') +
      (lines.length > 30 ? `\n… (${lines.length - 30} more lines)` : ''),
  );
}
