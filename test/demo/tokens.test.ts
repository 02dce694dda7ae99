import { jwtVerify } from 'jose';
import { expect, test } from 'vitest';
import { claudeDesktopSnippet, mintDemoToken } from '../../src/demo/tokens.js';

const SECRET = 'a-development-secret-that-is-long-enough-for-hs256';
const key = new TextEncoder().encode(SECRET);

test('a minted token verifies with the secret and carries the tenant id', async () => {
  const token = await mintDemoToken({
    secret: SECRET,
    tenantId: 'northwind-coaching',
    issuer: 'tenant-mcp-demo',
    audience: 'tenant-mcp',
    ttlSeconds: 600,
  });
  const { payload, protectedHeader } = await jwtVerify(token, key, {
    algorithms: ['HS256'],
    issuer: 'tenant-mcp-demo',
    audience: 'tenant-mcp',
    requiredClaims: ['exp', 'iat'],
  });
  expect(protectedHeader.alg).toBe('HS256');
  expect(payload.tenant_id).toBe('northwind-coaching');
  expect(payload.sub).toBe('demo-user');
  expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
});

test('the tenant claim can be renamed to match the server config', async () => {
  const token = await mintDemoToken({
    secret: SECRET,
    tenantId: 'sakura-mentors',
    issuer: 'i',
    audience: 'a',
    ttlSeconds: 60,
    tenantClaim: 'org',
  });
  const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
  expect(payload.org).toBe('sakura-mentors');
  expect(payload.tenant_id).toBeUndefined();
});

test('a token signed with another secret does not verify', async () => {
  const token = await mintDemoToken({
    secret: SECRET,
    tenantId: 'northwind-coaching',
    issuer: 'i',
    audience: 'a',
    ttlSeconds: 60,
  });
  const other = new TextEncoder().encode(`${SECRET}-other`);
  await expect(jwtVerify(token, other, { algorithms: ['HS256'] })).rejects.toThrow();
});

test('the Claude Desktop snippet is the mcpServers JSON for one server', () => {
  const snippet = claudeDesktopSnippet({
    serverName: 'tenant-northwind-coaching',
    command: '/usr/bin/node',
    args: ['/opt/tenant-mcp/bin/tenant-mcp.js', '--config', '/opt/tenant-mcp/mcp.config.json'],
    env: { TENANT_MCP_TOKEN: 'token' },
  });
  expect(JSON.parse(snippet)).toEqual({
    mcpServers: {
      'tenant-northwind-coaching': {
        command: '/usr/bin/node',
        args: ['/opt/tenant-mcp/bin/tenant-mcp.js', '--config', '/opt/tenant-mcp/mcp.config.json'],
        env: { TENANT_MCP_TOKEN: 'token' },
      },
    },
  });
  expect(snippet).toContain('\n  "mcpServers"');
});
