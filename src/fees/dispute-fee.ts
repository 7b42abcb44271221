import { basisPointsOf, defaultPricing, effectivePricing, type Pricing, type PricingOverrides } from './pricing.ts';

/** The pricing rules' key of the dispute fee (a pseudo payment-method type: no payment method is named so). */
export const disputeFeeRuleType = 'dispute';

/**
 * The dispute fee withdrawn with a disputed amount, in the settlement currency's minor units: the account's pricing
 * (platform defaults, `PAYRAIL_PRICING_FILE`, the account's `payrail_settings[pricing][rules][dispute][<currency>]`
 * overrides) priced as any rule, a percentage of the disputed amount plus a fixed amount, by settlement currency
 * (`*` for any other). The defaults are Stripe's: 15.00 USD, 20.00 EUR and GBP (docs/disputes.md).
 */
export function disputeFee(platformDefaults: Pricing, overrides: PricingOverrides, settlementCurrency: string, settlementAmount: number): number {
  const pricing = effectivePricing(platformDefaults, overrides);
  const byCurrency = pricing.rules[disputeFeeRuleType] ?? defaultPricing.rules[disputeFeeRuleType];
  const rule = byCurrency[settlementCurrency] ?? byCurrency['*'] ?? { percent_bps: 0, fixed: 0 };
  return basisPointsOf(settlementAmount, rule.percent_bps) + rule.fixed;
}
