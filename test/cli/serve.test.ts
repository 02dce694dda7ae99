import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AUDIENCE,
  BIN,
  ISSUER,
  SECRET_ENV,
  buildTestRoot,
  mintTestToken,
  writeTestConfig,
  type TestRoot,
} from '../support/demo-root.js';

// These tests drive the built server (dist/) exactly as Claude Desktop does: a subprocess
// speaking JSON-RPC over its stdin and stdout. `npm test` builds first.

let root: TestRoot;
let configFile: string;

beforeAll(() => {
  root = buildTestRoot();
  configFile = writeTestConfig(root.root, 'mcp.config.json', { log: { level: 'info' } });
});

afterAll(() => root.remove());

const INIT_PARAMS = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'raw-client', version: '1' },
};

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the server to completion with `env`, writing `input` to its stdin and then closing it. */
function runServer(env: Record<string, string>, args: string[] = [], input = ''): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, '--config', configFile, ...args], {
    env: { PATH: process.env.PATH ?? '', [SECRET_ENV]: root.secret, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

interface Reply {
  jsonrpc: string;
  id: string | number | null;
  result?: { structuredContent?: { rows: unknown[][] } };
  error?: { code: number; message: string; data?: { code: string } };
}

/** Writes `messages` as lines to a fresh server, closes stdin, and reads every reply. */
async function exchange(messages: (object | string)[]): Promise<Exit & { replies: Reply[] }> {
  const lines = messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
  const env = { TENANT_MCP_TOKEN: await mintTestToken(root, root.tenants[0]!.id) };
  const exit = await runServer(env, [], `${lines.join('\n')}\n`);
  expect(exit.stdout.endsWith('\n')).toBe(true);
  const replies = exit.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Reply);
  return { ...exit, replies };
}

const OPENING = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT_PARAMS },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
];

describe('the stdio server as Claude Desktop starts it', () => {
  it('lists the tools and answers a query over stdio', async () => {
    const tenant = root.tenants[0]!;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, '--config', configFile],
      env: {
        PATH: process.env.PATH ?? '',
        TENANT_MCP_TOKEN: await mintTestToken(root, tenant.id),
        [SECRET_ENV]: root.secret,
      },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'desktop-like', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'blocked_items',
        'describe_table',
        'list_tables',
        'project_status',
        'query',
        'search',
        'work_item',
        'workload',
      ]);
      const result = await client.callTool({
        name: 'query',
        arguments: { sql: 'SELECT count(*) AS n FROM users' },
      });
      expect(result.isError).toBeFalsy();
      const rows = (result.structuredContent as { rows: unknown[][] }).rows;
      expect(rows).toEqual([[tenant.rowCounts.users]]);
    } finally {
      await client.close();
    }
  });

  it('answers an oversized request with REQUEST_TOO_LARGE and keeps the session', async () => {
    const child = spawn(process.execPath, [BIN, '--config', configFile], {
      env: {
        PATH: process.env.PATH ?? '',
        TENANT_MCP_TOKEN: await mintTestToken(root, root.tenants[0]!.id),
        [SECRET_ENV]: root.secret,
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const replies: { id: unknown; error?: { message: string }; result?: unknown }[] = [];
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) replies.push(JSON.parse(line) as (typeof replies)[number]);
    });
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT_PARAMS });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const sql = 'SELECT length(?) AS n';
    send({
      jsonrpc: '2.0',
      method: 'tools/call',
      params: { name: 'query', arguments: { sql, params: ['x'.repeat(12e6)] } },
      id: 2,
    });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'query', arguments: { sql: 'SELECT 42' } },
    });
    await vi.waitFor(() => expect(replies.map((r) => r.id)).toContain(3), { timeout: 15_000 });
    child.stdin.end();
    expect(replies.find((r) => r.id === 2)?.error?.message).toMatch(/^REQUEST_TOO_LARGE: /);
    expect(replies.find((r) => r.id === 3)?.result).toMatchObject({
      structuredContent: { rows: [[42]] },
    });
  });

  it('exits with code 0 when the client closes stdin', async () => {
    const exit = await runServer({
      TENANT_MCP_TOKEN: await mintTestToken(root, root.tenants[1]!.id),
    });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe('');
    // Logs are JSON lines on stderr and never carry the token or the secret.
    expect(exit.stderr).toContain('"msg":"serving"');
    expect(exit.stderr).not.toContain(root.secret);
  });
});

describe('a script that writes its requests and closes stdin', () => {
  // Long enough to be still running when the end of stdin is read.
  const COUNT_TO = 300_000;
  const slowSql = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${COUNT_TO}) SELECT count(*) FROM c`;
  const query = (id: number) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'query', arguments: { sql: slowSql } },
  });

  it('gets the answers to the calls in flight, then the server exits 0', async () => {
    const { code, replies, stderr } = await exchange([...OPENING, query(2), query(4)]);
    expect(code).toBe(0);
    expect(replies.map((r) => r.id).sort()).toEqual([1, 2, 4]);
    for (const id of [2, 4]) {
      expect(replies.find((r) => r.id === id)?.result?.structuredContent?.rows).toEqual([
        [COUNT_TO],
      ]);
    }
    expect(stderr).not.toContain('QUERY_CANCELLED');
  });
});

describe('a line that is not one JSON-RPC message', () => {
  it('is answered with a JSON-RPC error, and the session keeps serving', async () => {
    const { code, replies } = await exchange([
      ...OPENING,
      '{"jsonrpc":"2.0","id":2,"method":"tools/call",',
      [{ jsonrpc: '2.0', id: 3, method: 'ping' }],
      { jsonrpc: '2.0', id: 4, method: 'ping', extra: 'key' },
      { jsonrpc: '1.0', id: 'five', method: 'ping' },
      { jsonrpc: '2.0', id: 6, method: 'ping' },
    ]);
    expect(code).toBe(0);
    const errors = replies.filter((r) => r.error).map((r) => [r.id, r.error?.code, r.error?.data]);
    expect(errors).toEqual([
      [null, -32700, { code: 'REQUEST_PARSE_ERROR' }],
      [null, -32600, { code: 'REQUEST_INVALID' }],
      [4, -32600, { code: 'REQUEST_INVALID' }],
      ['five', -32600, { code: 'REQUEST_INVALID' }],
    ]);
    expect(replies.find((r) => r.id === 6)).toEqual({ jsonrpc: '2.0', id: 6, result: {} });
    expect(replies.every((r) => r.jsonrpc === '2.0')).toBe(true);
  });
});

describe('a refused start', () => {
  async function refusal(env: Record<string, string>): Promise<Exit> {
    const exit = await runServer(env);
    expect(exit.code).toBe(2);
    expect(exit.stdout).toBe('');
    expect(exit.stderr.trim().split('\n')).toHaveLength(1);
    return exit;
  }

  it('says TOKEN_MISSING when no token is given', async () => {
    expect((await refusal({})).stderr).toMatch(/^tenant-mcp: TOKEN_MISSING: /);
  });

  it('says TOKEN_EXPIRED for an expired token and never prints it', async () => {
    const expired = await mintTestToken(root, root.tenants[0]!.id, -3600);
    const exit = await refusal({ TENANT_MCP_TOKEN: expired });
    expect(exit.stderr).toMatch(/^tenant-mcp: TOKEN_EXPIRED: /);
    expect(exit.stderr).not.toContain(expired);
  });

  it('says TOKEN_BAD_SIGNATURE for a token signed with another secret', async () => {
    const forged = await new SignJWT({ tenant_id: root.tenants[0]!.id })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('x'.repeat(48)));
    expect((await refusal({ TENANT_MCP_TOKEN: forged })).stderr).toMatch(/TOKEN_BAD_SIGNATURE/);
  });

  it('says TOKEN_MALFORMED for a string that is not a JWT', async () => {
    expect((await refusal({ TENANT_MCP_TOKEN: 'not-a-jwt' })).stderr).toMatch(/TOKEN_MALFORMED/);
  });

  it('says TENANT_NOT_FOUND for a valid token naming a tenant without a file', async () => {
    const exit = await refusal({ TENANT_MCP_TOKEN: await mintTestToken(root, 'ghost-tenant') });
    expect(exit.stderr).toMatch(/^tenant-mcp: TENANT_NOT_FOUND: /);
    expect(exit.stderr).not.toContain(root.root);
  });

  it('says TENANT_FILE_REFUSED for a tenant folder that is a symlink to another tenant', async () => {
    const target = join(root.root, 'tenants', root.tenants[0]!.id);
    symlinkSync(target, join(root.root, 'tenants', 'linked-tenant'));
    const exit = await refusal({ TENANT_MCP_TOKEN: await mintTestToken(root, 'linked-tenant') });
    expect(exit.stderr).toMatch(/^tenant-mcp: TENANT_FILE_REFUSED: /);
  });

  it('says TENANT_NOT_FOUND and creates nothing when main.db is missing', async () => {
    mkdirSync(join(root.root, 'tenants', 'empty-tenant'));
    const exit = await refusal({ TENANT_MCP_TOKEN: await mintTestToken(root, 'empty-tenant') });
    expect(exit.stderr).toMatch(/TENANT_NOT_FOUND/);
    expect(existsSync(join(root.root, 'tenants', 'empty-tenant', 'main.db'))).toBe(false);
  });
});
