import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NORTHWIND, startFixture, toolResult, type HttpFixture } from './fixture.js';

// A host writing a tenant file that is not in WAL mode locks its readers out. Over HTTP the
// server's one thread serves every tenant, so such a lock must fail that tenant's call at once.

let fixture: HttpFixture;
let file: string;

beforeAll(async () => {
  fixture = await startFixture();
  file = fixture.root.tenants.find((t) => t.id === NORTHWIND)!.file;
  const host = new Database(file);
  host.pragma('journal_mode = DELETE');
  host.close();
});
afterAll(() => fixture.close());

const LIST = {
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'list_tables', arguments: {} },
};

describe('a tenant file the host holds locked', () => {
  // A busy wait (better-sqlite3 waits 5 s unless told) would overrun this test's 4 s limit.
  it('fails the call at once with TENANT_BUSY, and serves it again once the lock is gone', async () => {
    const token = await fixture.token({ tenant: NORTHWIND });
    expect(toolResult(await fixture.rpc(LIST, token)).isError).toBeFalsy();

    const host = new Database(file);
    host.exec('BEGIN EXCLUSIVE');
    let locked;
    try {
      locked = toolResult(await fixture.rpc(LIST, token));
    } finally {
      host.exec('ROLLBACK');
      host.close();
    }

    expect(locked.isError).toBe(true);
    expect(locked.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/^TENANT_BUSY: /),
    });
    expect(toolResult(await fixture.rpc(LIST, token)).isError).toBeFalsy();
  }, 4_000);
});
