import { SignJWT } from 'jose';

/** What a demo token says and how long it lives. */
export interface DemoTokenOptions {
  secret: string;
  tenantId: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** The claim that carries the tenant id; `tenant_id` unless the config names another. */
  tenantClaim?: string;
}

/** Signs an HS256 token for a demo tenant, as the host platform would issue one. */
export async function mintDemoToken(options: DemoTokenOptions): Promise<string> {
  const claim = options.tenantClaim ?? 'tenant_id';
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ [claim]: options.tenantId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('demo-user')
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + options.ttlSeconds)
    .sign(new TextEncoder().encode(options.secret));
}

/** What Claude Desktop needs to start one MCP server. */
export interface DesktopServerOptions {
  serverName: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** A `claude_desktop_config.json` fragment that starts the server, ready to paste. */
export function claudeDesktopSnippet(options: DesktopServerOptions): string {
  const { serverName, command, args, env } = options;
  return JSON.stringify({ mcpServers: { [serverName]: { command, args, env } } }, null, 2);
}
