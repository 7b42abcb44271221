import { assert } from '../platform/errors.ts';

/** A percentage (in basis points: 290 is 2.9%) plus a fixed amount in the settlement currency's minor unit. */
export interface PriceRule {
  percent_bps: number;
  fixed: number;
}

/**
 * Pricing: per payment-method type, per settlement currency (`*` for any other), a rule; surcharges in basis
 * points for cards issued outside the account's country and for charges converted to the settlement currency.
 */
export interface Pricing {
  rules: Record<string, Record<string, PriceRule>>;
  international_bps: number;
  currency_conversion_bps: number;
}

/** An account's overrides: any part of `Pricing`, merged over the platform defaults rule by rule. */
export interface PricingOverrides {
  rules?: Record<string, Record<string, Partial<PriceRule>>>;
  international_bps?: number;
  currency_conversion_bps?: number;
}

/** Largest percentage accepted anywhere in pricing (50%). */
export const percentBpsMax = 5_000;

/**
 * Platform defaults, after Stripe's published standard pricing: 2.9% + 30 cents for cards in US dollars (local
 * fixed fees in other major currencies), 1.5% for international cards and 1% for currency conversion; and the
 * dispute fee, priced as the rules of a `dispute` type.
 * `PAYRAIL_PRICING_FILE` replaces them (docs/ledger.md).
 */
export const defaultPricing: Pricing = {
  rules: {
    card: {
      '*': { percent_bps: 290, fixed: 0 },
      usd: { percent_bps: 290, fixed: 30 },
      eur: { percent_bps: 290, fixed: 25 },
      gbp: { percent_bps: 290, fixed: 20 },
      cad: { percent_bps: 290, fixed: 30 },
      aud: { percent_bps: 290, fixed: 30 },
      chf: { percent_bps: 290, fixed: 30 },
      jpy: { percent_bps: 360, fixed: 0 },
    },
    // Not a payment method: the fee withdrawn with a disputed amount (src/fees/dispute-fee.ts), after Stripe's
    // dispute fees (15.00 USD; 20.00 EUR and GBP); 1,500 minor units of any other currency.
    dispute: {
      '*': { percent_bps: 0, fixed: 1_500 },
      usd: { percent_bps: 0, fixed: 1_500 },
      eur: { percent_bps: 0, fixed: 2_000 },
      gbp: { percent_bps: 0, fixed: 2_000 },
      cad: { percent_bps: 0, fixed: 1_500 },
      aud: { percent_bps: 0, fixed: 2_500 },
      jpy: { percent_bps: 0, fixed: 1_500 },
    },
  },
  international_bps: 150,
  currency_conversion_bps: 100,
};

/** The defaults with an account's overrides applied. */
export function effectivePricing(defaults: Pricing, overrides: PricingOverrides): Pricing {
  const rules: Pricing['rules'] = {};
  // Rules are copied down to each rule object, so changing the result can never change the platform defaults.
  for (const [type, byCurrency] of Object.entries(defaults.rules)) rules[type] = Object.fromEntries(Object.entries(byCurrency).map(([currency, rule]) => [currency, { ...rule }]));
  for (const [type, byCurrency] of Object.entries(overrides.rules ?? {})) {
    const merged = (rules[type] ??= {});
    for (const [currency, rule] of Object.entries(byCurrency)) {
      const base = merged[currency] ?? merged['*'] ?? { percent_bps: 0, fixed: 0 };
      merged[currency] = { percent_bps: rule.percent_bps ?? base.percent_bps, fixed: rule.fixed ?? base.fixed };
    }
  }
  return {
    rules,
    international_bps: overrides.international_bps ?? defaults.international_bps,
    currency_conversion_bps: overrides.currency_conversion_bps ?? defaults.currency_conversion_bps,
  };
}

/** `amount * bps / 10000`, rounded half up, in integers (amounts here are non-negative). */
export function basisPointsOf(amount: number, bps: number): number {
  assert(Number.isSafeInteger(amount) && amount >= 0 && Number.isSafeInteger(bps) && bps >= 0, 'fee inputs are non-negative integers');
  return Math.floor((amount * bps * 2 + 10_000) / 20_000);
}

export interface FeeLine {
  amount: number;
  description: string;
}

export interface FeeQuote {
  fee: number;
  lines: FeeLine[];
}

/**
 * The fee on a settled amount. Never more than the amount itself: a charge's net is never negative.
 */
export function quoteFee(pricing: Pricing, input: { paymentMethodType: string; settlementCurrency: string; settlementAmount: number; international: boolean; converted: boolean }): FeeQuote {
  const byCurrency = pricing.rules[input.paymentMethodType] ?? {};
  const rule = byCurrency[input.settlementCurrency] ?? byCurrency['*'] ?? { percent_bps: 0, fixed: 0 };
  const lines: FeeLine[] = [];
  const processing = basisPointsOf(input.settlementAmount, rule.percent_bps) + rule.fixed;
  if (processing > 0) lines.push({ amount: processing, description: 'Payrail processing fees' });
  if (input.international && pricing.international_bps > 0) {
    lines.push({ amount: basisPointsOf(input.settlementAmount, pricing.international_bps), description: 'International card fee' });
  }
  if (input.converted && pricing.currency_conversion_bps > 0) {
    lines.push({ amount: basisPointsOf(input.settlementAmount, pricing.currency_conversion_bps), description: 'Currency conversion fee' });
  }
  const nonZero = lines.filter((line) => line.amount > 0);
  const total = nonZero.reduce((sum, line) => sum + line.amount, 0);
  if (total <= input.settlementAmount) return { fee: total, lines: nonZero };
  // A fee larger than the charge (a tiny amount with a fixed fee) is capped at the amount, as one line.
  return { fee: input.settlementAmount, lines: [{ amount: input.settlementAmount, description: 'Payrail processing fees (capped at the charge amount)' }] };
}

/** Checks a pricing document (from the pricing file or an account's overrides); returns a message for the first problem. */
export function pricingProblem(pricing: PricingOverrides): string | undefined {
  const checkBps = (value: unknown, name: string) =>
    value !== undefined && (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > percentBpsMax) ? `${name} must be an integer from 0 to ${percentBpsMax}` : undefined;
  for (const [type, byCurrency] of Object.entries(pricing.rules ?? {})) {
    for (const [currency, rule] of Object.entries(byCurrency)) {
      const problem = checkBps(rule.percent_bps, `rules.${type}.${currency}.percent_bps`)
        ?? (rule.fixed !== undefined && (!Number.isSafeInteger(rule.fixed) || rule.fixed < 0 || rule.fixed > 100_000) ? `rules.${type}.${currency}.fixed must be an integer from 0 to 100000` : undefined);
      if (problem) return problem;
    }
  }
  return checkBps(pricing.international_bps, 'international_bps') ?? checkBps(pricing.currency_conversion_bps, 'currency_conversion_bps');
}
