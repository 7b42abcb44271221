import { renderPaymentMethodOptions } from './payment-method-options.ts';
import type { ChargeRow, PaymentIntentRow } from './repository.ts';
import type { IntentConnect } from './connect-charge.ts';
import { renderScaExtension } from './sca/three-d-secure.ts';

/** Stripe's `transfer_data` of a destination charge's intent or charge ({amount, destination}); null otherwise. */
function renderTransferData(connect: IntentConnect | null | undefined): Record<string, unknown> | null {
  if (!connect || connect.kind !== 'destination') return null;
  return { ...(connect.transfer_amount !== null ? { amount: connect.transfer_amount } : {}), destination: connect.destination };
}

/** The Stripe `payment_intent` object. */
export function renderPaymentIntent(row: PaymentIntentRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'payment_intent',
    amount: row.amount,
    amount_capturable: row.amount_capturable,
    amount_details: { tip: {} },
    amount_received: row.amount_received,
    application: null,
    application_fee_amount: row.connect?.application_fee_amount ?? null,
    automatic_payment_methods: row.automatic_payment_methods && { enabled: row.automatic_payment_methods.enabled, allow_redirects: row.automatic_payment_methods.allow_redirects },
    canceled_at: row.canceled_at,
    cancellation_reason: row.cancellation_reason,
    capture_method: row.capture_method,
    client_secret: row.client_secret,
    confirmation_method: row.confirmation_method,
    created: row.created,
    currency: row.currency,
    customer: row.customer_id,
    description: row.description,
    last_payment_error: row.last_payment_error,
    latest_charge: row.latest_charge_id,
    livemode: row.livemode,
    metadata: row.metadata,
    next_action: row.next_action,
    on_behalf_of: row.connect?.on_behalf_of ?? null,
    payment_method: row.payment_method_id,
    payment_method_configuration_details: row.automatic_payment_methods?.configuration ? { id: row.automatic_payment_methods.configuration, parent: null } : null,
    payment_method_options: renderPaymentMethodOptions(row),
    payment_method_types: row.payment_method_types,
    processing: null,
    receipt_email: row.receipt_email,
    review: null,
    setup_future_usage: row.setup_future_usage,
    shipping: row.shipping,
    source: null,
    statement_descriptor: row.statement_descriptor,
    statement_descriptor_suffix: row.statement_descriptor_suffix,
    status: row.status,
    transfer_data: renderTransferData(row.connect),
    transfer_group: row.connect?.transfer_group ?? null,
  };
}

/**
 * Amount reported as refunded: refunds plus any authorized amount released without capture (a canceled
 * authorization or the remainder of a partial capture), which Stripe reports as refunded too.
 */
export function reportedAmountRefunded(row: ChargeRow): number {
  return row.amount_refunded + (row.released ? row.amount - row.amount_captured : 0);
}

/**
 * A legacy charge's `source`: its card as it was when charged, with the CVC check the processor answered (Stripe
 * updates the card's `cvc_check` when the charge checks it). Null for a PaymentIntent's charge, as at Stripe.
 */
function renderSource(row: ChargeRow): Record<string, unknown> | null {
  if (!row.source) return null;
  const checks = (row.payment_method_details as { card?: { checks?: { cvc_check?: string | null } } }).card?.checks;
  return { ...row.source, cvc_check: checks?.cvc_check ?? row.source.cvc_check ?? null };
}

/**
 * The `card` hash of a charge's `payment_method_details` (Stripe's `payment_method_details_card`), which is not the
 * PaymentMethod's `card`: it has what happened to this payment (network, checks, 3-D Secure, amounts) and none of the
 * PaymentMethod-only fields (`networks`, `display_brand`, `generated_from`, `three_d_secure_usage`). Charges stored
 * before this distinction kept a copy of the PaymentMethod's card, so the fields are picked, not passed through.
 */
export function renderChargeCard(stored: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!stored) return null;
  const field = <T>(name: string, fallback: T) => (name in stored ? stored[name] : fallback);
  return {
    amount_authorized: field('amount_authorized', null),
    brand: field('brand', null),
    capture_before: field('capture_before', undefined),
    checks: field('checks', null),
    country: field('country', null),
    exp_month: stored.exp_month,
    exp_year: stored.exp_year,
    extended_authorization: field('extended_authorization', { status: 'disabled' }),
    fingerprint: field('fingerprint', null),
    funding: field('funding', null),
    incremental_authorization: field('incremental_authorization', { status: 'unavailable' }),
    installments: field('installments', null),
    last4: field('last4', null),
    mandate: field('mandate', null),
    multicapture: field('multicapture', { status: 'unavailable' }),
    network: field('network', field('brand', null)),
    network_token: field('network_token', { used: false }),
    // Newer than API 2024-04-10 (the stripe package's types have them): kept for clients on newer versions.
    network_transaction_id: field('network_transaction_id', null),
    regulated_status: field('regulated_status', 'unregulated'),
    overcapture: field('overcapture', undefined),
    three_d_secure: field('three_d_secure', null),
    wallet: field('wallet', null),
    // Payrail extension: the strong customer authentication decision and whether liability shifted (docs/sca.md).
    payrail_strong_customer_authentication: renderScaExtension(stored),
  };
}

/** The Stripe `charge` object. */
export function renderCharge(row: ChargeRow): Record<string, unknown> {
  const amountRefunded = reportedAmountRefunded(row);
  const details = row.payment_method_details as { billing_details?: unknown; type?: string; card?: unknown; paypal?: unknown };
  return {
    id: row.id,
    object: 'charge',
    amount: row.amount,
    amount_captured: row.amount_captured,
    amount_refunded: amountRefunded,
    application: row.connect?.kind === 'direct' ? row.connect.platform : null,
    application_fee: row.connect?.application_fee ?? null,
    application_fee_amount: row.connect?.application_fee_collected ?? null,
    balance_transaction: row.balance_transaction_id,
    billing_details: details.billing_details ?? null,
    calculated_statement_descriptor: 'PAYRAIL',
    captured: row.captured,
    created: row.created,
    currency: row.currency,
    customer: row.customer_id,
    description: row.description,
    disputed: row.disputed === true,
    failure_balance_transaction: null,
    failure_code: row.failure_code,
    failure_message: row.failure_message,
    fraud_details: row.fraud_details ?? {},
    livemode: row.livemode,
    metadata: row.metadata,
    on_behalf_of: row.connect?.on_behalf_of ?? null,
    outcome: row.outcome,
    paid: row.status === 'succeeded',
    payment_intent: row.payment_intent_id,
    payment_method: row.payment_method_id,
    // Only the hash of the charge's own payment method type, as at Stripe (card details are stored without a type).
    payment_method_details: details.type === 'paypal'
      ? { paypal: details.paypal ?? null, type: 'paypal' }
      // A local method's hash, named like its type (payment-methods/local-methods.ts localChargeDetails).
      : details.type !== undefined && details.type !== 'card' ? { [details.type]: (details as Record<string, unknown>)[details.type] ?? {}, type: details.type }
        : { card: renderChargeCard(details.card as Record<string, unknown> | undefined), type: 'card' },
    receipt_email: row.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: row.status === 'succeeded' && amountRefunded === row.amount,
    review: null,
    shipping: row.shipping ?? null,
    source: renderSource(row),
    statement_descriptor: row.statement_descriptor ?? null,
    statement_descriptor_suffix: row.statement_descriptor_suffix ?? null,
    status: row.status,
    // Only a destination charge's (optional in Stripe's charge: absent otherwise). Charge `destination` is not part of API 2024-04-10.
    ...(row.connect?.transfer ? { transfer: row.connect.transfer } : {}),
    transfer_data: renderTransferData(row.connect),
    transfer_group: row.transfer_group ?? null,
    // Payrail extension: which connector processed the charge, why, and every connector attempt of the cascade.
    payrail_routing: row.connector === null ? null : {
      connector: row.connector,
      connector_configuration: row.connector_configuration_id,
      attempt: row.attempt_id,
      capture_status: row.capture_status,
      ...(row.routing ?? {}),
    },
  };
}
