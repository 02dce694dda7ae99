import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

/**
 * Runs the server bundle with V8's code cache.
 *
 * Compiling the functions that a start runs is a large part of the start, and V8 can keep
 * that work in a code cache: one made after a serving run (the build makes it, see
 * warm-up.ts) brings a start from about 2.4 to about 1.6 times a bare `node -e ''`. Node 20
 * has no compile cache for modules, so the bundle is a CommonJS script run through node:vm,
 * which takes one.
 *
 * V8 checks a cache against its own version and flags but against the source's length only,
 * so the file begins with a hash of the bundle it was made from: a cache that does not match
 * is ignored and the bundle compiled afresh. The cache is code: it lives beside the bundle,
 * never in a folder others can write to.
 */

/** Set for the build's warm-up run only (see warm-up.ts): the run saves the code cache. */
export const SAVE_CACHE_ENV = 'TENANT_MCP_SAVE_CODE_CACHE';

/** The name the bundle uses for its own file URL, where its sources say `import.meta.url`. */
export const BUNDLE_URL = '__tenantMcpBundleUrl';

const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname', BUNDLE_URL];

type Wrapped = (...args: unknown[]) => void;

/** Runs `bundle`; with `saveCache`, writes its code cache when the process exits. */
export function runBundle(bundle: string, { saveCache = false } = {}): void {
  const source = readFileSync(bundle, 'utf8');
  const digest = createHash('sha256').update(source).digest();
  const cacheFile = codeCachePath(bundle);
  const script = new Script(`(function (${PARAMETERS.join(', ')}) {\n${source}\n})`, {
    filename: bundle,
    // The wrapper takes a line of its own: stack traces keep the bundle's line numbers.
    lineOffset: -1,
    ...readCache(cacheFile, digest),
  });
  // At exit, every function the run needed has been compiled and goes into the cache.
  if (saveCache) process.once('exit', () => writeCache(script, cacheFile, digest));
  const main = script.runInThisContext() as Wrapped;
  const module = { exports: {} };
  const url = pathToFileURL(bundle).href;
  main(module.exports, createRequire(bundle), module, bundle, dirname(bundle), url);
}

/** Where the code cache of `bundle` is kept. */
export function codeCachePath(bundle: string): string {
  return `${bundle}.v8cache`;
}

function readCache(file: string, digest: Buffer): { cachedData?: Buffer } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return {};
  }
  const matches = data.length > digest.length && data.subarray(0, digest.length).equals(digest);
  return matches ? { cachedData: data.subarray(digest.length) } : {};
}

function writeCache(script: Script, file: string, digest: Buffer): void {
  // Renamed into place, so a start never reads a half-written cache.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, Buffer.concat([digest, script.createCachedData()]));
  renameSync(partial, file);
}
