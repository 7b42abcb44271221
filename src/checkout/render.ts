import { renderPrice } from '../prices/render.ts';
import type { PriceRow } from '../prices/repository.ts';
import type { CheckoutSessionRow, LineItemRow } from './repository.ts';

/** The hosted page of a session: `<public URL>/c/pay/<id>` (Stripe's is checkout.stripe.com/c/pay/<id>). */
export function checkoutPagePath(id: string): string {
  return `/c/pay/${id}`;
}

/** Stripe's Checkout Session object (mode payment or setup, hosted or embedded), every field of its 2024-04-10 schema. */
export function renderCheckoutSession(row: CheckoutSessionRow, publicUrl: string): Record<string, unknown> {
  const details = row.customer_details;
  return {
    id: row.id,
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: row.amount_subtotal,
    amount_total: row.amount_total,
    automatic_tax: { enabled: false, liability: null, status: null },
    billing_address_collection: row.billing_address_collection,
    cancel_url: row.cancel_url,
    client_reference_id: row.client_reference_id,
    client_secret: row.client_secret,
    consent: null,
    consent_collection: null,
    created: row.created,
    currency: row.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: row.customer_id,
    customer_creation: row.customer_creation,
    customer_details: details === null ? null : { address: details.address, email: details.email, name: details.name, phone: details.phone, tax_exempt: 'none', tax_ids: [] },
    customer_email: row.customer_email,
    expires_at: row.expires_at,
    invoice: null,
    invoice_creation: { enabled: false, invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null } },
    livemode: row.livemode,
    locale: row.locale,
    metadata: row.metadata,
    mode: row.mode,
    payment_intent: row.payment_intent_id,
    payment_link: row.payment_link_id,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: row.payment_method_types,
    payment_status: row.payment_status,
    phone_number_collection: { enabled: row.phone_number_collection },
    recovered_from: null,
    // Embedded sessions only: Stripe leaves both out of a hosted session.
    ...(row.ui_mode === 'embedded' ? { redirect_on_completion: row.redirect_on_completion, return_url: row.return_url } : {}),
    setup_intent: row.setup_intent_id,
    shipping_address_collection: row.shipping_allowed_countries === null ? null : { allowed_countries: row.shipping_allowed_countries },
    shipping_cost: null,
    shipping_details: row.shipping_details,
    shipping_options: [],
    status: row.status,
    // Stripe's submit_type is for payment mode only.
    submit_type: row.mode === 'payment' ? row.submit_type : null,
    subscription: null,
    success_url: row.success_url,
    total_details: row.mode === 'payment' ? { amount_discount: 0, amount_shipping: 0, amount_tax: 0 } : null,
    ui_mode: row.ui_mode,
    // An embedded session has no page of its own to send the shopper to: payrail.js mounts it with the client secret.
    url: row.status === 'open' && row.ui_mode === 'hosted' ? `${publicUrl}${checkoutPagePath(row.id)}` : null,
  };
}

/** Stripe's line item (`item`) of a session, with its price. */
export function renderLineItem(row: LineItemRow, price: PriceRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'item',
    amount_discount: 0,
    amount_subtotal: row.amount_subtotal,
    amount_tax: 0,
    amount_total: row.amount_total,
    currency: row.currency,
    description: row.description,
    price: renderPrice(price),
    quantity: row.quantity,
  };
}
