import type { ApplicationFeeRefundRow, ApplicationFeeRow } from './repository.ts';

/** A fee with the first page of its refunds, as Stripe embeds them. */
export interface ApplicationFeeView {
  fee: ApplicationFeeRow;
  refunds: { rows: ApplicationFeeRefundRow[]; hasMore: boolean };
}

/** The Stripe `fee_refund` object. */
export function renderFeeRefund(row: ApplicationFeeRefundRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'fee_refund',
    amount: row.amount,
    balance_transaction: row.balance_transaction_id,
    created: row.created,
    currency: row.currency,
    fee: row.fee_id,
    metadata: row.metadata,
  };
}

/**
 * The Stripe `application_fee` object. `application` is the platform's account id: Payrail has no separate Connect
 * application objects (Stripe's ca_ ids), a platform is its own application.
 */
export function renderApplicationFee(view: ApplicationFeeView): Record<string, unknown> {
  const { fee, refunds } = view;
  return {
    id: fee.id,
    object: 'application_fee',
    account: fee.connected_account_id,
    amount: fee.amount,
    amount_refunded: fee.amount_refunded,
    application: fee.account_id,
    balance_transaction: fee.balance_transaction_id,
    charge: fee.charge_id,
    created: fee.created,
    currency: fee.currency,
    fee_source: { charge: fee.charge_id, type: 'charge' },
    livemode: fee.livemode,
    originating_transaction: null,
    refunded: fee.amount_refunded === fee.amount,
    refunds: {
      object: 'list',
      data: refunds.rows.map(renderFeeRefund),
      has_more: refunds.hasMore,
      url: `/v1/application_fees/${fee.id}/refunds`,
    },
  };
}
