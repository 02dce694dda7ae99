import { DAY, DEMO_NOW } from '../profiles.js';
import type { TenantProfile } from '../profiles.js';
import type { Random } from '../random.js';

/** What every platform generator draws on. */
export interface Gen {
  profile: TenantProfile;
  rng: Random;
  scale: number;
}

/** A scale-1 row count adjusted for the build's scale, never below one. */
export function scaled(gen: Gen, count: number): number {
  return Math.max(1, Math.round(count * gen.scale));
}

/** A moment between `minDays` and `maxDays` days before the demo's "now". */
export function daysAgo(rng: Random, minDays: number, maxDays: number): number {
  return DEMO_NOW - rng.int(minDays, maxDays) * DAY - rng.int(0, DAY - 1);
}

/** `time`, or the demo's "now" if `time` is later. */
export function notAfterNow(time: number): number {
  return Math.min(time, DEMO_NOW);
}
