import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { loadConfig } from '../config/load.js';
import { silentLogger } from '../log/logger.js';
import { QueryPool } from '../query/pool.js';
import type { QueryRunner } from '../query/run.js';
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

/** The three ways a statement is run, from the whole MCP path down to the bare driver. */
interface Runners {
  client: Client;
  pool: QueryPool;
  queries: QueryRunner;
  db: Database.Database;
}

/**
 * Tool round trips over stdio beside the same statements through the query pool alone (the
 * worker process and its IPC, no MCP) and in-process, one line per case. An MCP ping shows
 * what the stdio transport and the SDKs cost before any tool runs.
 */
export async function benchQueries(
  target: BenchTarget,
  print: (l?: string) => void,
): Promise<void> {
  const runners = await openRunners(target);
  const { db, client } = runners;
  const checkins = db.prepare('SELECT count(*) FROM daily_checkins').pluck().get() as number;
  try {
    print();
    print(`Query round trips, daily_checkins: ${checkins} rows`);
    print('  tool: MCP client over stdio to tool result; pool: QueryPool alone, no MCP');
    print(
      `  ${'case'.padEnd(28)}${'tool p50'.padEnd(12)}${'tool p99'.padEnd(12)}` +
        `${'pool p50'.padEnd(12)}${'in-process p50'.padEnd(16)}ratio`,
    );
    const ping = summarize(await timeMany(1000, 20, () => client.ping()));
    print(`  ${'MCP ping (no tool)'.padEnd(28)}${ms(ping.p50).padEnd(12)}${ms(ping.p99)}`);
    for (const c of CASES) print(await benchCase(c, runners));
  } finally {
    await closeRunners(runners);
  }
}

async function openRunners(target: BenchTarget): Promise<Runners> {
  const config = loadConfig(writeBenchConfig(target));
  const pool = await QueryPool.start({
    file: target.tenantFile,
    limits: config.query,
    logger: silentLogger(),
    workerPath: join(target.repo, 'dist/bundle/worker.js'),
  });
  const queries = pool.forTenant(target.tenantId, target.tenantFile);
  const db = new Database(target.tenantFile, { readonly: true });
  return { client: await connect(target), pool, queries, db };
}

async function closeRunners({ client, pool, db }: Runners): Promise<void> {
  db.close();
  await pool.close();
  await client.close();
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
  // Listing tools makes the client validate structuredContent, as real clients do.
  await client.listTools();
  return client;
}

async function benchCase(c: Case, { client, queries, db }: Runners): Promise<string> {
  const args = { sql: c.sql, params: c.params, maxRows: c.maxRows };
  const tool = summarize(
    await timeMany(c.calls, 20, async () => {
      const result = await client.callTool({ name: 'query', arguments: args });
      if (result.isError) throw new Error(`query failed: ${JSON.stringify(result.content)}`);
    }),
  );
  const statement = db.prepare(c.sql);
  const local = summarize(await timeMany(c.calls, 20, () => statement.all(...c.params)));
  // Last: parsing its results leaves garbage that would slow the in-process figure.
  const viaPool = summarize(await timeMany(c.calls, 20, () => queries.run(args)));
  const ratio = (tool.p50 / local.p50).toFixed(2);
  return (
    `  ${c.label.padEnd(28)}${ms(tool.p50).padEnd(12)}${ms(tool.p99).padEnd(12)}` +
    `${ms(viaPool.p50).padEnd(12)}${ms(local.p50).padEnd(16)}${ratio}x`
  );
}
