import { anyCurrencyFeeKey, type FeeTable } from '../connectors/configurations/validation.ts';
import { currencyExponents } from '../platform/money.ts';

/**
 * Expected connector fees, for the lowest-cost strategy: the fee table's entry for the payment's currency, or its `*`
 * entry (a percentage only) when the currency has none.
 */

/** Basis points in a whole. */
const basisPointsPerWhole = 10_000;

/**
 * The expected fee of a payment of `amount` (minor units) in `currency`, in the same minor units (fractional: a
 * percentage of an amount is rarely whole, and rounding here could make two different fees tie). Null when the table
 * has neither an entry for the currency nor `*`: the cost is unknown.
 */
export function expectedCost(fees: FeeTable, amount: number, currency: string): number | null {
  const entry = Object.hasOwn(fees, currency) ? fees[currency] : Object.hasOwn(fees, anyCurrencyFeeKey) ? fees[anyCurrencyFeeKey] : undefined;
  if (entry === undefined) return null;
  return (entry.percent_bps * amount) / basisPointsPerWhole + entry.fixed;
}

/** A cost in the currency's major unit for people, e.g. 59 usd -> "0.59 usd" (rounded to the minor unit). */
export function formatCost(cost: number, currency: string): string {
  const exponent = currencyExponents.get(currency) ?? 2;
  return `${(Math.round(cost) / 10 ** exponent).toFixed(exponent)} ${currency}`;
}
