import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/** A running stdio connection; `closed` settles once the peer hangs up or `stop` is called. */
export interface StdioConnection {
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Connects `server` to a pair of streams. The SDK's transport does not notice that stdin has
 * ended, so the end of input is watched here: a client that closes the pipe ends the session.
 */
export async function connectStdio(
  server: McpServer,
  input: Readable,
  output: Writable,
): Promise<StdioConnection> {
  const transport = new StdioServerTransport(input, output);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  transport.onclose = () => resolveClosed();
  const hangUp = () => void server.close().finally(resolveClosed);
  input.once('end', hangUp);
  input.once('close', hangUp);
  await server.connect(transport);
  return {
    closed,
    stop: async () => {
      await server.close();
      resolveClosed();
    },
  };
}
