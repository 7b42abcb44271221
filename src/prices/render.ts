import type { PriceRow, TaxBehavior } from './repository.ts';

function renderCurrencyOption(unitAmount: number, taxBehavior: TaxBehavior): Record<string, unknown> {
  return { custom_unit_amount: null, tax_behavior: taxBehavior, unit_amount: unitAmount, unit_amount_decimal: String(unitAmount) };
}

/** The Stripe `price` object (one-time, per unit). `currency_options` is added only when expanded, as at Stripe. */
export function renderPrice(row: PriceRow): Record<string, unknown> {
  return {
    id: row.id,
    object: 'price',
    active: row.active,
    billing_scheme: 'per_unit',
    created: row.created,
    currency: row.currency,
    custom_unit_amount: null,
    livemode: row.livemode,
    lookup_key: row.lookup_key,
    metadata: row.metadata,
    nickname: row.nickname,
    product: row.product_id,
    recurring: null,
    tax_behavior: row.tax_behavior,
    tiers_mode: null,
    transform_quantity: null,
    type: 'one_time',
    unit_amount: row.unit_amount,
    unit_amount_decimal: String(row.unit_amount),
  };
}

/**
 * Stripe's `currency_options` of a price (an includable field): every currency the price can be paid in, its own
 * first, then the others in code order.
 */
export function renderCurrencyOptions(row: PriceRow): Record<string, unknown> {
  const options: Record<string, unknown> = { [row.currency]: renderCurrencyOption(row.unit_amount, row.tax_behavior) };
  for (const currency of Object.keys(row.currency_options).sort()) {
    const option = row.currency_options[currency];
    options[currency] = renderCurrencyOption(option.unit_amount, option.tax_behavior);
  }
  return options;
}
