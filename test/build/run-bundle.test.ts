import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCachePath } from '../../src/build/run-bundle.js';
import { REPO } from '../support/demo-root.js';

// The loader runs in a process of its own, as bin/tenant-mcp.js runs it: the cache is saved
// when that process exits. `npm test` builds dist/ first.
const LOADER = pathToFileURL(join(REPO, 'dist', 'build', 'run-bundle.js')).href;

let folder: string;
let bundle: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tenant-mcp-bundle-'));
  bundle = join(folder, 'bundle.cjs');
});

afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `bundle` through the loader and returns what it printed. */
function run(saveCache = false): string {
  const script = `import { runBundle } from ${JSON.stringify(LOADER)};
    runBundle(${JSON.stringify(bundle)}, { saveCache: ${saveCache} });`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  return child.stdout;
}

/** A bundle that prints `word`, its own file name and its URL. */
function writeBundle(word: string): void {
  writeFileSync(
    bundle,
    `function say(w) { process.stdout.write(w + ' ' + require('node:path').basename(__filename) + ' ' + __tenantMcpBundleUrl.slice(0, 7)); }\nsay('${word}');`,
  );
}

describe('runBundle', () => {
  it('runs a bundle as a CommonJS script that knows its file, and saves no cache unless asked', () => {
    writeBundle('alpha');
    expect(run()).toBe('alpha bundle.cjs file://');
    expect(existsSync(codeCachePath(bundle))).toBe(false);
  });

  it('saves a code cache at exit when asked, headed by a hash of the bundle, and runs with it', () => {
    writeBundle('alpha');
    expect(run(true)).toBe('alpha bundle.cjs file://');
    const cache = readFileSync(codeCachePath(bundle));
    expect(cache.length).toBeGreaterThan(32);
    expect(run()).toBe('alpha bundle.cjs file://');
  });

  it('ignores a cache made from another bundle of the same length', () => {
    writeBundle('alpha');
    run(true);
    writeBundle('gamma');
    expect(run()).toBe('gamma bundle.cjs file://');
  });

  it('ignores a cache file that is not one', () => {
    writeBundle('alpha');
    writeFileSync(codeCachePath(bundle), 'not a cache');
    expect(run()).toBe('alpha bundle.cjs file://');
  });
});
