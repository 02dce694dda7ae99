import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/load.js';
import { openReadOnly } from '../../../src/db/open.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { TenantHandle } from '../../../src/tenancy/tenant-pool.js';
import {
  lendServer,
  returnServer,
  type TenantServer,
} from '../../../src/transports/http/server-reuse.js';
import { buildTestRoot, testConfig, type TestRoot } from '../../support/demo-root.js';

let root: TestRoot;
let config: Config;
const handles: TenantHandle[] = [];

beforeAll(() => {
  root = buildTestRoot();
  config = testConfig(root.root);
});

afterAll(() => {
  for (const handle of handles) handle.db.close();
  root.remove();
});

function handleOf(index: number): TenantHandle {
  const tenant = root.tenants[index]!;
  const handle: TenantHandle = {
    tenantId: tenant.id,
    db: openReadOnly(tenant.file, tenant.id, 0),
    queries: { run: () => Promise.reject(new Error('no model SQL in these tests')) },
  };
  handles.push(handle);
  return handle;
}

function lend(handle: TenantHandle, expiresAt = Date.now() / 1000 + 60): TenantServer {
  return lendServer(handle, config.query, { expiresAt, logger: silentLogger() });
}

/** Connects a client to the lent server, calls one tool, and hangs up. */
async function callOnce(lent: TenantServer, name: string): Promise<CallToolResult> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'reuse-test', version: '1.0.0' });
  await Promise.all([lent.server.connect(serverSide), client.connect(clientSide)]);
  try {
    return (await client.callTool({ name, arguments: {} })) as CallToolResult;
  } finally {
    await client.close();
  }
}

describe('servers lent per tenant handle', () => {
  it('lends the same server again once it is given back, now for the new request', async () => {
    const handle = handleOf(0);
    const first = lend(handle);
    expect((await callOnce(first, 'list_tables')).isError).toBeFalsy();
    await returnServer(handle, first);

    const expired = Date.now() / 1000 - 1;
    const second = lend(handle, expired);

    expect(second).toBe(first);
    expect(second.scope.expiresAt).toBe(expired);
    const refused = await callOnce(second, 'list_tables');
    expect(refused.isError).toBe(true);
    expect(refused.content[0]).toMatchObject({ text: expect.stringMatching(/^TOKEN_EXPIRED: /) });
    await returnServer(handle, second);
  });

  it('never lends one server to two requests at once', async () => {
    const handle = handleOf(0);
    const a = lend(handle);
    const b = lend(handle);
    expect(b).not.toBe(a);
    await Promise.all([returnServer(handle, a), returnServer(handle, b)]);
  });

  it("never lends one tenant's server for another tenant", async () => {
    const northwind = handleOf(0);
    const other = handleOf(1);
    const lent = lend(northwind);
    await returnServer(northwind, lent);

    const next = lend(other);

    expect(next).not.toBe(lent);
    expect(next.scope.tenantId).toBe(other.tenantId);
    expect(next.scope.db).toBe(other.db);
    await returnServer(other, next);
  });

  it('keeps at most four idle servers per handle', async () => {
    const handle = handleOf(0);
    const lent = Array.from({ length: 6 }, () => lend(handle));
    await Promise.all(lent.map((l) => returnServer(handle, l)));

    const again = Array.from({ length: 6 }, () => lend(handle));

    expect(again.filter((l) => lent.includes(l))).toHaveLength(4);
  });
});
