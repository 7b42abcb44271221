import { balanceTransactionsInsertStatement } from '../balance-transactions/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { combine, rowsIn, run, type PartOptions, type Statement } from '../platform/statements.ts';
import type { LedgerKind } from './accounts.ts';
import type { LedgerEntry } from './entries.ts';
import type { Movement } from './movements.ts';

function guarded(insert: string, rows: string[], options: PartOptions): string {
  return options.onlyIfRowsIn ? `${insert} SELECT * FROM (VALUES ${rows.join(', ')}) AS new_rows WHERE ${rowsIn(options.onlyIfRowsIn)}` : `${insert} VALUES ${rows.join(', ')}`;
}

/**
 * The writes of journal entries, as two statements for `combine` (entries, then their postings); with `onlyIfRowsIn`,
 * only when that earlier part of the statement returned a row. Every entry's postings are in the one postings statement, as the database's
 * balance trigger requires.
 */
export function entriesInsertStatements(entries: readonly LedgerEntry[], options: PartOptions = {}): { entries: Statement; postings: Statement } {
  const entryValues: unknown[] = [];
  const entryRows: string[] = [];
  const postingValues: unknown[] = [];
  const postingRows: string[] = [];
  for (const entry of entries) {
    entryValues.push(entry.id, entry.accountId, entry.livemode, entry.type, entry.sourceId, entry.balanceTransactionId, entry.resolvesEntryId,
      entry.postings.length, entry.created, entry.contentHash);
    const e = entryValues.length - 10;
    entryRows.push(`($${e + 1}::text, $${e + 2}::text, $${e + 3}::boolean, $${e + 4}::text, $${e + 5}::text, $${e + 6}::text, $${e + 7}::text, $${e + 8}::integer, $${e + 9}::bigint, $${e + 10}::bytea)`);
    entry.postings.forEach((posting, index) => {
      postingValues.push(entry.id, index + 1, entry.postings.length, posting.owner, entry.livemode, posting.kind, posting.currency, posting.amount);
      const p = postingValues.length - 8;
      postingRows.push(`($${p + 1}::text, $${p + 2}::smallint, $${p + 3}::smallint, $${p + 4}::text, $${p + 5}::boolean, $${p + 6}::text, $${p + 7}::text, $${p + 8}::bigint)`);
    });
  }
  return {
    entries: {
      text: guarded('INSERT INTO ledger_entries (id, account_id, livemode, type, source_id, balance_transaction_id, resolves_entry_id, posting_count, created, content_hash)', entryRows, options),
      values: entryValues,
    },
    postings: {
      text: guarded('INSERT INTO ledger_postings (entry_id, line, line_count, owner_id, livemode, kind, currency, amount)', postingRows, options),
      values: postingValues,
    },
  };
}

/** Writes entries inside the caller's transaction (two statements; the postings' trigger checks each balances). */
export async function insertEntries(client: Queryable, entries: readonly LedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const statements = entriesInsertStatements(entries);
  await run(client, statements.entries);
  await run(client, statements.postings);
}

/**
 * The writes of a movement as parts for `combine`, named `<prefix>_entries`, `<prefix>_postings` and
 * `<prefix>_transactions`; with `onlyIfRowsIn`, written only when that earlier part returned a row.
 */
export function movementParts(prefix: string, movement: Partial<Movement>, options: PartOptions = {}): { name: string; statement: Statement }[] {
  const parts: { name: string; statement: Statement }[] = [];
  const entries = movement.entries ?? [];
  if (entries.length > 0) {
    const statements = entriesInsertStatements(entries, options);
    parts.push({ name: `${prefix}_entries`, statement: statements.entries }, { name: `${prefix}_postings`, statement: statements.postings });
  }
  const transactions = movement.balanceTransactions ?? [];
  if (transactions.length > 0) parts.push({ name: `${prefix}_transactions`, statement: balanceTransactionsInsertStatement(transactions, options) });
  return parts;
}

/** Writes a movement inside the caller's transaction, in one statement. */
export async function writeMovement(client: Queryable, movement: Partial<Movement>): Promise<void> {
  const parts = movementParts('movement', movement);
  if (parts.length === 0) return;
  // PostgreSQL runs every data-modifying WITH part to completion whether or not the final query reads it.
  await run(client, combine(parts, 'SELECT 1 AS written'));
}

export interface BalanceRow {
  owner_id: string;
  kind: LedgerKind;
  currency: string;
  balance: number;
}

/**
 * Current balances of an owner's ledger accounts (debit positive): sealed balances plus the postings of committed
 * entries the sealer has not reached yet. Both parts come from one snapshot, and the sealer moves an entry from the
 * second to the first in one transaction, so nothing is counted twice or missed.
 */
export async function ownerBalances(db: Queryable, ownerId: string, livemode: boolean, kinds?: readonly LedgerKind[]): Promise<BalanceRow[]> {
  const result = await db.query<BalanceRow>(
    `SELECT owner_id, kind, currency, sum(balance)::bigint AS balance FROM (
       SELECT owner_id, kind, currency, balance FROM ledger_balances WHERE owner_id = $1 AND livemode = $2
       UNION ALL
       SELECT p.owner_id, p.kind, p.currency, p.amount FROM ledger_entries e JOIN ledger_postings p ON p.entry_id = e.id
        WHERE e.chain_position IS NULL AND p.owner_id = $1 AND p.livemode = $2 AND e.livemode = $2
          AND (e.account_id = $1 OR $1 = 'platform')
     ) parts
     WHERE $3::text[] IS NULL OR kind = ANY($3::text[])
     GROUP BY owner_id, kind, currency ORDER BY kind, currency`,
    [ownerId, livemode, kinds ?? null],
  );
  return result.rows;
}
