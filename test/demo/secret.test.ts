import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { buildDemoRoot } from '../../src/demo/build.js';
import { ensureDevSecret } from '../../src/demo/secret.js';
import { TenantMcpError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { MIGRATIONS_DIR, tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function freshDir(): string {
  const temp = tempDir();
  cleanups.push(temp.cleanup);
  return temp.dir;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof TenantMcpError ? error.code : 'not a TenantMcpError';
  }
  return undefined;
}

test('a new dev secret has at least 32 bytes and is written with mode 0600', () => {
  const dir = freshDir();
  const secret = ensureDevSecret(dir);
  const file = join(dir, 'dev-secret');
  expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
  expect(readFileSync(file, 'utf8').trim()).toBe(secret);
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

test('an existing dev secret is reused, and one that is too short is refused', () => {
  const dir = freshDir();
  expect(ensureDevSecret(dir)).toBe(ensureDevSecret(dir));
  writeFileSync(join(dir, 'dev-secret'), 'short\n');
  expect(codeOf(() => ensureDevSecret(dir))).toBe('KEY_INVALID');
});

test('the file system root, an empty root and a bad scale are refused before any I/O', () => {
  const build = (root: string, scale?: number) => () =>
    buildDemoRoot({ root, scale, migrationsDir: MIGRATIONS_DIR, logger: silentLogger() });
  expect(codeOf(build('/'))).toBe('USAGE');
  expect(codeOf(build('  '))).toBe('USAGE');
  expect(codeOf(build(freshDir(), 0))).toBe('USAGE');
  expect(codeOf(build(freshDir(), Number.NaN))).toBe('USAGE');
});
