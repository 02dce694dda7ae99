import { resolve } from 'node:path';
import type { Config } from '../config/load.js';
import { SERVER_VERSION } from '../version.js';
import { HELP, parseCommand } from './args.js';
import { exitCodeFor, failureLine } from './exit.js';
import type { Io } from './io.js';

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function run(io: Io): Promise<number> {
  try {
    return await dispatch(io);
  } catch (error) {
    io.stderr.write(failureLine(error));
    return exitCodeFor(error);
  }
}

// Each command is imported only when chosen: `serve` is what a client waits for at every
// start, and it must not pay for the demo builder or the migration reports (nor --help for any).
async function dispatch(io: Io): Promise<number> {
  const command = parseCommand(io.argv);
  switch (command.name) {
    case 'help':
      io.stdout.write(HELP);
      return 0;
    case 'version':
      io.stdout.write(`tenant-mcp ${SERVER_VERSION}\n`);
      return 0;
    case 'serve': {
      const { serveStdio } = await import('./commands/serve.js');
      return serveStdio(await configFor(command.config, io), command.tokenFile, io);
    }
    case 'serve-http': {
      const { serveHttp } = await import('./commands/serve-http.js');
      return serveHttp(await configFor(command.config, io), io);
    }
    case 'migrate': {
      const { runMigrate } = await import('./commands/migrate.js');
      return runMigrate(await configFor(command.config, io), command, io);
    }
    case 'demo': {
      const { runDemo } = await import('./commands/demo.js');
      return runDemo(await configFor(command.config, io), command, io);
    }
  }
}

async function configFor(flag: string | undefined, io: Io): Promise<Config> {
  const { loadConfig } = await import('../config/load.js');
  return loadConfig(resolve(io.cwd, flag ?? io.env.TENANT_MCP_CONFIG ?? 'mcp.config.json'));
}
