/**
 * `npm run bench:http`: only the HTTP load part of `npm run bench`, in its own scratch folder.
 * Arguments are node flags for the server process, to profile it under load:
 * `npm run bench:http -- --cpu-prof --cpu-prof-dir=/tmp/tenant-mcp-prof`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchHttpLoad } from './http-load.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tenant-mcp-bench-http-'));
const print = (line = '') => process.stdout.write(`${line}\n`);
const serverNodeFlags = process.argv.slice(2);

try {
  print(`tenant-mcp HTTP load benchmark: node ${process.version}`);
  await benchHttpLoad({ repo, scratch, serverNodeFlags }, print);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
