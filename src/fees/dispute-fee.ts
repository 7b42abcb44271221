import { exponentOf } from '../platform/money.ts';

/**
 * The dispute fee withdrawn with a disputed amount, in the settlement currency's minor units, after Stripe's
 * published fees (15.00 USD; 20.00 EUR and GBP; the same figure in the other currencies' major units, which is what
 * Stripe charges in most of its markets). Zero-decimal currencies take it in whole units (JPY 1,500 is what Stripe
 * Japan charges). Payrail's pricing file has no dispute fee yet: the fee is the same for every account.
 */
const disputeFeeMajorUnits: Readonly<Record<string, number>> = { usd: 15, eur: 20, gbp: 20, cad: 15, aud: 25, chf: 25, jpy: 1_500 };
const defaultMajorUnits = 15;

export function disputeFee(currency: string): number {
  const major = disputeFeeMajorUnits[currency] ?? defaultMajorUnits;
  return major * 10 ** exponentOf(currency);
}
