import type { BalanceTransactionRow } from './repository.ts';

/** The Stripe `balance_transaction` object. */
export function renderBalanceTransaction(row: BalanceTransactionRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'balance_transaction',
    amount: row.amount,
    available_on: row.available_on,
    balance_type: 'payments',
    created: row.created,
    currency: row.currency,
    description: row.description,
    exchange_rate: row.exchange_rate === null ? null : Number(row.exchange_rate),
    fee: row.fee,
    fee_details: row.fee_details,
    net: row.net,
    reporting_category: row.reporting_category,
    source: row.source_id,
    status: row.status,
    type: row.type,
  };
}
