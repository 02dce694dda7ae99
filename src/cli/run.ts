import { resolve } from 'node:path';
import { loadConfig, type Config } from '../config/load.js';
import { SERVER_VERSION } from '../version.js';
import { HELP, parseCommand } from './args.js';
import { runDemo } from './commands/demo.js';
import { runMigrate } from './commands/migrate.js';
import { serveStdio } from './commands/serve.js';
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

async function dispatch(io: Io): Promise<number> {
  const command = parseCommand(io.argv);
  switch (command.name) {
    case 'help':
      io.stderr.write(HELP);
      return 0;
    case 'version':
      io.stderr.write(`tenant-mcp ${SERVER_VERSION}\n`);
      return 0;
    case 'serve':
      return serveStdio(configFor(command.config, io), command.tokenFile, io);
    case 'migrate':
      return runMigrate(configFor(command.config, io), command, io);
    case 'demo':
      return runDemo(configFor(command.config, io), command, io);
  }
}

function configFor(flag: string | undefined, io: Io): Config {
  return loadConfig(resolve(io.cwd, flag ?? io.env.TENANT_MCP_CONFIG ?? 'mcp.config.json'));
}
