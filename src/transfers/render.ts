import type { TransferReversalRow, TransferRow } from './repository.ts';

/** A transfer with the first page of its reversals, as Stripe embeds them. */
export interface TransferView {
  transfer: TransferRow;
  reversals: { rows: TransferReversalRow[]; hasMore: boolean };
}

/** The Stripe `transfer_reversal` object. */
export function renderTransferReversal(row: TransferReversalRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'transfer_reversal',
    amount: row.amount,
    balance_transaction: row.balance_transaction_id,
    created: row.created,
    currency: row.currency,
    // Payrail's destination payments are balance transactions of the connected account, not charges: no refund object.
    destination_payment_refund: null,
    metadata: row.metadata,
    source_refund: row.source_refund_id,
    transfer: row.transfer_id,
  };
}

/** The Stripe `transfer` object. */
export function renderTransfer(view: TransferView): Record<string, unknown> {
  const row = view.transfer;
  return {
    id: row.id,
    object: 'transfer',
    amount: row.amount,
    amount_reversed: row.amount_reversed,
    balance_transaction: row.balance_transaction_id,
    created: row.created,
    currency: row.currency,
    description: row.description,
    destination: row.destination_id,
    destination_payment: row.destination_payment_id,
    livemode: row.livemode,
    metadata: row.metadata,
    reversals: { object: 'list', data: view.reversals.rows.map(renderTransferReversal), has_more: view.reversals.hasMore, url: `/v1/transfers/${row.id}/reversals` },
    reversed: row.amount_reversed === row.amount,
    source_transaction: row.source_transaction_id,
    source_type: 'card',
    transfer_group: row.transfer_group,
  };
}
