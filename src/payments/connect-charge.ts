import type { ApplicationFeeRow } from '../application-fees/repository.ts';
import { renderApplicationFee } from '../application-fees/render.ts';
import type { NewEvent } from '../events/service.ts';
import { applicationFeeEarned, connectMovement, joinMovements } from '../ledger/connect-movements.ts';
import type { Movement } from '../ledger/movements.ts';
import type { ChargeSettlement } from '../ledger/settlement.ts';
import { assert } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { Scope } from '../platform/scope.ts';
import { renderTransfer } from '../transfers/render.ts';
import type { TransferRow } from '../transfers/repository.ts';

// Stripe Connect charges, decided at capture as values (no I/O): a destination charge's transfer (and application fee),
// a direct charge's application fee. Built only for an intent with Connect parameters (`connect` not null): an ordinary
// payment's capture never reaches this file, and its statement gains no part.

/** The Connect parameters of a PaymentIntent (its `connect` column), checked when they were set (payments/connect-input.ts). */
export interface IntentConnect {
  /** destination: transfer_data[destination] (the platform charges, then transfers); direct: a connected account's own charge with a fee for its platform; none: only transfer_group. */
  kind: 'destination' | 'direct' | 'none';
  /** The platform that collects the fee (direct charges); for destination charges the intent's own account. */
  platform: string | null;
  destination: string | null;
  transfer_amount: number | null;
  application_fee_amount: number | null;
  on_behalf_of: string | null;
  transfer_group: string | null;
}

/** A charge's Connect fields: its intent's, and what its capture created. */
export interface ChargeConnect extends IntentConnect {
  transfer: string | null;
  application_fee: string | null;
  /** The fee actually collected (capped at the captured amount). */
  application_fee_collected: number | null;
}

/** The rows a Connect capture inserts with the payment's statement (gated by the intent's compare-and-set). */
export interface ConnectRows {
  transfer: TransferRow | null;
  applicationFee: ApplicationFeeRow | null;
  /** The platform's events (transfer.created, application_fee.created): the platform's, whoever owns the charge. */
  platformEvents: { scope: Scope; events: NewEvent[] };
}

/** Whether capturing an intent with these parameters moves money between accounts. */
export function movesConnectMoney(connect: IntentConnect | null | undefined): connect is IntentConnect {
  return connect != null && (connect.kind === 'destination' || (connect.kind === 'direct' && (connect.application_fee_amount ?? 0) > 0));
}

/** The transfer group Stripe gives a destination charge's transfer when the intent names none. */
export function destinationTransferGroup(connect: IntentConnect, intentId: string): string {
  return connect.transfer_group ?? `group_${intentId}`;
}

export interface ConnectCapture {
  charge: ChargeConnect;
  transferGroup: string | null;
  movement: Movement;
  rows: ConnectRows;
}

/**
 * What capturing `amount` of a Connect charge moves, beside the capture itself. A destination charge transfers the
 * captured amount to the destination (or transfer_data[amount], at most what was captured), whose funds follow the
 * charge's (pending until its available_on); with application_fee_amount the destination pays the fee out of that
 * payment, collected by the platform as an application fee. A direct charge's connected account pays its platform
 * the fee out of the charge.
 */
export function buildConnectCapture(scope: Scope, intentId: string, chargeId: string, connect: IntentConnect, amount: number, settlement: ChargeSettlement, now: number): ConnectCapture {
  assert(settlement.settlementCurrency === settlement.currency, 'a Connect charge settles in its own currency (checked when its parameters were set)');
  const currency = settlement.currency;
  const fee = Math.min(connect.application_fee_amount ?? 0, amount);
  const feeId = fee > 0 ? newId('fee') : null;
  const events: NewEvent[] = [];
  if (connect.kind === 'destination') {
    assert(connect.destination, 'a destination charge has its destination');
    const transferAmount = Math.min(connect.transfer_amount ?? amount, amount);
    const transferId = newId('tr');
    const destinationPaymentId = newId('py');
    const transferGroup = destinationTransferGroup(connect, intentId);
    const transfer = connectMovement({
      from: { accountId: scope.accountId, livemode: scope.livemode, entryType: 'transfer', transactionType: 'transfer', reportingCategory: 'transfer', sourceId: transferId, description: null },
      to: { accountId: connect.destination, livemode: scope.livemode, entryType: 'transfer_payment', transactionType: 'payment', reportingCategory: 'charge', sourceId: destinationPaymentId, description: null },
      amount: transferAmount,
      currency,
      status: 'pending',
      availableOn: settlement.availableOn,
      ...(feeId ? { applicationFee: { amount: fee, application: scope.accountId } } : {}),
      now,
    });
    const earned = feeId ? applicationFeeEarned(scope, { id: feeId, amount: fee, currency }, 'pending', settlement.availableOn, now) : null;
    const transferRow: TransferRow = {
      id: transferId, account_id: scope.accountId, livemode: scope.livemode, amount: transferAmount, amount_reversed: 0, currency, destination_id: connect.destination,
      destination_payment_id: destinationPaymentId, balance_transaction_id: transfer.balanceTransactions[0].id, destination_balance_transaction_id: transfer.balanceTransactions[1].id,
      source_transaction_id: chargeId, transfer_group: transferGroup, description: null, metadata: {}, created: now,
    };
    events.push({ type: 'transfer.created', object: renderTransfer({ transfer: transferRow, reversals: { rows: [], hasMore: false } }) });
    const feeRow: ApplicationFeeRow | null = feeId && earned ? {
      id: feeId, account_id: scope.accountId, livemode: scope.livemode, connected_account_id: connect.destination, charge_id: chargeId, amount: fee, amount_refunded: 0, currency,
      balance_transaction_id: earned.balanceTransactions[0].id, account_balance_transaction_id: transfer.balanceTransactions[1].id, transfer_id: transferId, created: now,
    } : null;
    if (feeRow) events.push({ type: 'application_fee.created', object: renderApplicationFee({ fee: feeRow, refunds: { rows: [], hasMore: false } }) });
    return {
      charge: { ...connect, transfer: transferId, application_fee: feeId, application_fee_collected: feeId ? fee : null },
      transferGroup,
      movement: earned ? joinMovements(transfer, earned) : transfer,
      rows: { transfer: transferRow, applicationFee: feeRow, platformEvents: { scope, events } },
    };
  }
  // A direct charge: the connected account (the charge's owner) pays its platform the fee.
  assert(connect.kind === 'direct' && connect.platform && feeId, 'a direct charge that moves money has a fee and a platform');
  const platform = { accountId: connect.platform, livemode: scope.livemode };
  const paid = connectMovement({
    from: { accountId: scope.accountId, livemode: scope.livemode, entryType: 'application_fee_payment', transactionType: 'application_fee', reportingCategory: 'platform_earning', sourceId: feeId, description: 'Application fee' },
    to: { ...platform, entryType: 'application_fee', transactionType: 'application_fee', reportingCategory: 'platform_earning', sourceId: feeId, description: null },
    amount: fee,
    currency,
    status: 'pending',
    availableOn: settlement.availableOn,
    now,
  });
  const feeRow: ApplicationFeeRow = {
    id: feeId, account_id: platform.accountId, livemode: scope.livemode, connected_account_id: scope.accountId, charge_id: chargeId, amount: fee, amount_refunded: 0, currency,
    balance_transaction_id: paid.balanceTransactions[1].id, account_balance_transaction_id: paid.balanceTransactions[0].id, transfer_id: null, created: now,
  };
  events.push({ type: 'application_fee.created', object: renderApplicationFee({ fee: feeRow, refunds: { rows: [], hasMore: false } }) });
  return {
    charge: { ...connect, transfer: null, application_fee: feeId, application_fee_collected: fee },
    transferGroup: connect.transfer_group,
    movement: paid,
    rows: { transfer: null, applicationFee: feeRow, platformEvents: { scope: platform, events } },
  };
}
