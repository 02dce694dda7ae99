import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { DemoRoot } from '../../src/demo/build.js';
import { buildSmall, contentHash, readTenant, tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function buildInTemp(seed?: number): DemoRoot {
  const temp = tempDir();
  cleanups.push(temp.cleanup);
  return buildSmall(temp.dir, seed);
}

function hashes(demo: DemoRoot): string[] {
  return demo.tenants.map((tenant) => readTenant(tenant.file, contentHash));
}

test('the same seed builds tenants with identical content in every table', () => {
  const first = hashes(buildInTemp(7));
  const second = hashes(buildInTemp(7));
  expect(second).toEqual(first);
  expect(first[0]).not.toBe(first[1]);
});

test('another seed builds different content', () => {
  expect(hashes(buildInTemp(8))).not.toEqual(hashes(buildInTemp(7)));
});

test('building again into the same root replaces the tenants and keeps the secret', () => {
  const temp = tempDir();
  cleanups.push(temp.cleanup);
  const first = buildSmall(temp.dir, 7);
  const before = hashes(first);
  const stray = join(temp.dir, 'tenants', 'sakura-mentors', 'stray.txt');
  writeFileSync(stray, 'left over from an older build');

  const second = buildSmall(temp.dir, 7);

  expect(hashes(second)).toEqual(before);
  expect(second.secret).toBe(first.secret);
  expect(() => statSync(stray)).toThrow();
});
