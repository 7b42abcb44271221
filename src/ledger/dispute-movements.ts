import { newId } from '../platform/ids.ts';
import { credit, debit, platformOwner, type Posting } from './accounts.ts';
import { buildEntry } from './entries.ts';
import type { Movement } from './movements.ts';
import type { ChargeSettlement } from './settlement.ts';

interface Owner {
  accountId: string;
  livemode: boolean;
}

/** The presentment side of a conversion (as movements.ts's): the disputed amount leaves in the charge currency. */
function conversionLegs(settlement: ChargeSettlement, direction: 1 | -1): Posting[] {
  if (settlement.exchangeRate === null) return [];
  return [
    { owner: platformOwner, kind: 'fx_clearing', currency: settlement.currency, amount: -direction * settlement.amount },
    { owner: platformOwner, kind: 'fx_clearing', currency: settlement.settlementCurrency, amount: direction * settlement.settlementAmount },
  ];
}

/**
 * A dispute opens: the disputed amount (converted at the charge's own rate) and the dispute fee leave the merchant's
 * available balance at once (which may go negative). The network takes the amount back for the cardholder, which
 * the provider nets at settlement, as a refund's (`provider_refunds`); the fee is the platform's (`fee_revenue`).
 * One `dispute` balance transaction: amount negative, fee the dispute fee.
 */
export function disputeWithdrawalMovement(owner: Owner, dispute: { id: string; amount: number; currency: string }, settlement: ChargeSettlement, fee: number, now: number): Movement {
  const transactionId = newId('txn');
  const entry = buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'dispute', sourceId: dispute.id, balanceTransactionId: transactionId, created: now,
    postings: [
      debit(owner.accountId, 'merchant_available', settlement.settlementCurrency, settlement.settlementAmount + fee),
      ...conversionLegs(settlement, -1),
      credit(platformOwner, 'provider_refunds', dispute.currency, dispute.amount),
      credit(platformOwner, 'fee_revenue', settlement.settlementCurrency, fee),
    ],
  });
  return {
    entries: [entry],
    balanceTransactions: [{
      id: transactionId, account_id: owner.accountId, livemode: owner.livemode, type: 'adjustment', reporting_category: 'dispute', source_id: dispute.id,
      amount: -settlement.settlementAmount, fee, fee_details: fee > 0 ? [{ amount: fee, application: null, currency: settlement.settlementCurrency, description: 'Dispute fee', type: 'stripe_fee' }] : [],
      net: -settlement.settlementAmount - fee, currency: settlement.settlementCurrency, exchange_rate: settlement.exchangeRate, status: 'available', available_on: now,
      description: `Chargeback withdrawal for ${dispute.id}`, payout_id: null, created: now,
    }],
  };
}

/**
 * A dispute won: the disputed amount returns to the merchant's available balance (a reversing entry of the
 * withdrawal's amount, at the same rate). The dispute fee is not returned (see docs/disputes.md).
 */
export function disputeReinstatementMovement(owner: Owner, dispute: { id: string; amount: number; currency: string }, settlement: ChargeSettlement, now: number): Movement {
  const transactionId = newId('txn');
  const entry = buildEntry({
    accountId: owner.accountId, livemode: owner.livemode, type: 'dispute_reversal', sourceId: dispute.id, balanceTransactionId: transactionId, created: now,
    postings: [
      debit(platformOwner, 'provider_refunds', dispute.currency, dispute.amount),
      ...conversionLegs(settlement, 1),
      credit(owner.accountId, 'merchant_available', settlement.settlementCurrency, settlement.settlementAmount),
    ],
  });
  return {
    entries: [entry],
    balanceTransactions: [{
      id: transactionId, account_id: owner.accountId, livemode: owner.livemode, type: 'adjustment', reporting_category: 'dispute_reversal', source_id: dispute.id,
      amount: settlement.settlementAmount, fee: 0, fee_details: [], net: settlement.settlementAmount, currency: settlement.settlementCurrency,
      exchange_rate: settlement.exchangeRate, status: 'available', available_on: now, description: `Chargeback reversal for ${dispute.id}`, payout_id: null, created: now,
    }],
  };
}
