/**
 * Ledger accounts. A ledger account is (owner, mode, kind, currency); the owner is a merchant account id or
 * `platform`. Amounts on postings are signed: a debit is positive, a credit negative.
 *
 * Merchant-owned kinds are what Payrail owes the merchant (credit-normal, so their balances are shown negated):
 * - `merchant_authorized`: authorization holds on the merchant's customers' cards, not yet captured.
 * - `merchant_pending`: captured funds waiting for their `available_on` date.
 * - `merchant_available`: funds that can be paid out (negative after refunds larger than the balance).
 * - `merchant_payouts_in_transit`: payouts sent to the bank and not yet confirmed paid.
 * - `merchant_connect_reserved`: a Connect platform's funds held against the negative balances of its connected
 *   accounts whose losses it bears (Stripe's `connect_reserved`; src/connect/reserves.ts).
 *
 * Platform-owned kinds:
 * - `authorizations_pending` (debit-normal): the other side of holds, what providers have authorized.
 * - `provider_receivable` (debit-normal): captured money the providers owe the platform.
 * - `provider_refunds` (credit-normal): refunds the providers send back to customers, netted at provider settlement.
 * - `fee_revenue` (credit-normal): the platform's processing fees.
 * - `fx_clearing`: both legs of a currency conversion; per currency it carries the platform's conversion position.
 * - `bank` (debit-normal): the platform's settlement bank account, which payouts leave from.
 * - `connect_clearing`: money on its way between a platform and one of its connected accounts (a transfer, its
 *   reversal, an application fee, its refund). Each such movement is two entries of one statement, one in each
 *   merchant's ledger, whose clearing postings cancel out: per mode and currency it always sums to zero.
 */
export const ledgerKinds = [
  'merchant_authorized', 'merchant_pending', 'merchant_available', 'merchant_payouts_in_transit', 'merchant_connect_reserved',
  'authorizations_pending', 'provider_receivable', 'provider_refunds', 'fee_revenue', 'fx_clearing', 'bank', 'connect_clearing',
] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

/** The owner id of the platform's own ledger accounts. */
export const platformOwner = 'platform';

export const merchantKinds: ReadonlySet<LedgerKind> = new Set(['merchant_authorized', 'merchant_pending', 'merchant_available', 'merchant_payouts_in_transit', 'merchant_connect_reserved']);

export interface Posting {
  owner: string;
  kind: LedgerKind;
  currency: string;
  /** Minor units; debit positive, credit negative, never zero. */
  amount: number;
}

export function debit(owner: string, kind: LedgerKind, currency: string, amount: number): Posting {
  return { owner, kind, currency, amount };
}

export function credit(owner: string, kind: LedgerKind, currency: string, amount: number): Posting {
  return { owner, kind, currency, amount: -amount };
}
