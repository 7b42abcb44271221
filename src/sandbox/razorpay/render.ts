import type { Notes, OrderRecord, PaymentRecord, RefundRecord } from './store.ts';

/**
 * Razorpay's JSON for the sandbox's records: the order, payment and refund entities of razorpay.com/docs/api (Orders,
 * Payments, Refunds) with the field names and types of the official Node SDK's typings (node_modules/razorpay/dist/
 * types). Timestamps are Unix seconds; amounts are integers in the smallest unit.
 */

/**
 * Razorpay renders an empty `notes` as an empty JSON array (a PHP quirk its SDKs and docs show), and a non-empty one
 * as an object.
 */
function renderNotes(notes: Notes): Notes | [] {
  return Object.keys(notes).length === 0 ? [] : { ...notes };
}

export function renderOrder(order: OrderRecord): Record<string, unknown> {
  return {
    id: order.id,
    entity: 'order',
    amount: order.amount,
    amount_paid: order.amountPaid,
    amount_due: order.amount - order.amountPaid,
    currency: order.currency,
    receipt: order.receipt,
    offer_id: null,
    status: order.status,
    attempts: order.attempts,
    notes: renderNotes(order.notes),
    created_at: order.createdAt,
  };
}

export function renderPayment(payment: PaymentRecord, expandCard = false): Record<string, unknown> {
  const refundStatus = payment.amountRefunded === 0 ? null : payment.amountRefunded === payment.amount ? 'full' : 'partial';
  const rendered: Record<string, unknown> = {
    id: payment.id,
    entity: 'payment',
    amount: payment.amount,
    currency: payment.currency,
    status: payment.status,
    order_id: payment.orderId,
    invoice_id: null,
    international: false,
    method: payment.method,
    amount_refunded: payment.amountRefunded,
    refund_status: refundStatus,
    captured: payment.captured,
    description: payment.description,
    card_id: payment.card?.id ?? null,
    bank: null,
    wallet: null,
    vpa: payment.vpa,
    email: payment.email,
    contact: payment.contact,
    notes: renderNotes(payment.notes),
    fee: payment.fee,
    tax: payment.tax,
    error_code: payment.failure?.code ?? null,
    error_description: payment.failure?.description ?? null,
    error_source: payment.failure?.source ?? null,
    error_step: payment.failure?.step ?? null,
    error_reason: payment.failure?.reason ?? null,
    acquirer_data: { ...payment.acquirerData },
    created_at: payment.createdAt,
  };
  if (payment.method === 'upi') rendered.upi = { payer_account_type: 'bank_account', vpa: payment.vpa, flow: payment.upiFlow };
  if (expandCard && payment.card) {
    rendered.card = { id: payment.card.id, entity: 'card', name: payment.card.name, last4: payment.card.last4, network: payment.card.network, type: 'credit', issuer: null, international: false, emi: false, sub_type: 'consumer' };
  }
  return rendered;
}

export function renderRefund(refund: RefundRecord): Record<string, unknown> {
  return {
    id: refund.id,
    entity: 'refund',
    amount: refund.amount,
    currency: refund.currency,
    payment_id: refund.paymentId,
    notes: renderNotes(refund.notes),
    receipt: refund.receipt,
    acquirer_data: { arn: null },
    created_at: refund.createdAt,
    batch_id: null,
    status: refund.status,
    speed_processed: 'normal',
    speed_requested: refund.speedRequested,
  };
}

/** Razorpay's list answer: `{entity: 'collection', count, items}`. */
export function collection(items: Record<string, unknown>[]): Record<string, unknown> {
  return { entity: 'collection', count: items.length, items };
}
