/**
 * Small pieces shared by the domain SQL. Every fragment here is a constant of this module,
 * chosen by a boolean or an alias written in our own SQL; model-supplied values only ever
 * reach SQLite as bound parameters.
 */

/** `AND <alias>.deleted_at IS NULL`, or nothing when deleted rows were asked for. */
export function live(alias: string, includeDeleted: boolean): string {
  return includeDeleted ? '' : `AND ${alias}.deleted_at IS NULL`;
}

/**
 * How people are named to users: the name, or the email when the name is empty; a user row
 * that is gone is still someone.
 */
export function actor(alias: string): string {
  return `COALESCE(NULLIF(${alias}.name, ''), ${alias}.email, 'unknown user')`;
}

/** Who holds an item: NULL only when `idColumn` is NULL (nobody is assigned). */
export function holder(alias: string, idColumn: string): string {
  return `CASE WHEN ${idColumn} IS NULL THEN NULL ELSE ${actor(alias)} END`;
}

/** The KEY-N label of work item `w` in project `p`. */
export function itemLabel(project: string, item: string): string {
  return `${project}.key || '-' || ${item}.item_number`;
}

/** Seconds a time entry logged; NULL for a timer that still runs. */
export function loggedSeconds(alias: string): string {
  return `COALESCE(${alias}.duration_seconds, ${alias}.ended_at - ${alias}.started_at)`;
}

/** True for a timer that is still running: no end and no duration yet. */
export function running(alias: string): string {
  return `(${alias}.ended_at IS NULL AND ${alias}.duration_seconds IS NULL)`;
}

/** Unix seconds as an ISO 8601 UTC timestamp without milliseconds. */
export function iso(seconds: number): string {
  const date = new Date(seconds * 1000);
  // A value no Date can hold (text, or beyond year 275760) is shown as it is stored.
  if (Number.isNaN(date.getTime())) return String(seconds);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `iso` that keeps NULL. */
export function isoOrNull(seconds: number | null): string | null {
  return seconds === null ? null : iso(seconds);
}

/** The current time in Unix seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Cuts long text for a model, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** `T` with its nullable fields turned into optional ones. */
export type NullsDropped<T> = {
  [K in keyof T as null extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as null extends T[K] ? K : never]?: Exclude<T[K], null>;
};

/** Leaves out the fields that are NULL: an absent field costs a model nothing to read. */
export function dropNulls<T extends object>(value: T): NullsDropped<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as NullsDropped<T>;
}
