/**
 * What the frame sends to Payrail's API, built from what the merchant's page asked: the form encoding Stripe's API
 * takes (`billing_details[address][city]=...`) and billing details copied field by field, so nothing the merchant's
 * page put in the object is passed on unless it is one of Stripe's fields, and then only as a short string. Pure
 * functions (no DOM), unit-tested in test/payrail-js-card.test.ts.
 */

/** Longest string copied from billing details into a request. */
export const billingValueLengthMax = 500;

export function formEncode(value: Record<string, unknown>): string {
  const pairs: string[] = [];
  const walk = (prefix: string, item: unknown): void => {
    if (item === undefined || item === null) return;
    if (typeof item === 'object') {
      for (const [key, child] of Object.entries(item as Record<string, unknown>)) walk(prefix ? `${prefix}[${key}]` : key, child);
      return;
    }
    pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(item))}`);
  };
  walk('', value);
  return pairs.join('&');
}

const billingFields = ['name', 'email', 'phone'] as const;
const addressFields = ['line1', 'line2', 'city', 'state', 'postal_code', 'country'] as const;

/** Copies only the billing fields Stripe knows, as short strings: the merchant's object is not passed on as given. */
export function cleanBillingDetails(input: unknown, postalCode: string | undefined): Record<string, unknown> | undefined {
  const source = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const result: Record<string, unknown> = {};
  for (const field of billingFields) if (typeof source[field] === 'string') result[field] = (source[field] as string).slice(0, billingValueLengthMax);
  const address: Record<string, string> = {};
  const sourceAddress = typeof source.address === 'object' && source.address !== null ? (source.address as Record<string, unknown>) : {};
  for (const field of addressFields) if (typeof sourceAddress[field] === 'string') address[field] = (sourceAddress[field] as string).slice(0, billingValueLengthMax);
  if (postalCode && address.postal_code === undefined) address.postal_code = postalCode;
  if (Object.keys(address).length > 0) result.address = address;
  return Object.keys(result).length > 0 ? result : undefined;
}

/**
 * The local methods payrail.js confirms with (Stripe.js's confirmIdealPayment, confirmSepaDebitPayment, ...), and the
 * fields of each one's hash a page may pass: anything else the page put in the object is dropped.
 */
export const localMethodHashFields: Readonly<Record<string, readonly string[]>> = {
  ideal: ['bank'], bancontact: [], eps: ['bank'], p24: ['bank'], blik: [], klarna: [], sepa_debit: ['iban'], boleto: ['tax_id'], pix: [], upi: ['vpa'],
};

/** Longest value of a hash field (an IBAN is at most 34 characters; a VPA 320). */
const hashValueLengthMax = 320;

/**
 * Stripe's `payment_method_data` for a local method, with its hash and billing details copied field by field; a SEPA
 * debit's mandate is accepted online in this browser (Stripe.js's `infer_from_client`: the server records the
 * request's IP address and user agent); BLIK's code goes as the confirmation's option. Undefined for an unknown type.
 */
export function localMethodParameters(method: { type: string; details?: unknown }, billingDetails: unknown, blikCode: unknown): Record<string, unknown> | undefined {
  const fields = localMethodHashFields[method.type];
  if (fields === undefined) return undefined;
  const source = typeof method.details === 'object' && method.details !== null ? (method.details as Record<string, unknown>) : {};
  const hash: Record<string, string> = {};
  for (const field of fields) if (typeof source[field] === 'string') hash[field] = (source[field] as string).slice(0, hashValueLengthMax);
  const data: Record<string, unknown> = { type: method.type };
  if (Object.keys(hash).length > 0) data[method.type] = hash;
  const billing = cleanBillingDetails(billingDetails, undefined);
  if (billing) data.billing_details = billing;
  const parameters: Record<string, unknown> = { payment_method_data: data };
  if (method.type === 'sepa_debit') parameters.mandate_data = { customer_acceptance: { type: 'online', online: { infer_from_client: 'true' } } };
  if (method.type === 'blik' && typeof blikCode === 'string') parameters.payment_method_options = { blik: { code: blikCode.slice(0, 6) } };
  return parameters;
}
