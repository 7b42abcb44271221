import { recordEvent, changedAttributes } from '../events/service.ts';
import { connectMovement } from '../ledger/connect-movements.ts';
import { writeMovement } from '../ledger/repository.ts';
import type { Queryable } from '../platform/db.ts';
import { ApiError, assert, missing } from '../platform/errors.ts';
import { newId, nowSeconds } from '../platform/ids.ts';
import { mergeMetadata, type MetadataUpdate } from '../platform/metadata.ts';
import { formatAmount } from '../platform/money.ts';
import type { Page, PageRequest } from '../platform/pagination.ts';
import type { Scope } from '../platform/scope.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import { renderTransfer, renderTransferReversal } from './render.ts';
import { addAmountReversed, findReversal, findTransfer, insertReversal, listReversals, updateReversalMetadata, type TransferReversalRow, type TransferRow } from './repository.ts';
import { transferView, type TransferDependencies } from './service.ts';
import { findApplicationFeeOfTransfer } from '../application-fees/repository.ts';
import { writeFeeRefund } from '../application-fees/service.ts';

// Transfer reversals (Stripe's /v1/transfers/:id/reversals): money goes back from the connected account to its
// platform, from the destination's available balance at once (which may go negative, as refunds may: the platform
// asked for it). Under the transfer's row lock, and the transfers table's CHECK backs it: never more than was
// transferred, however many reversals run at once.

export interface ReversalInput {
  amount?: number;
  description?: string;
  metadata?: MetadataUpdate;
  refund_application_fee?: boolean;
}

/**
 * Writes a reversal of `amount` of a transfer the caller holds locked (and has checked `amount` fits): both sides'
 * entries and balance transactions, the transfer's `amount_reversed`, the reversal row and `transfer.reversed`.
 */
export async function writeReversal(
  client: Queryable,
  work: Pick<UnitOfWork, 'requestId' | 'idempotencyKey'> | undefined,
  scope: Scope,
  transfer: TransferRow,
  amount: number,
  options: { metadata: Record<string, string>; sourceRefundId: string | null; now: number; /** Chosen beforehand (a refund names its reversal before it is written). */ id?: string },
): Promise<TransferReversalRow> {
  const id = options.id ?? newId('trr');
  const movement = connectMovement({
    from: { accountId: transfer.destination_id, livemode: transfer.livemode, entryType: 'transfer_payment_refund', transactionType: 'payment_refund', reportingCategory: 'refund', sourceId: transfer.destination_payment_id, description: null },
    to: { accountId: transfer.account_id, livemode: transfer.livemode, entryType: 'transfer_reversal', transactionType: 'transfer_refund', reportingCategory: 'transfer_reversal', sourceId: id, description: null },
    amount,
    currency: transfer.currency,
    status: 'available',
    availableOn: options.now,
    now: options.now,
  });
  const before = await transferView(client, transfer);
  const updated = await addAmountReversed(client, transfer, amount);
  assert(updated, `a reversal of transfer ${transfer.id} stays within what was transferred`);
  await writeMovement(client, movement);
  const reversal = await insertReversal(client, {
    id, account_id: transfer.account_id, livemode: transfer.livemode, transfer_id: transfer.id, amount, currency: transfer.currency,
    balance_transaction_id: movement.balanceTransactions[1].id, destination_balance_transaction_id: movement.balanceTransactions[0].id,
    source_refund_id: options.sourceRefundId, metadata: options.metadata, created: nowSeconds(),
  });
  const after = await transferView(client, updated);
  await recordEvent(client, scope, work, 'transfer.reversed', renderTransfer(after), changedAttributes(renderTransfer(before), renderTransfer(after)));
  return reversal;
}

/** What remains to reverse of a transfer, and the amount asked for (default: all of it); 400 when it does not fit. */
export function reversalAmount(transfer: TransferRow, requested: number | undefined): number {
  const remaining = transfer.amount - transfer.amount_reversed;
  if (remaining <= 0) throw new ApiError('amount_too_large', `Transfer ${transfer.id} has already been fully reversed.`, { param: 'amount' });
  const amount = requested ?? remaining;
  if (amount > remaining) {
    throw new ApiError('amount_too_large', `Reversal amount (${formatAmount(amount, transfer.currency)}) is greater than the amount of the transfer not yet reversed (${formatAmount(remaining, transfer.currency)}).`, { param: 'amount' });
  }
  return amount;
}

export async function createReversal(work: UnitOfWork, deps: TransferDependencies, scope: Scope, transferId: string, input: ReversalInput): Promise<TransferReversalRow> {
  return work.finalTransaction(async (client) => {
    const transfer = await findTransfer(client, scope, transferId, { forUpdate: true });
    if (!transfer) throw missing('transfer', transferId);
    const amount = reversalAmount(transfer, input.amount);
    // refund_application_fee: the fee the destination paid on this transfer (a destination charge's) is refunded in
    // proportion to the amount reversed (all that remains when the reversal takes the rest), in the same transaction.
    const fee = input.refund_application_fee === true ? await findApplicationFeeOfTransfer(client, scope, transfer.id) : undefined;
    if (input.refund_application_fee === true && !fee) {
      throw new ApiError('invalid_value', `refund_application_fee applies to a transfer made by a destination charge with an application fee: transfer ${transfer.id} has none.`, { param: 'refund_application_fee' });
    }
    const now = deps.clock.nowSeconds();
    const reversal = await writeReversal(client, work, scope, transfer, amount, { metadata: mergeMetadata({}, input.metadata), sourceRefundId: null, now });
    if (fee) {
      const takesRest = amount === transfer.amount - transfer.amount_reversed;
      const share = Math.min(fee.amount - fee.amount_refunded, takesRest ? fee.amount - fee.amount_refunded : Math.round((fee.amount * amount) / transfer.amount));
      if (share > 0) await writeFeeRefund(client, work, scope, fee, share, { metadata: {}, now });
    }
    return reversal;
  });
}

export async function retrieveReversal(db: Queryable, scope: Scope, transferId: string, id: string): Promise<TransferReversalRow> {
  const reversal = await findReversal(db, scope, transferId, id);
  if (!reversal) throw missing('transfer_reversal', id);
  return reversal;
}

/** Updates a reversal's metadata (Stripe emits no event for it). */
export async function updateReversal(work: UnitOfWork, scope: Scope, transferId: string, id: string, metadata: MetadataUpdate | undefined): Promise<TransferReversalRow> {
  return work.finalTransaction(async (client) => {
    const reversal = await findReversal(client, scope, transferId, id, { forUpdate: true });
    if (!reversal) throw missing('transfer_reversal', id);
    return updateReversalMetadata(client, reversal, mergeMetadata(reversal.metadata, metadata));
  });
}

export async function listReversalPage(db: Queryable, scope: Scope, transferId: string, page: PageRequest): Promise<Page<TransferReversalRow>> {
  if (!(await findTransfer(db, scope, transferId))) throw missing('transfer', transferId);
  return listReversals(db, scope, transferId, page);
}

export { renderTransferReversal };
