import type { PayoutRow } from './repository.ts';

/** Stripe's reconciliation status: only automatic payouts list the balance transactions they pay out. */
function reconciliationStatus(row: PayoutRow): 'completed' | 'in_progress' | 'not_applicable' {
  if (!row.automatic) return 'not_applicable';
  return row.status === 'paid' ? 'completed' : 'in_progress';
}

/** The Stripe `payout` object. The provider's reference is internal and not shown. */
export function renderPayout(row: PayoutRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'payout',
    amount: row.amount,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: row.arrival_date,
    automatic: row.automatic,
    balance_transaction: row.balance_transaction_id,
    created: row.created,
    currency: row.currency,
    description: row.description,
    destination: row.destination_id,
    failure_balance_transaction: row.failure_balance_transaction_id,
    failure_code: row.failure_code,
    failure_message: row.failure_message,
    livemode: row.livemode,
    metadata: row.metadata,
    method: row.method,
    original_payout: row.original_payout_id,
    payout_method: null,
    reconciliation_status: reconciliationStatus(row),
    reversed_by: row.reversed_by_id,
    source_type: 'card',
    statement_descriptor: row.statement_descriptor,
    status: row.status,
    trace_id: null,
    type: 'bank_account',
  };
}
