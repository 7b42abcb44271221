import type { WalletPayer } from '../connectors/connector.ts';
import type { CardBrand } from './card-numbers.ts';
import { renderLocalMethodHash } from './local-methods.ts';
import type { CardPaymentMethodRow, PaymentMethodRow, StoredCard, StoredPayPal } from './repository.ts';

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

/** The Stripe `paypal` hash of a PaymentMethod: every field null until PayPal reports the payer. */
export function renderPayPal(wallet: StoredPayPal | null): Record<string, unknown> {
  return { country: wallet?.country ?? null, payer_email: wallet?.payer_email ?? null, payer_id: wallet?.payer_id ?? null };
}

/**
 * Stripe's `payment_method_details.paypal` of a charge: what PayPal reported for this payment (`payer`, once
 * authorized), else what the PaymentMethod already knows of the payer; null where neither tells.
 */
export function renderPayPalPaymentDetails(wallet: StoredPayPal | null, payer: WalletPayer | undefined): Record<string, unknown> {
  return {
    country: payer?.country ?? wallet?.country ?? null,
    payer_email: payer?.payerEmail ?? wallet?.payer_email ?? null,
    payer_id: payer?.payerId ?? wallet?.payer_id ?? null,
    payer_name: payer?.payerName ?? null,
    seller_protection: payer?.sellerProtection ? { dispute_categories: payer.sellerProtection.disputeCategories, status: payer.sellerProtection.status } : null,
    transaction_id: payer?.transactionId ?? null,
  };
}

/**
 * The Stripe `payment_method` object. As at Stripe, only the hash of the PaymentMethod's own type is present (`card`
 * for a card, `paypal` for PayPal), never the other types' hashes.
 */
export function renderPaymentMethod(row: PaymentMethodRow): Record<string, unknown> {
  const typeHash = row.type === 'card'
    ? { card: renderCard(row.card, row.card.cvc_provided ? 'unchecked' : null) }
    : row.type === 'paypal' ? { paypal: renderPayPal(row.wallet) } : { [row.type]: renderLocalMethodHash(row) };
  return {
    id: row.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: row.billing_details,
    ...typeHash,
    created: row.created,
    customer: row.customer_id,
    livemode: row.livemode,
    metadata: row.metadata,
    type: row.type,
  };
}

/** The brand as Stripe's legacy `card` object names it (PaymentMethods use the lower-case codes). */
const legacyBrandNames: Record<CardBrand, string> = {
  amex: 'American Express',
  diners: 'Diners Club',
  discover: 'Discover',
  jcb: 'JCB',
  mastercard: 'MasterCard',
  unionpay: 'UnionPay',
  visa: 'Visa',
  unknown: 'Unknown',
};

/**
 * Stripe's legacy `card` object (a token's card, a customer's card source, a legacy charge's `source`) of a card
 * PaymentMethod: the holder's name and address come from its billing details. Payrail checks no CVC or address with
 * an issuer when a card is tokenized or attached, so a check given data reads `unchecked` (Stripe's word for that).
 */
export function renderCardSource(row: CardPaymentMethodRow): Record<string, unknown> {
  const address = row.billing_details.address;
  return {
    id: row.id,
    object: 'card',
    address_city: address?.city ?? null,
    address_country: address?.country ?? null,
    address_line1: address?.line1 ?? null,
    address_line1_check: address?.line1 ? 'unchecked' : null,
    address_line2: address?.line2 ?? null,
    address_state: address?.state ?? null,
    address_zip: address?.postal_code ?? null,
    address_zip_check: address?.postal_code ? 'unchecked' : null,
    brand: legacyBrandNames[row.card.brand],
    country: row.card.country,
    customer: row.customer_id,
    cvc_check: row.card.cvc_provided ? 'unchecked' : null,
    dynamic_last4: null,
    exp_month: row.card.exp_month,
    exp_year: row.card.exp_year,
    fingerprint: row.card.fingerprint,
    funding: row.card.funding,
    last4: row.card.last4,
    metadata: row.metadata,
    name: row.billing_details.name,
    tokenization_method: null,
  };
}
