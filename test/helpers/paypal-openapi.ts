import { OpenApiSpec, type OpenApiSpecOptions } from './openapi-spec.ts';

/**
 * Validates PayPal REST traffic against PayPal's vendored OpenAPI 3.0.3 documents (specs/paypal/*.json), with the
 * shared validator in test/helpers/openapi-spec.ts and the settings PayPal's documents need:
 * - they are OpenAPI 3.0, so Ajv's draft-07 dialect rather than 2020-12;
 * - PayPal's e-mail `pattern` is a regular expression that is valid ECMAScript only without the `u` flag (Ajv adds it
 *   by default), hence `unicodeRegExp: false`;
 * - PayPal uses its own `format` names (`ppaas_common_currency_code_v2`, ...), accepted without a check (their
 *   syntax is already constrained by `pattern` / `minLength` next to them);
 * - a response PayPal documents without a body must come without one.
 *
 * Usage:
 *   paypalSpecs.orders().assertExchange('POST', '/v2/checkout/orders', requestBody, 201, responseBody);
 *   paypalSpecs.for('GET', '/v2/payments/refunds/ABC')?.assertExchange(...);
 */

/** PayPal's own format names in the vendored documents; Ajv would otherwise warn about every one of them. */
const paypalFormats = [
  'merchant_common_email_address_v2',
  'ppaas_payer_id_v3',
  'ppaas_date_notime_v2',
  'ppaas_common_country_code_v2',
  'payer_v1',
  'ppaas_common_currency_code_v2',
  'ppaas_common_language_v3',
  'ppaas_common_email_address_v2',
  'ppaas_ip_address_v1',
  'ppaas_date_time_v3',
];

const paypalOptions: OpenApiSpecOptions = {
  dialect: 'draft-07',
  unicodeRegExp: false,
  acceptedFormats: paypalFormats,
  responseWithoutSchema: 'must_be_empty',
};

/** Loads (once per process) one of specs/paypal/*.json. */
function loadPayPalSpec(file: string): OpenApiSpec {
  return OpenApiSpec.load(`paypal/${file}`, paypalOptions);
}

/** The three PayPal documents, and which one describes a concrete path. */
export const paypalSpecs = {
  orders: () => loadPayPalSpec('checkout_orders_v2.json'),
  payments: () => loadPayPalSpec('payments_payment_v2.json'),
  webhooks: () => loadPayPalSpec('notifications_webhooks_v1.json'),
  /** The document with an operation for this method and path, or null (e.g. /v1/oauth2/token is in none of them). */
  for(method: string, concretePath: string): OpenApiSpec | null {
    for (const spec of [this.orders(), this.payments(), this.webhooks()]) if (spec.has(method, concretePath)) return spec;
    return null;
  },
};
