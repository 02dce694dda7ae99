import Database from 'better-sqlite3';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../../src/config/load.js';
import { buildTestRoot, testConfig, type TestRoot } from '../support/demo-root.js';
import { connectTenant, textOf, tokenFor, type Connected } from '../support/mcp-client.js';

/** A demo root, a client connected to one of its tenants, and a read-only handle on the file. */
export interface Fixture {
  root: TestRoot;
  tenantId: string;
  conn: Connected;
  db: Database.Database;
  close(): Promise<void>;
}

/** Options for `openFixture`. */
export interface FixtureOptions {
  /** Which demo tenant (0 northwind-coaching, 1 sakura-mentors). */
  tenant?: number;
  /** Changes the test's own copy of the tenant file before the server opens it. */
  prepare?: (db: Database.Database) => void;
  config?: (root: string) => Config;
}

/** Builds a fresh demo root and connects to one tenant. */
export async function openFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const root = buildTestRoot();
  const tenant = root.tenants[options.tenant ?? 0]!;
  if (options.prepare) {
    const writable = new Database(tenant.file);
    try {
      options.prepare(writable);
    } finally {
      writable.close();
    }
  }
  const config = options.config?.(root.root) ?? testConfig(root.root);
  const conn = await connectTenant(config, tokenFor(tenant.id));
  const db = new Database(tenant.file, { readonly: true });
  return {
    root,
    tenantId: tenant.id,
    conn,
    db,
    close: async () => {
      db.close();
      await conn.close();
      root.remove();
    },
  };
}

/** The structured result of a call that must have succeeded. */
export function data<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${textOf(result)}`);
  return result.structuredContent as T;
}

/** The text of a call that must have failed. */
export function failure(result: CallToolResult): string {
  if (!result.isError) throw new Error('tool call was expected to fail');
  return textOf(result);
}

/** Visible tables and views as pragma_table_list names them, by name. */
export function visibleTables(db: Database.Database): string[] {
  return db
    .prepare(
      `SELECT name FROM pragma_table_list WHERE schema = 'main'
         AND type IN ('table', 'view', 'virtual') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
       ORDER BY name`,
    )
    .pluck()
    .all() as string[];
}

/** The text of the resource at `uri`. */
export async function resourceText(f: Fixture, uri: string): Promise<string> {
  const result = await f.conn.client.readResource({ uri });
  return (result.contents[0] as { text: string }).text;
}

/** The values offered for `argument` of prompt `name` once `value` is typed, after `context`. */
export async function promptCompletions(
  f: Fixture,
  name: string,
  argument: string,
  value: string,
  context?: Record<string, string>,
): Promise<string[]> {
  const result = await f.conn.client.complete({
    ref: { type: 'ref/prompt', name },
    argument: { name: argument, value },
    ...(context ? { context: { arguments: context } } : {}),
  });
  return result.completion.values;
}

/** The text of every message of prompt `name`, one per line. */
export async function promptText(
  f: Fixture,
  name: string,
  args: Record<string, string>,
): Promise<string> {
  const result = await f.conn.client.getPrompt({ name, arguments: args });
  return result.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
}
