import type { Scope } from '../platform/scope.ts';
import type { Queryable } from '../platform/db.ts';
import { ownerBalances } from './repository.ts';

// The movement writers are statement builders and live in the repository; payments and refunds import them from here.
export { movementParts, writeMovement } from './repository.ts';

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
  /** A Connect platform's funds held against its connected accounts' negative balances (src/connect/reserves.ts). */
  connect_reserved: BalanceAmount[];
}

/**
 * A merchant's balance, derived from the ledger: merchant accounts are credit-normal, so each balance is the
 * negated sum of its postings. Every amount list has the default currency first, even at zero, as at Stripe.
 */
export async function merchantBalance(db: Queryable, scope: Scope, defaultCurrency: string): Promise<MerchantBalance> {
  const rows = await ownerBalances(db, scope.accountId, scope.livemode, ['merchant_available', 'merchant_pending', 'merchant_authorized', 'merchant_payouts_in_transit', 'merchant_connect_reserved']);
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
    connect_reserved: amounts('merchant_connect_reserved'),
  };
}

/** The available balance in one currency (for payouts), from the same derivation. */
export async function availableBalance(db: Queryable, scope: Scope, currency: string): Promise<number> {
  const rows = await ownerBalances(db, scope.accountId, scope.livemode, ['merchant_available']);
  // 0 - x, not -x: an empty balance is 0, never -0.
  return 0 - (rows.find((row) => row.currency === currency)?.balance ?? 0);
}
