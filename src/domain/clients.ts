import { quoteIdentifier, type Connection } from '../db/open.js';
import type { Cell } from '../query/encode.js';
import { columnsOf, foreignKeysOf, listTableNames } from '../schema/introspect.js';
import type { QueryRunner } from '../query/run.js';

/** The host's clients table as far as a summary needs it. */
export interface ClientTable {
  table: string;
  nameColumn: string;
  /** The key column, or rowid when the table declares none. */
  keyColumn: string;
  /** Tables that point at clients, with the pointing columns. */
  referencedBy: { table: string; columns: string[] }[];
}

/** A client found by name: its key value as stored and its name. */
export interface ClientMatch {
  key: Cell;
  name: string;
}

const NAME_COLUMNS = ['full_name', 'name', 'display_name', 'preferred_name'];
const LOOKUP_MS = 2000;

/** The platform's `clients` table and its name column, when the host has them. */
export function clientTable(db: Connection): ClientTable | undefined {
  const tables = listTableNames(db).filter((t) => t.kind === 'table' && t.group === 'platform');
  const clients = tables.find((t) => t.name === 'clients');
  if (!clients) return undefined;
  const columns = columnsOf(db, clients.name);
  const text = columns.filter((c) => /CHAR|CLOB|TEXT/i.test(c.type)).map((c) => c.name);
  const nameColumn =
    NAME_COLUMNS.find((n) => text.includes(n)) ?? text.find((n) => /name/i.test(n));
  if (nameColumn === undefined) return undefined;
  const keys = columns.filter((c) => c.primaryKey > 0);
  return {
    table: clients.name,
    nameColumn,
    keyColumn: keys.length === 1 && keys[0] ? keys[0].name : 'rowid',
    referencedBy: tables.flatMap((t) =>
      foreignKeysOf(db, t.name)
        .filter((fk) => fk.table.toLowerCase() === 'clients')
        .map((fk) => ({ table: t.name, columns: fk.columns })),
    ),
  };
}

/** Clients whose name equals `name`, ignoring ASCII case; at most five. */
export async function findClients(
  runner: QueryRunner,
  t: ClientTable,
  name: string,
): Promise<ClientMatch[]> {
  const result = await runner.run({
    sql: `SELECT ${keyExpr(t)}, ${quoteIdentifier(t.nameColumn)} FROM main.${quoteIdentifier(t.table)}
      WHERE ${quoteIdentifier(t.nameColumn)} = :name COLLATE NOCASE LIMIT 5`,
    params: { name },
    maxRows: 5,
    timeoutMs: LOOKUP_MS,
  });
  return result.rows.map((row) => ({ key: row[0] ?? null, name: String(row[1]) }));
}

/** Client names starting with `prefix` (ASCII case ignored), for argument completion. */
export async function clientNames(
  runner: QueryRunner,
  t: ClientTable,
  prefix: string,
): Promise<string[]> {
  const column = quoteIdentifier(t.nameColumn);
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const result = await runner.run({
    sql: `SELECT DISTINCT ${column} FROM main.${quoteIdentifier(t.table)}
      WHERE ${column} LIKE :pattern ESCAPE '\\' ORDER BY 1 LIMIT 50`,
    params: { pattern },
    maxRows: 50,
    timeoutMs: LOOKUP_MS,
  });
  return result.rows.map((row) => row[0]).filter((c): c is string => typeof c === 'string');
}

function keyExpr(t: ClientTable): string {
  return t.keyColumn === 'rowid' ? 'rowid' : quoteIdentifier(t.keyColumn);
}
