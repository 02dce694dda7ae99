/**
 * A small reader of SQL text, enough to find the first keyword of each statement. Comments,
 * string literals and quoted names are skipped; a CREATE TRIGGER runs to the END of its body,
 * so the statements inside the body are not counted as statements of their own.
 */

// A statement starting with one of these would end or split the runner's transaction.
const TRANSACTION_KEYWORDS = new Set([
  'BEGIN',
  'COMMIT',
  'END',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
]);

// Sticky: matches only at lastIndex, which tokens() sets before each use.
const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;

const QUOTE_CLOSERS: Record<string, string> = { "'": "'", '"': '"', '`': '`', '[': ']' };

/** The first keyword of each statement in `sql`, upper-cased, in order. */
export function statementKeywords(sql: string): string[] {
  const keywords: string[] = [];
  let statement: string[] = [];
  const trigger = { caseDepth: 0, inBody: false, ended: false };
  for (const token of tokens(sql)) {
    if (token === ';' && (!isCreateTrigger(statement) || trigger.ended)) {
      if (statement[0] !== undefined) keywords.push(statement[0]);
      statement = [];
      Object.assign(trigger, { caseDepth: 0, inBody: false, ended: false });
    } else if (token !== ';') {
      statement.push(token);
      if (isCreateTrigger(statement)) followTrigger(trigger, token);
    }
  }
  if (statement[0] !== undefined) keywords.push(statement[0]);
  return keywords;
}

/** The first statement keyword in `sql` that would end or nest a transaction, if any. */
export function transactionKeywordIn(sql: string): string | undefined {
  return statementKeywords(sql).find((keyword) => TRANSACTION_KEYWORDS.has(keyword));
}

function isCreateTrigger(statement: string[]): boolean {
  return statement[0] === 'CREATE' && statement.slice(1, 3).includes('TRIGGER');
}

/** CASE … END nests inside a trigger; the END that closes no CASE closes the body. */
function followTrigger(
  state: { caseDepth: number; inBody: boolean; ended: boolean },
  word: string,
): void {
  if (word === 'CASE') state.caseDepth += 1;
  else if (word === 'BEGIN' && state.caseDepth === 0) state.inBody = true;
  else if (word === 'END' && state.caseDepth > 0) state.caseDepth -= 1;
  else if (word === 'END' && state.inBody) state.ended = true;
}

/** Upper-cased words and semicolons; everything else is skipped. */
function* tokens(sql: string): Generator<string> {
  let at = 0;
  while (at < sql.length) {
    const char = sql[at] ?? '';
    if (sql.startsWith('--', at)) at = endOf(sql, '\n', at + 2);
    else if (sql.startsWith('/*', at)) at = endOf(sql, '*/', at + 2);
    else if (char in QUOTE_CLOSERS) at = endOfQuoted(sql, QUOTE_CLOSERS[char] ?? char, at + 1);
    else if (char === ';') {
      yield ';';
      at += 1;
    } else {
      WORD.lastIndex = at;
      const word = WORD.exec(sql)?.[0];
      if (word !== undefined) yield word.toUpperCase();
      at += Math.max(1, word?.length ?? 0);
    }
  }
}

function endOf(sql: string, closer: string, from: number): number {
  const found = sql.indexOf(closer, from);
  return found < 0 ? sql.length : found + closer.length;
}

/** A doubled closer inside quotes stands for itself, as in 'it''s'. */
function endOfQuoted(sql: string, closer: string, from: number): number {
  let at = from;
  for (;;) {
    const end = endOf(sql, closer, at);
    if (end >= sql.length || sql[end] !== closer || closer === ']') return end;
    at = end + 1;
  }
}
