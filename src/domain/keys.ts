import { TenantMcpError } from '../errors.js';

/** A project key as users write it: a letter, then letters, digits or underscores. */
export const PROJECT_KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** A work item as users name it: project key, hyphen, item number (`SPRING-12`). */
export const ITEM_KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}-\d{1,9}$/;

/** A parsed `KEY-N`. */
export interface ItemKey {
  project: string;
  number: number;
}

/** Splits `KEY-N` strictly; anything else is ARGUMENT_INVALID. */
export function parseItemKey(text: string): ItemKey {
  if (!ITEM_KEY.test(text)) {
    throw new TenantMcpError('ARGUMENT_INVALID', 'a work item key looks like SPRING-12', {
      hint: 'use the project key, a hyphen and the item number',
    });
  }
  const dash = text.lastIndexOf('-');
  return { project: text.slice(0, dash), number: Number(text.slice(dash + 1)) };
}

/** Checks a project key strictly; anything else is ARGUMENT_INVALID. */
export function checkProjectKey(text: string): string {
  if (PROJECT_KEY.test(text)) return text;
  throw new TenantMcpError('ARGUMENT_INVALID', 'a project key looks like SPRING', {
    hint: 'letters, digits and underscores, starting with a letter',
  });
}
