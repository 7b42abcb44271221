import { balanceTransactionsInsertStatement } from '../balance-transactions/repository.ts';
import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { combine, run, type Statement } from '../platform/statements.ts';
import type { Movement } from './movements.ts';
import { entriesInsertStatements, ownerBalances } from './repository.ts';

/**
 * The writes of a movement as parts for `combine`, named `<prefix>_entries`, `<prefix>_postings` and
 * `<prefix>_transactions`; with `guard`, written only when that SQL condition holds.
 */
export function movementParts(prefix: string, movement: Partial<Movement>, guard?: string): { name: string; statement: Statement }[] {
  const parts: { name: string; statement: Statement }[] = [];
  const entries = movement.entries ?? [];
  if (entries.length > 0) {
    const statements = entriesInsertStatements(entries, guard);
    parts.push({ name: `${prefix}_entries`, statement: statements.entries }, { name: `${prefix}_postings`, statement: statements.postings });
  }
  const transactions = movement.balanceTransactions ?? [];
  if (transactions.length > 0) parts.push({ name: `${prefix}_transactions`, statement: balanceTransactionsInsertStatement(transactions, guard) });
  return parts;
}

/** Writes a movement inside the caller's transaction, in one statement. */
export async function writeMovement(client: Queryable, movement: Partial<Movement>): Promise<void> {
  const parts = movementParts('movement', movement);
  if (parts.length === 0) return;
  // PostgreSQL runs every data-modifying WITH part to completion whether or not the final query reads it.
  await run(client, combine(parts, 'SELECT 1 AS written'));
}

export interface BalanceAmount {
  amount: number;
  currency: string;
  source_types: { card: number };
}

export interface MerchantBalance {
  available: BalanceAmount[];
  pending: BalanceAmount[];
  /** Authorization holds not yet captured (a Payrail extension). */
  authorized: BalanceAmount[];
  /** Payouts sent and not yet confirmed by the bank (a Payrail extension). */
  in_transit: BalanceAmount[];
}

/**
 * A merchant's balance, derived from the ledger: merchant accounts are credit-normal, so each balance is the
 * negated sum of its postings. Every amount list has the default currency first, even at zero, as at Stripe.
 */
export async function merchantBalance(db: Queryable, scope: Scope, defaultCurrency: string): Promise<MerchantBalance> {
  const rows = await ownerBalances(db, scope.accountId, scope.livemode, ['merchant_available', 'merchant_pending', 'merchant_authorized', 'merchant_payouts_in_transit']);
  const amounts = (kind: string): BalanceAmount[] => {
    const byCurrency = new Map<string, number>([[defaultCurrency, 0]]);
    for (const row of rows) if (row.kind === kind) byCurrency.set(row.currency, (byCurrency.get(row.currency) ?? 0) - row.balance);
    return [...byCurrency].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
  };
  return {
    available: amounts('merchant_available'),
    pending: amounts('merchant_pending'),
    authorized: amounts('merchant_authorized'),
    in_transit: amounts('merchant_payouts_in_transit'),
  };
}

/** The available balance in one currency (for payouts), from the same derivation. */
export async function availableBalance(db: Queryable, scope: Scope, currency: string): Promise<number> {
  const rows = await ownerBalances(db, scope.accountId, scope.livemode, ['merchant_available']);
  // 0 - x, not -x: an empty balance is 0, never -0.
  return 0 - (rows.find((row) => row.currency === currency)?.balance ?? 0);
}
