import type { PaymentMethodRow, StoredCard } from './repository.ts';

/** The Stripe `card` hash of a PaymentMethod; never includes the number. */
export function renderCard(card: StoredCard, cvcCheck: string | null): Record<string, unknown> {
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: cvcCheck },
    country: card.country,
    display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
    exp_month: card.exp_month,
    exp_year: card.exp_year,
    fingerprint: card.fingerprint,
    funding: card.funding,
    generated_from: null,
    last4: card.last4,
    networks: { available: [card.brand], preferred: null },
    regulated_status: 'unregulated',
    three_d_secure_usage: { supported: true },
    wallet: null,
  };
}

/** The Stripe `payment_method` object. */
export function renderPaymentMethod(row: PaymentMethodRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: row.billing_details,
    card: renderCard(row.card, row.card.cvc_provided ? 'unchecked' : null),
    created: row.created,
    customer: row.customer_id,
    livemode: row.livemode,
    metadata: row.metadata,
    type: row.type,
  };
}
