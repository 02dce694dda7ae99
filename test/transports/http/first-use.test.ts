import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger, createTenant, pmTablesOf } from '../../migrations/fixtures.js';
import { startFixture, type HttpFixture } from './fixture.js';

// A tenant added after startup has pending migrations, which its first request runs in the
// server's thread. While the host holds the file's write lock, that request is refused at once.

const LATECOMER = 'latecomer';
const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

let fixture: HttpFixture;
let lines: Record<string, unknown>[];

beforeAll(async () => {
  const capture = capturingLogger();
  lines = capture.lines;
  fixture = await startFixture({}, {}, capture.logger);
});

afterAll(() => fixture.close());

describe('a tenant with pending migrations whose file the host is writing', () => {
  it('is answered 503 TENANT_BUSY with Retry-After 5, before quick_check runs', async () => {
    const file = createTenant(fixture.root.root, LATECOMER);
    const host = new Database(file);
    host.exec('BEGIN IMMEDIATE');
    let answer;
    try {
      answer = await fixture.rpc(LIST, await fixture.token({ tenant: LATECOMER }));
    } finally {
      host.exec('ROLLBACK');
      host.close();
    }

    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.json).toMatchObject({ error: { data: { code: 'TENANT_BUSY' } } });
    const checks = lines.filter((line) => line.tenant === LATECOMER && line.check !== undefined);
    expect(checks).toEqual([]);
    expect(pmTablesOf(file)).toEqual([]);
  });
});
