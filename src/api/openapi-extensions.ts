import type { JsonSchema } from './schema.ts';

/**
 * Schemas of Payrail's extension fields on Stripe objects (always prefixed `payrail_`), by Stripe component name.
 * scripts/generate-openapi-schemas.ts puts them into the generated component schemas beside Stripe's own fields.
 */
const amountsByCurrency = (description: string): JsonSchema => ({
  type: 'array',
  description,
  items: { type: 'object', required: ['amount', 'currency'], properties: { amount: { type: 'integer' }, currency: { type: 'string' } } },
});

/**
 * Enum values Stripe added after API 2024-04-10 that Payrail renders (declared in the `stripe` package types, as
 * `<file in esm/resources>#<interface>`): by component, field and the values. Both Payrail's generated document and the
 * conformance check of Stripe's add them to Stripe's enum. UPI (`payment_method.type = upi`) is one.
 */
export const newerStripeEnumValues: Record<string, Record<string, { values: string[]; declaredIn: string }>> = {
  payment_method: { type: { values: ['upi'], declaredIn: 'PaymentMethods.d.ts#PaymentMethod' } },
};

/** A component's schema with the newer enum values added (a copy; the schema is left as it was). */
export function withNewerEnumValues(name: string, component: Record<string, unknown>): Record<string, unknown> {
  const fields = newerStripeEnumValues[name];
  if (!fields) return component;
  const properties = { ...(component.properties as Record<string, Record<string, unknown>>) };
  for (const [field, { values }] of Object.entries(fields)) {
    const property = properties[field];
    if (property && Array.isArray(property.enum)) properties[field] = { ...property, enum: [...property.enum, ...values] };
  }
  return { ...component, properties };
}

export const payrailExtensionSchemas: Record<string, Record<string, JsonSchema>> = {
  charge: {
    payrail_routing: {
      type: ['object', 'null'],
      description: 'Payrail extension: which connector processed the charge (connector, connector_configuration, attempt, capture_status), why it was chosen, and every connector attempt of the cascade (docs/routing.md). Null for the built-in test processor.',
    },
  },
  payment_method_details_sepa_debit: {
    payrail_expected_debit_date: {
      type: 'string',
      format: 'date',
      description: "Payrail extension: the day (YYYY-MM-DD) the debit is expected on the customer's account, the first TARGET2 business day after the confirmation; the SEPA pre-notification announces it with the amount and the mandate reference (docs/payment-methods.md).",
    },
  },
  payment_method_details_card: {
    payrail_strong_customer_authentication: {
      type: ['object', 'null'],
      description: "Payrail extension: its strong customer authentication (PSD2) decision for the payment and the liability shift (docs/sca.md). Null for charges made before Payrail decided (none for a card payment now).",
      properties: {
        scope: { type: 'string', enum: ['in_scope', 'one_leg_out', 'merchant_initiated'] },
        action: { type: 'string', enum: ['authenticate', 'exempt', 'none'] },
        exemption: { type: ['string', 'null'], enum: ['low_value', 'transaction_risk_analysis', 'recurring', null] },
        liability_shift: { type: 'boolean' },
      },
    },
  },
  account: {
    payrail_settings: {
      type: 'object',
      description: 'Payrail extension: the account country, extra settlement currencies, the pricing overrides as stored, and the effective pricing (platform defaults with the overrides merged in).',
      properties: {
        country: { type: 'string' },
        settlement_currencies: { type: 'array', items: { type: 'string' } },
        pricing_overrides: { type: 'object' },
        pricing: { type: 'object' },
        transaction_risk_analysis: { type: ['object', 'null'], properties: { fraud_rate_bps: { type: 'integer' } } },
      },
    },
  },
  balance: {
    payrail_authorized: amountsByCurrency('Payrail extension: authorization holds not yet captured, per currency (not yet the merchant\'s money).'),
    payrail_in_transit: amountsByCurrency('Payrail extension: payouts sent to the bank and not yet paid, per currency.'),
  },
  webhook_endpoint: {
    payrail_disabled_reason: { type: ['string', 'null'], enum: ['requested', 'failing', null], description: 'Payrail extension: why the endpoint is disabled (by request, or after failing deliveries); null while enabled.' },
    payrail_previous_secret_expires_at: { type: ['integer', 'null'], description: 'Payrail extension: after a roll_secret, when the previous signing secret stops signing (Unix time); null otherwise.' },
  },
};
