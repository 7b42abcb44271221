import { balanceTransactionsInsertStatement } from '../balance-transactions/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { combine, jsonRowsInsert, run, type PartOptions, type Statement } from '../platform/statements.ts';
import type { LedgerKind } from './accounts.ts';
import type { LedgerEntry } from './entries.ts';
import type { Movement } from './movements.ts';

const entryColumns = ['id', 'account_id', 'livemode', 'type', 'source_id', 'balance_transaction_id', 'resolves_entry_id', 'posting_count', 'created', 'content_hash'];
const postingColumns = ['entry_id', 'line', 'line_count', 'owner_id', 'livemode', 'kind', 'currency', 'amount'];

/**
 * The writes of journal entries, as two statements for `combine` (entries, then their postings); with `onlyIfRowsIn`,
 * only when that earlier part of the statement returned a row. Every entry's postings are in the one postings statement, as the database's
 * balance trigger requires.
 */
export function entriesInsertStatements(entries: readonly LedgerEntry[], options: PartOptions = {}): { entries: Statement; postings: Statement } {
  const entryRows = entries.map((entry) => ({
    id: entry.id, account_id: entry.accountId, livemode: entry.livemode, type: entry.type, source_id: entry.sourceId, balance_transaction_id: entry.balanceTransactionId,
    resolves_entry_id: entry.resolvesEntryId, posting_count: entry.postings.length, created: entry.created, content_hash: entry.contentHash,
  }));
  const postingRows = entries.flatMap((entry) => entry.postings.map((posting, index) => ({
    entry_id: entry.id, line: index + 1, line_count: entry.postings.length, owner_id: posting.owner, livemode: entry.livemode, kind: posting.kind, currency: posting.currency, amount: posting.amount,
  })));
  return {
    entries: jsonRowsInsert('ledger_entries', entryColumns, entryRows, options),
    postings: jsonRowsInsert('ledger_postings', postingColumns, postingRows, options),
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
