#!/usr/bin/env node
// Runs the bundle that `npm run build` makes of dist/cli/main.js, with V8's code cache
// (see src/build/run-bundle.ts). The build's warm-up run alone asks for the cache to be saved.
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { SAVE_CACHE_ENV, runBundle } from '../dist/build/run-bundle.js';

runBundle(fileURLToPath(new URL('../dist/bundle/tenant-mcp.cjs', import.meta.url)), {
  saveCache: process.env[SAVE_CACHE_ENV] === '1',
});
