import type { RefundRow } from './repository.ts';

/** The Stripe `refund` object. */
export function renderRefund(row: RefundRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'refund',
    amount: row.amount,
    balance_transaction: row.balance_transaction_id,
    charge: row.charge_id,
    created: row.created,
    currency: row.currency,
    destination_details: {
      // API 2024-04-10 has `reference` as a string that is absent until the acquirer assigns one (never null).
      card: {
        ...(row.processor_reference ? { reference: row.processor_reference } : {}),
        reference_status: row.processor_reference ? 'available' : 'pending',
        reference_type: 'acquirer_reference_number',
        type: 'refund',
      },
      type: 'card',
    },
    failure_balance_transaction: row.failure_balance_transaction_id ?? undefined,
    failure_reason: row.failure_reason ?? undefined,
    metadata: row.metadata,
    payment_intent: row.payment_intent_id,
    reason: row.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: row.status,
    transfer_reversal: row.transfer_reversal_id ?? null,
  };
}
