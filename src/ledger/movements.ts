import type { BalanceTransactionRow } from '../balance-transactions/repository.ts';
import { newId } from '../platform/ids.ts';
import { credit, debit, platformOwner, type Posting } from './accounts.ts';
import { buildEntry, type LedgerEntry } from './entries.ts';
import type { ChargeSettlement } from './settlement.ts';

/**
 * Every movement of money as journal entries (and, where the merchant's balance moves, the Stripe balance
 * transaction describing it). Services write what these return in the same transaction as the state change.
 */
export interface Movement {
  entries: LedgerEntry[];
  balanceTransactions: BalanceTransactionRow[];
}

/** A change that moves no money. */
export function emptyMovement(): Movement {
  return { entries: [], balanceTransactions: [] };
}

interface Owner {
  accountId: string;
  livemode: boolean;
}

/**
 * The presentment side of a conversion: money arrives (or leaves) in the charge currency and is exchanged for the
 * settlement currency through the FX clearing accounts, one balanced pair per currency.
 */
function conversionLegs(settlement: Pick<ChargeSettlement, 'currency' | 'amount' | 'settlementCurrency' | 'settlementAmount' | 'exchangeRate'>, direction: 1 | -1): Posting[] {
  if (settlement.exchangeRate === null) return [];
  return [
    { owner: platformOwner, kind: 'fx_clearing', currency: settlement.currency, amount: -direction * settlement.amount },
    { owner: platformOwner, kind: 'fx_clearing', currency: settlement.settlementCurrency, amount: direction * settlement.settlementAmount },
  ];
}

/** First phase of a manual-capture payment: the authorized amount is held, visible in `merchant_authorized`. */
export function authorizationHold(owner: Owner, chargeId: string, amount: number, currency: string, now: number): LedgerEntry {
  return buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'authorization_hold', sourceId: chargeId, created: now,
    postings: [debit(platformOwner, 'authorizations_pending', currency, amount), credit(owner.accountId, 'merchant_authorized', currency, amount)],
  });
}

function holdReleasePostings(owner: Owner, amount: number, currency: string): Posting[] {
  return [debit(owner.accountId, 'merchant_authorized', currency, amount), credit(platformOwner, 'authorizations_pending', currency, amount)];
}

/** Second phase without capture: the whole hold is voided (a canceled authorization). */
export function holdRelease(owner: Owner, chargeId: string, holdEntryId: string, amount: number, currency: string, now: number): LedgerEntry {
  return buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'hold_release', sourceId: chargeId, resolvesEntryId: holdEntryId, created: now,
    postings: holdReleasePostings(owner, amount, currency),
  });
}

/**
 * A capture: the provider owes the captured amount, the merchant's pending balance gets it net of the fee, the
 * platform earns the fee. With a hold, the same entry voids the whole hold, so a partial capture releases the rest.
 */
export function captureMovement(
  owner: Owner,
  charge: { id: string; amount: number; currency: string; description: string | null },
  settlement: ChargeSettlement,
  hold: { entryId: string } | null,
  now: number,
): Movement {
  const transactionId = newId('txn');
  const net = settlement.settlementAmount - settlement.fee;
  const postings: Posting[] = [
    ...(hold ? holdReleasePostings(owner, charge.amount, charge.currency) : []),
    debit(platformOwner, 'provider_receivable', settlement.currency, settlement.amount),
    ...conversionLegs(settlement, 1),
    credit(owner.accountId, 'merchant_pending', settlement.settlementCurrency, net),
    credit(platformOwner, 'fee_revenue', settlement.settlementCurrency, settlement.fee),
  ];
  const entry = buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: hold ? 'capture' : 'charge', sourceId: charge.id, balanceTransactionId: transactionId,
    resolvesEntryId: hold?.entryId ?? null, created: now, postings,
  });
  return {
    entries: [entry],
    balanceTransactions: [{
      id: transactionId, account_id: owner.accountId, livemode: owner.livemode, type: 'charge', reporting_category: 'charge', source_id: charge.id,
      amount: settlement.settlementAmount, fee: settlement.fee, fee_details: settlement.feeDetails, net, currency: settlement.settlementCurrency,
      exchange_rate: settlement.exchangeRate, status: 'pending', available_on: settlement.availableOn, description: charge.description, payout_id: null, created: now,
    }],
  };
}

/**
 * A refund is drawn from the available balance at once (which may go negative; see docs/ledger.md), converted at
 * the charge's own rate. Fees are not returned, as at Stripe.
 */
export function refundMovement(owner: Owner, refund: { id: string; amount: number; currency: string }, settlement: ChargeSettlement, now: number): Movement {
  const transactionId = newId('txn');
  const entry = buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'refund', sourceId: refund.id, balanceTransactionId: transactionId, created: now,
    postings: [
      debit(owner.accountId, 'merchant_available', settlement.settlementCurrency, settlement.settlementAmount),
      ...conversionLegs(settlement, -1),
      credit(platformOwner, 'provider_refunds', refund.currency, refund.amount),
    ],
  });
  return {
    entries: [entry],
    balanceTransactions: [{
      id: transactionId, account_id: owner.accountId, livemode: owner.livemode, type: 'refund', reporting_category: 'refund', source_id: refund.id,
      amount: -settlement.settlementAmount, fee: 0, fee_details: [], net: -settlement.settlementAmount, currency: settlement.settlementCurrency,
      exchange_rate: settlement.exchangeRate, status: 'available', available_on: now, description: 'REFUND FOR CHARGE', payout_id: null, created: now,
    }],
  };
}

/** A refund the provider could not complete: its money comes back to the available balance (reversing entry). */
export function refundFailureMovement(owner: Owner, refund: { id: string; amount: number; currency: string }, settlement: ChargeSettlement, now: number): Movement {
  const transactionId = newId('txn');
  const entry = buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'refund_failure', sourceId: refund.id, balanceTransactionId: transactionId, created: now,
    postings: [
      debit(platformOwner, 'provider_refunds', refund.currency, refund.amount),
      ...conversionLegs(settlement, 1),
      credit(owner.accountId, 'merchant_available', settlement.settlementCurrency, settlement.settlementAmount),
    ],
  });
  return {
    entries: [entry],
    balanceTransactions: [{
      id: transactionId, account_id: owner.accountId, livemode: owner.livemode, type: 'refund_failure', reporting_category: 'refund_failure', source_id: refund.id,
      amount: settlement.settlementAmount, fee: 0, fee_details: [], net: settlement.settlementAmount, currency: settlement.settlementCurrency,
      exchange_rate: settlement.exchangeRate, status: 'available', available_on: now, description: 'REFUND FAILURE', payout_id: null, created: now,
    }],
  };
}

/** Pending funds whose `available_on` has passed move to available: one entry per account, mode and currency. */
export function availabilityEntry(owner: Owner, currency: string, amount: number, now: number): LedgerEntry {
  return buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'availability', created: now,
    postings: [debit(owner.accountId, 'merchant_pending', currency, amount), credit(owner.accountId, 'merchant_available', currency, amount)],
  });
}

/** A payout leaves the available balance for the bank: in transit until the bank confirms it. */
export function payoutMovement(owner: Owner, payout: { id: string; amount: number; currency: string; description: string | null }, now: number): Movement {
  const transactionId = newId('txn');
  const entry = buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'payout', sourceId: payout.id, balanceTransactionId: transactionId, created: now,
    postings: [debit(owner.accountId, 'merchant_available', payout.currency, payout.amount), credit(owner.accountId, 'merchant_payouts_in_transit', payout.currency, payout.amount)],
  });
  return {
    entries: [entry],
    balanceTransactions: [{
      id: transactionId, account_id: owner.accountId, livemode: owner.livemode, type: 'payout', reporting_category: 'payout', source_id: payout.id,
      amount: -payout.amount, fee: 0, fee_details: [], net: -payout.amount, currency: payout.currency, exchange_rate: null, status: 'available',
      available_on: now, description: payout.description ?? 'STRIPE PAYOUT', payout_id: null, created: now,
    }],
  };
}

/** The bank confirmed the payout: the money has left the platform's bank account. */
export function payoutPaidEntry(owner: Owner, payout: { id: string; amount: number; currency: string }, now: number): LedgerEntry {
  return buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'payout_paid', sourceId: payout.id, created: now,
    postings: [debit(owner.accountId, 'merchant_payouts_in_transit', payout.currency, payout.amount), credit(platformOwner, 'bank', payout.currency, payout.amount)],
  });
}

/** A payout that failed or was canceled: its amount returns to the available balance (reversing entry). */
export function payoutReversalMovement(owner: Owner, payout: { id: string; amount: number; currency: string }, kind: 'payout_failure' | 'payout_cancel', now: number): Movement {
  const transactionId = newId('txn');
  const entry = buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: kind, sourceId: payout.id, balanceTransactionId: transactionId, created: now,
    postings: [debit(owner.accountId, 'merchant_payouts_in_transit', payout.currency, payout.amount), credit(owner.accountId, 'merchant_available', payout.currency, payout.amount)],
  });
  return {
    entries: [entry],
    balanceTransactions: [{
      id: transactionId, account_id: owner.accountId, livemode: owner.livemode, type: kind, reporting_category: 'payout_reversal', source_id: payout.id,
      amount: payout.amount, fee: 0, fee_details: [], net: payout.amount, currency: payout.currency, exchange_rate: null, status: 'available',
      available_on: now, description: kind === 'payout_failure' ? 'PAYOUT FAILURE' : 'PAYOUT CANCEL', payout_id: null, created: now,
    }],
  };
}
