import { renderPrice } from '../prices/render.ts';
import type { PriceRow } from '../prices/repository.ts';
import type { PaymentLinkLineItemRow, PaymentLinkRow } from './repository.ts';

/** A link's public page: `<public URL>/pl/<id>` (Stripe's is buy.stripe.com/<code>); visiting it starts a Checkout Session. */
export function paymentLinkPath(id: string): string {
  return `/pl/${id}`;
}

/** The unit amount of `price` in the link's currency: its own, or its currency option (checked when the link was made). */
export function unitAmountIn(price: PriceRow, currency: string): number | undefined {
  if (price.currency === currency) return price.unit_amount;
  return price.currency_options[currency]?.unit_amount;
}

/** Stripe's PaymentLink object (2024-04-10), every field; what Payrail does not offer has Stripe's empty value. */
export function renderPaymentLink(row: PaymentLinkRow, publicUrl: string): Record<string, unknown> {
  const intentData = row.payment_intent_data;
  const connect = row.connect;
  return {
    id: row.id,
    object: 'payment_link',
    active: row.active,
    after_completion: row.after_completion,
    allow_promotion_codes: false,
    application: null,
    application_fee_amount: connect?.application_fee_amount ?? null,
    // Stripe's is for subscription invoices (a recurring price); Payrail's prices are one-time, so a link never has one.
    application_fee_percent: null,
    automatic_tax: { enabled: false, liability: null },
    billing_address_collection: row.billing_address_collection,
    consent_collection: null,
    currency: row.currency,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer_creation: row.customer_creation,
    inactive_message: row.inactive_message,
    invoice_creation: { enabled: false, invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null } },
    livemode: row.livemode,
    metadata: row.metadata,
    on_behalf_of: connect?.on_behalf_of ?? null,
    payment_intent_data: intentData === null ? null : { ...intentData, transfer_group: intentData.transfer_group ?? null },
    payment_method_collection: 'always',
    payment_method_types: row.payment_method_types,
    phone_number_collection: { enabled: row.phone_number_collection },
    restrictions: row.completed_sessions_limit === null ? null : { completed_sessions: { count: row.completed_sessions_count, limit: row.completed_sessions_limit } },
    shipping_address_collection: row.shipping_allowed_countries === null ? null : { allowed_countries: row.shipping_allowed_countries },
    shipping_options: [],
    submit_type: row.submit_type,
    subscription_data: null,
    tax_id_collection: { enabled: false },
    transfer_data: connect?.transfer_data ? { amount: connect.transfer_data.amount, destination: connect.transfer_data.destination } : null,
    url: `${publicUrl}${paymentLinkPath(row.id)}`,
  };
}

/** Stripe's line item (`item`) of a link: its price whole, and the amounts of its quantity in the link's currency. */
export function renderPaymentLinkLineItem(row: PaymentLinkLineItemRow, price: PriceRow, description: string, currency: string): Record<string, unknown> {
  const amount = (unitAmountIn(price, currency) ?? 0) * row.quantity;
  return {
    id: row.id,
    object: 'item',
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency,
    description,
    price: renderPrice(price),
    quantity: row.quantity,
  };
}
