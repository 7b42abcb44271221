import type { CheckoutTexts } from './page-texts.ts';
import { readLocalMethod, type LocalPayment } from './local-method-fields.ts';
import type { LocalMethodTexts } from './local-method-texts.ts';
import type { CheckoutForm } from './shopper-details.ts';
import type { Address, CheckoutSessionRow } from './repository.ts';

import type { FieldError, RawForm } from './form-types.ts';

export type { FieldError, RawForm } from './form-types.ts';

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function text(raw: RawForm, name: string, maxLength = 200): string {
  const value = raw[name];
  return typeof value === 'string' ? value.trim().slice(0, maxLength) : '';
}

/** `MM / YY`, `MM/YY`, `MMYY` or `MM / YYYY` into month and four-digit year. */
export function parseExpiry(value: string): { month: number; year: number } | undefined {
  const match = /^(\d{1,2})\s*\/?\s*(\d{2}|\d{4})$/.exec(value.replace(/\s+/g, ' ').trim());
  if (!match) return undefined;
  const month = Number(match[1]);
  const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  return month >= 1 && month <= 12 ? { month, year } : undefined;
}

function addressOf(raw: RawForm, prefix: string): Address {
  const part = (name: string) => text(raw, `${prefix}_${name}`) || null;
  return { line1: part('line1'), line2: part('line2'), city: part('city'), state: part('state'), postal_code: part('postal_code'), country: (part('country') ?? '').toUpperCase() || null };
}

/**
 * Reads and checks the page's form for a session: the email (unless the session has a customer), the cardholder's
 * name, the card, a billing address when the session requires one, a phone number when it collects one, a shipping
 * address in an allowed country when it collects one. The card's number and expiry are checked for shape here; the
 * PaymentMethod's own checks (Luhn, expiry in the past) answer the rest. Values are never echoed for the card. With
 * `method=paypal` (the PayPal button, when the session offers it) there is no card and the name is optional.
 */
/**
 * The method the shopper chose: PayPal's button posts `method=paypal`; otherwise the `payment_method_type` radio
 * (shown when the session offers more than one method besides PayPal), else the session's first (cards first).
 */
export function chosenMethod(session: CheckoutSessionRow, raw: RawForm): string {
  if (raw.method === 'paypal' && session.payment_method_types.includes('paypal')) return 'paypal';
  const offered = pageMethodChoices(session);
  const chosen = raw.payment_method_type;
  return typeof chosen === 'string' && offered.includes(chosen) ? chosen : (offered[0] ?? 'card');
}

/** The methods the page lets the shopper choose between (PayPal has its own button), cards first. */
export function pageMethodChoices(session: CheckoutSessionRow): string[] {
  return session.payment_method_types.filter((type) => type !== 'paypal');
}

export function readCheckoutForm(session: CheckoutSessionRow, raw: RawForm, texts: CheckoutTexts, localTexts: LocalMethodTexts): { form: CheckoutForm } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const say = texts.errors;
  const email = text(raw, 'email', 512) || null;
  if (session.customer_id === null && (email === null || !emailPattern.test(email))) errors.push({ field: 'email', message: say.email });
  // The PayPal button posts the same form with method=paypal: no card, the shopper's name comes from PayPal if absent.
  const method = session.mode === 'setup' ? 'card' : chosenMethod(session, raw);
  let name = text(raw, 'name');
  let card: CheckoutForm['card'] = null;
  let local: LocalPayment | null = null;
  if (method !== 'card' && method !== 'paypal') {
    const read = readLocalMethod(method, session.currency ?? '', raw, email ?? session.customer_email, localTexts);
    if ('errors' in read) errors.push(...read.errors.filter((error) => error.field !== 'email' || !errors.some((other) => other.field === 'email')));
    else {
      local = read.payment;
      name = read.payment.data.billing_details?.name ?? name;
    }
  }
  if (method === 'card') {
    if (name === '') errors.push({ field: 'name', message: say.name });
    const number = text(raw, 'card_number', 40).replace(/[\s-]/g, '');
    if (!/^\d{12,19}$/.test(number)) errors.push({ field: 'card_number', message: say.number });
    const expiry = parseExpiry(text(raw, 'card_expiry', 20));
    if (!expiry) errors.push({ field: 'card_expiry', message: say.expiry });
    const cvc = text(raw, 'card_cvc', 8);
    if (!/^\d{3,4}$/.test(cvc)) errors.push({ field: 'card_cvc', message: say.cvc });
    if (expiry) card = { number, exp_month: expiry.month, exp_year: expiry.year, cvc };
  }
  let address: Address | null = null;
  if (session.billing_address_collection === 'required') {
    address = addressOf(raw, 'billing');
    if (!address.line1) errors.push({ field: 'billing_line1', message: say.address });
    if (!address.city) errors.push({ field: 'billing_city', message: say.city });
    if (!address.postal_code) errors.push({ field: 'billing_postal_code', message: say.postalCode });
    if (!address.country || !/^[A-Z]{2}$/.test(address.country)) errors.push({ field: 'billing_country', message: say.country });
  } else {
    const country = text(raw, 'billing_country', 2).toUpperCase();
    const postalCode = text(raw, 'billing_postal_code', 20);
    if (country || postalCode) address = { line1: null, line2: null, city: null, state: null, postal_code: postalCode || null, country: country || null };
  }
  let phone: string | null = null;
  if (session.phone_number_collection) {
    phone = text(raw, 'phone', 40) || null;
    if (phone === null || !/^\+?[0-9 ()-]{6,}$/.test(phone)) errors.push({ field: 'phone', message: say.phone });
  }
  let shipping: CheckoutForm['shipping'] = null;
  if (session.shipping_allowed_countries !== null) {
    const shippingAddress = addressOf(raw, 'shipping');
    const shippingName = text(raw, 'shipping_name') || name;
    if (shippingName === '') errors.push({ field: 'shipping_name', message: say.shippingName });
    if (!shippingAddress.line1) errors.push({ field: 'shipping_line1', message: say.shippingAddress });
    if (!shippingAddress.city) errors.push({ field: 'shipping_city', message: say.city });
    if (!shippingAddress.postal_code) errors.push({ field: 'shipping_postal_code', message: say.postalCode });
    if (!shippingAddress.country || !session.shipping_allowed_countries.includes(shippingAddress.country)) errors.push({ field: 'shipping_country', message: say.shippingCountry });
    shipping = { name: shippingName, address: shippingAddress };
  }
  if (errors.length > 0 || (method === 'card' && card === null)) return { errors };
  if (local !== null && address !== null) {
    // The page's own billing country and postal code (or address) go with the method's, which win where both are given.
    local.data.billing_details = { ...local.data.billing_details, address: local.data.billing_details?.address ?? address };
  }
  return { form: { method, email, name: name || null, card, local, address, phone, shipping } };
}
