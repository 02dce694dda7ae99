import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ms, summarize, timeMany } from './stats.js';
import { serverEnv, writeBenchConfig, type BenchTarget } from './target.js';

interface Case {
  label: string;
  sql: string;
  params: unknown[];
  maxRows: number;
  calls: number;
}

const CASES: Case[] = [
  {
    label: 'point lookup',
    sql: 'SELECT * FROM clients WHERE id = ?',
    params: [7],
    maxRows: 10,
    calls: 1000,
  },
  {
    label: '1,000-row select',
    sql: 'SELECT * FROM daily_checkins ORDER BY id LIMIT 1000',
    params: [],
    maxRows: 1000,
    calls: 100,
  },
  {
    label: 'aggregate (all check-ins)',
    sql: `SELECT mood, count(*) AS n, avg(energy) AS energy, avg(sleep_hours) AS sleep
          FROM daily_checkins GROUP BY mood`,
    params: [],
    maxRows: 10,
    calls: 100,
  },
];

/** Tool round trips over stdio beside the same statements in-process, one line per case. */
export async function benchQueries(
  target: BenchTarget,
  print: (l?: string) => void,
): Promise<void> {
  const client = await connect(target);
  const db = new Database(target.tenantFile, { readonly: true });
  const checkins = db.prepare('SELECT count(*) FROM daily_checkins').pluck().get() as number;
  try {
    print();
    print(
      `Query round trips (MCP client over stdio → tool result), daily_checkins: ${checkins} rows`,
    );
    print(
      `  ${'case'.padEnd(28)}${'tool p50'.padEnd(12)}${'tool p99'.padEnd(12)}${'in-process p50'.padEnd(16)}ratio`,
    );
    for (const c of CASES) print(await benchCase(c, client, db));
  } finally {
    db.close();
    await client.close();
  }
}

async function connect(target: BenchTarget): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(target.repo, 'bin/tenant-mcp.js'), '--config', writeBenchConfig(target)],
    env: serverEnv(target),
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  return client;
}

async function benchCase(c: Case, client: Client, db: Database.Database): Promise<string> {
  const args = { sql: c.sql, params: c.params, maxRows: c.maxRows };
  const tool = summarize(
    await timeMany(c.calls, 20, async () => {
      const result = await client.callTool({ name: 'query', arguments: args });
      if (result.isError) throw new Error(`query failed: ${JSON.stringify(result.content)}`);
    }),
  );
  const statement = db.prepare(c.sql);
  const local = summarize(await timeMany(c.calls, 20, () => statement.all(...c.params)));
  const ratio = (tool.p50 / local.p50).toFixed(2);
  return `  ${c.label.padEnd(28)}${ms(tool.p50).padEnd(12)}${ms(tool.p99).padEnd(12)}${ms(local.p50).padEnd(16)}${ratio}x`;
}
