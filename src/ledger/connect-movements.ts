import type { BalanceTransactionRow, BalanceTransactionType, FeeDetail } from '../balance-transactions/repository.ts';
import { newId } from '../platform/ids.ts';
import { credit, debit, platformOwner } from './accounts.ts';
import { buildEntry, type EntryType, type LedgerEntry } from './entries.ts';
import type { Movement } from './movements.ts';

// Money moving between a platform and one of its connected accounts (Stripe Connect): a transfer and its reversal, an
// application fee and its refund. Each account has its own ledger (hash chain), so a movement is two entries, one in
// each ledger, written in one statement: the payer's entry credits `connect_clearing`, the payee's debits it, and the
// clearing account sums to zero again (payrail ledger verify checks it per mode and currency). Each entry has its
// balance transaction, as each side sees it at Stripe.

interface Owner {
  accountId: string;
  livemode: boolean;
}

/** One side of a movement: the account, its entry and balance transaction types, and the object it shows as source. */
export interface ConnectSide extends Owner {
  entryType: EntryType;
  transactionType: BalanceTransactionType;
  reportingCategory: string;
  sourceId: string | null;
  description: string | null;
}

export interface ConnectMovementInput {
  from: ConnectSide;
  to: ConnectSide;
  amount: number;
  currency: string;
  /**
   * Whether the money moves between pending balances (funds that follow a charge not yet available: both balance
   * transactions pending until `availableOn`) or available ones (at once).
   */
  status: 'pending' | 'available';
  availableOn: number;
  /**
   * An application fee the payee pays out of what it receives (a destination charge with application_fee_amount):
   * shown in the payee's balance transaction as a fee (Stripe's fee_details type `application_fee`), and credited to
   * `connect_clearing` for the platform's `application_fee` entry of the same statement.
   */
  applicationFee?: { amount: number; application: string };
  now: number;
}

/** The two entries and balance transactions of one movement from `from` to `to`. */
export function connectMovement(input: ConnectMovementInput): Movement {
  const { from, to, amount, currency, now } = input;
  const balanceKind = input.status === 'pending' ? 'merchant_pending' : 'merchant_available';
  const fee = input.applicationFee?.amount ?? 0;
  const fromTransaction = newId('txn');
  const toTransaction = newId('txn');
  const entries: LedgerEntry[] = [
    buildEntry({
      accountId: from.accountId, livemode: from.livemode, type: from.entryType, sourceId: from.sourceId, balanceTransactionId: fromTransaction, created: now,
      postings: [debit(from.accountId, balanceKind, currency, amount), credit(platformOwner, 'connect_clearing', currency, amount)],
    }),
    buildEntry({
      accountId: to.accountId, livemode: to.livemode, type: to.entryType, sourceId: to.sourceId, balanceTransactionId: toTransaction, created: now,
      postings: [debit(platformOwner, 'connect_clearing', currency, amount), credit(to.accountId, balanceKind, currency, amount - fee), credit(platformOwner, 'connect_clearing', currency, fee)],
    }),
  ];
  const feeDetails: FeeDetail[] = input.applicationFee && fee > 0
    ? [{ amount: fee, application: input.applicationFee.application, currency, description: 'Application fee', type: 'application_fee' }]
    : [];
  const transaction = (side: ConnectSide, id: string, signed: number, sideFee: number, details: FeeDetail[]): BalanceTransactionRow => ({
    id, account_id: side.accountId, livemode: side.livemode, type: side.transactionType, reporting_category: side.reportingCategory, source_id: side.sourceId,
    amount: signed, fee: sideFee, fee_details: details, net: signed - sideFee, currency, exchange_rate: null, status: input.status,
    available_on: input.status === 'pending' ? input.availableOn : now, description: side.description, payout_id: null, created: now,
  });
  return {
    entries,
    balanceTransactions: [transaction(from, fromTransaction, -amount, 0, []), transaction(to, toTransaction, amount, fee, feeDetails)],
  };
}

/**
 * The platform's side of an application fee a payee paid inside its own entry (connectMovement's `applicationFee`, or
 * a direct charge's capture): the platform's balance receives it from `connect_clearing`, as an `application_fee`
 * balance transaction whose source is the fee.
 */
export function applicationFeeEarned(platform: Owner, fee: { id: string; amount: number; currency: string }, status: 'pending' | 'available', availableOn: number, now: number): Movement {
  const transactionId = newId('txn');
  const balanceKind = status === 'pending' ? 'merchant_pending' : 'merchant_available';
  const entry = buildEntry({
    accountId: platform.accountId, livemode: platform.livemode, type: 'application_fee', sourceId: fee.id, balanceTransactionId: transactionId, created: now,
    postings: [debit(platformOwner, 'connect_clearing', fee.currency, fee.amount), credit(platform.accountId, balanceKind, fee.currency, fee.amount)],
  });
  return {
    entries: [entry],
    balanceTransactions: [{
      id: transactionId, account_id: platform.accountId, livemode: platform.livemode, type: 'application_fee', reporting_category: 'platform_earning', source_id: fee.id,
      amount: fee.amount, fee: 0, fee_details: [], net: fee.amount, currency: fee.currency, exchange_rate: null, status,
      available_on: status === 'pending' ? availableOn : now, description: null, payout_id: null, created: now,
    }],
  };
}

/** Joins movements written together (one statement). */
export function joinMovements(...movements: Movement[]): Movement {
  return { entries: movements.flatMap((movement) => movement.entries), balanceTransactions: movements.flatMap((movement) => movement.balanceTransactions) };
}
