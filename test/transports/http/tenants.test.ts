import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENDLESS_SQL,
  NORTHWIND,
  SAKURA,
  activeRequests,
  queryCall,
  startFixture,
  toolResult,
  waitForHealth,
  type HttpFixture,
} from './fixture.js';

// One process, every tenant: each request's token alone picks the tenant, and the caps on
// requests in progress answer at once instead of queueing.

const PROJECT_KEYS =
  'SELECT group_concat(key) AS keys FROM (SELECT key FROM pm_projects ORDER BY key)';

let fixture: HttpFixture;

beforeAll(async () => {
  fixture = await startFixture({ maxConcurrentRequestsPerTenant: 1, maxConcurrentRequests: 2 });
});

afterAll(() => fixture.close());

/** What the tenant's own file says, read directly. */
function keysInFile(tenantId: string): string {
  const db = new Database(join(fixture.root.root, 'tenants', tenantId, 'main.db'), {
    readonly: true,
  });
  try {
    return (db.prepare(PROJECT_KEYS).get() as { keys: string }).keys;
  } finally {
    db.close();
  }
}

async function keysSeenBy(client: Client): Promise<unknown> {
  const result = (await client.callTool({
    name: 'query',
    arguments: { sql: PROJECT_KEYS },
  })) as CallToolResult;
  return (result.structuredContent as { rows: unknown[][] }).rows[0]?.[0];
}

/** A call that holds its tenant's slot until its time limit ends it. */
async function slowCall(
  tenant: string,
): Promise<{ done: () => boolean; answer: Promise<unknown> }> {
  let finished = false;
  const answer = fixture
    .rpc(queryCall(ENDLESS_SQL, { timeoutMs: 800 }), await fixture.token({ tenant }))
    .finally(() => (finished = true));
  return { done: () => finished, answer };
}

describe('two tenants served at once', () => {
  it('each see only their own data through a real SDK client', async () => {
    const [northwind, sakura] = await Promise.all([
      fixture.connect(await fixture.token({ tenant: NORTHWIND })),
      fixture.connect(await fixture.token({ tenant: SAKURA })),
    ]);
    try {
      // One call per tenant at a time: this file caps each tenant at one request in progress.
      const seen = await Promise.all([keysSeenBy(northwind), keysSeenBy(sakura)]);
      seen.push(await keysSeenBy(northwind));

      expect(seen).toEqual([keysInFile(NORTHWIND), keysInFile(SAKURA), keysInFile(NORTHWIND)]);
      expect(keysInFile(NORTHWIND)).not.toBe(keysInFile(SAKURA));
      expect(northwind.getInstructions()).toContain(NORTHWIND);
      expect(sakura.getInstructions()).toContain(SAKURA);
    } finally {
      await Promise.all([northwind.close(), sakura.close()]);
    }
  });

  it('lists the same tools to both', async () => {
    const client = await fixture.connect(await fixture.token({ tenant: SAKURA }));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('query');
      expect(names).toContain('work_item');
    } finally {
      await client.close();
    }
  });
});

describe('the cap on requests in progress', () => {
  it('answers a tenant over its cap with 429 and Retry-After while its first call still runs', async () => {
    const slow = await slowCall(NORTHWIND);
    await waitForHealth(fixture, (h) => activeRequests(h) === 1);

    const refused = await fixture.rpc(
      queryCall('SELECT 1'),
      await fixture.token({ tenant: NORTHWIND }),
    );
    const other = await fixture.rpc(queryCall('SELECT 1'), await fixture.token({ tenant: SAKURA }));

    expect(slow.done()).toBe(false);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32000, data: { code: 'TENANT_OVERLOADED' } },
    });
    expect(other.status).toBe(200);
    await slow.answer;
  });

  it('answers anyone with 503 and Retry-After once the server is at its cap', async () => {
    const slow = [await slowCall(NORTHWIND), await slowCall(SAKURA)];
    await waitForHealth(fixture, (h) => activeRequests(h) === 2);

    const refused = await fixture.rpc(
      queryCall('SELECT 1'),
      await fixture.token({ tenant: SAKURA }),
    );

    expect(slow.map((s) => s.done())).toEqual([false, false]);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toMatchObject({ error: { data: { code: 'SERVER_OVERLOADED' } } });
    await Promise.all(slow.map((s) => s.answer));
  });

  it('gives the slot back when a call ends, so the next one is served', async () => {
    await waitForHealth(fixture, (h) => activeRequests(h) === 0);
    const answer = await fixture.rpc(queryCall('SELECT 2 AS n'), await fixture.token());
    expect(answer.status).toBe(200);
    expect(toolResult(answer).structuredContent).toMatchObject({ rows: [[2]] });
  });
});

describe('a client that hangs up during a call', () => {
  it('stops its query: the worker, the slot and the lease are free long before the time limit', async () => {
    // The limit is longer than the test may run: only the hang-up can free the worker in time.
    const body = JSON.stringify(queryCall(ENDLESS_SQL, { timeoutMs: 30_000 }));
    const outgoing = fixture.open(await fixture.token());
    outgoing.end(body);
    await waitForHealth(fixture, (h) => (h.queries as { busy: number }).busy === 1);

    outgoing.destroy();

    await waitForHealth(
      fixture,
      (h) =>
        activeRequests(h) === 0 &&
        (h.queries as { busy: number }).busy === 0 &&
        (h.tenants as { leased: number }).leased === 0,
    );
    const next = await fixture.rpc(queryCall('SELECT 3 AS n'), await fixture.token());
    expect(toolResult(next).structuredContent).toMatchObject({ rows: [[3]] });
  });
});

describe('a client that hangs up during its upload', () => {
  it('gives back its slot, and its tenant is served again', async () => {
    const outgoing = fixture.open(await fixture.token(), { 'transfer-encoding': 'chunked' });
    outgoing.write('{"jsonrpc": "2.0", ');
    await waitForHealth(fixture, (h) => activeRequests(h) === 1);

    outgoing.destroy();

    await waitForHealth(fixture, (h) => activeRequests(h) === 0);
    const next = await fixture.rpc(queryCall('SELECT 4 AS n'), await fixture.token());
    expect(toolResult(next).structuredContent).toMatchObject({ rows: [[4]] });
  });
});
