import type { BinRange, PaymentFacts, RoutingConditions, RoutingRule } from './types.ts';

/**
 * Rule matching: pure functions over a payment's facts. Conditions are checked cheapest first, so most rules that do
 * not apply are rejected after a comparison or two.
 */

/** Whether the card's BIN falls in the range. A BIN shorter than the range's digits cannot be placed, so it does not. */
export function binInRange(bin: string, range: BinRange): boolean {
  if ('prefix' in range) return bin.startsWith(range.prefix);
  const length = range.from.length;
  if (bin.length < length) return false;
  // Equal-length digit strings order as the numbers they spell, so no parsing is needed.
  const head = bin.length === length ? bin : bin.slice(0, length);
  return head >= range.from && head <= range.to;
}

/** Whether every condition given holds for the payment. A condition on a fact the payment lacks does not hold. */
export function conditionsMatch(conditions: RoutingConditions, facts: PaymentFacts): boolean {
  if (conditions.amountGte !== undefined && facts.amount < conditions.amountGte) return false;
  if (conditions.amountLte !== undefined && facts.amount > conditions.amountLte) return false;
  if (conditions.currencies !== undefined && !conditions.currencies.includes(facts.currency)) return false;
  if (conditions.paymentMethodTypes !== undefined && !conditions.paymentMethodTypes.includes(facts.paymentMethodType)) return false;
  if (conditions.countries !== undefined && (facts.country === null || !conditions.countries.includes(facts.country))) return false;
  if (conditions.cardBrands !== undefined && (facts.cardBrand === null || !conditions.cardBrands.includes(facts.cardBrand))) return false;
  if (conditions.binRanges !== undefined) {
    const bin = facts.bin;
    if (bin === null) return false;
    let inAny = false;
    for (const range of conditions.binRanges) {
      if (binInRange(bin, range)) {
        inAny = true;
        break;
      }
    }
    if (!inAny) return false;
  }
  if (conditions.metadata !== undefined) {
    for (const key in conditions.metadata) {
      if (!Object.hasOwn(facts.metadata, key) || facts.metadata[key] !== conditions.metadata[key]) return false;
    }
  }
  return true;
}

/** The first rule whose conditions all hold, in the profile's order; undefined when none does. */
export function matchingRule(rules: readonly RoutingRule[], facts: PaymentFacts): RoutingRule | undefined {
  for (const rule of rules) if (conditionsMatch(rule.conditions, facts)) return rule;
  return undefined;
}
