import { z } from 'zod';
import { ITEM_KEY, PROJECT_KEY } from '../../domain/keys.js';

/** Shared input fields of the domain tools. */
export const includeDeleted = z.boolean().optional().describe('Include soft-deleted rows');

/** A project key argument. */
export const projectKey = z.string().regex(PROJECT_KEY).describe('Project key, e.g. SPRING');

/** A work item key argument. */
export const itemKey = z.string().regex(ITEM_KEY).describe('KEY-N, e.g. SPRING-12');

/** Seconds as hours with two decimals, the way people read logged time. */
export function hours(seconds: number): string {
  return `${(seconds / 3600).toFixed(2)}h`;
}

/** `a: 1, b: 2` from a record of counts, leaving out zeros. */
export function counts(record: Record<string, number>): string {
  const parts = Object.entries(record).filter(([, n]) => n > 0);
  return parts.length ? parts.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}
