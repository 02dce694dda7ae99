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
