import { lowValueApplies, recurringApplies, transactionRiskAnalysisApplies } from './exemptions.ts';
import { inMandateRegion } from './regions.ts';
import type { ScaDecision, ScaFacts } from './types.ts';

/**
 * Decides strong customer authentication for a card payment, in this order:
 * 1. merchant-initiated (off_session): outside the mandate, nothing asked (the card's setup was authenticated);
 * 2. request_three_d_secure `challenge` / `any`: the merchant asks for 3-D Secure wherever the card supports it;
 * 3. one leg out (the card's issuer or the merchant outside the EEA/UK): no mandate, nothing asked. A card whose
 *    country is unknown counts as inside, so an unknown card is never let through without authentication;
 * 4. in scope: an exemption when one applies (fixed-amount recurring, transaction risk analysis, low value; an amount
 *    with no rate to the euro gets no amount-based exemption), else authentication.
 * Pure: the facts (account, card, counters, rates) are read beforehand.
 */
export function decideStrongCustomerAuthentication(facts: ScaFacts): ScaDecision {
  const base = { challenge: false, exemption: null, amount_eur: facts.amountEur };
  if (facts.merchantInitiated) return { ...base, scope: 'merchant_initiated', action: 'none', reason: 'merchant_initiated' };
  const cardInside = facts.cardCountry === null || inMandateRegion(facts.cardCountry);
  const scope = cardInside && inMandateRegion(facts.merchantCountry) ? 'in_scope' : 'one_leg_out';
  if (facts.requestThreeDSecure === 'challenge') return { ...base, scope, action: 'authenticate', reason: 'requested_challenge', challenge: true };
  if (facts.requestThreeDSecure === 'any') return { ...base, scope, action: 'authenticate', reason: 'requested_any' };
  if (scope === 'one_leg_out') return { ...base, scope, action: 'none', reason: 'one_leg_out' };
  const exempt = (exemption: NonNullable<ScaDecision['exemption']>): ScaDecision => ({ ...base, scope, action: 'exempt', exemption, reason: exemption });
  if (recurringApplies(facts)) return exempt('recurring');
  if (facts.amountEur !== null) {
    // Risk analysis first: it does not spend the card's low-value allowance.
    if (transactionRiskAnalysisApplies(facts.amountEur, facts.transactionRiskAnalysis)) return exempt('transaction_risk_analysis');
    if (lowValueApplies(facts.amountEur, facts.counters)) return exempt('low_value');
  }
  return { ...base, scope, action: 'authenticate', reason: 'mandate' };
}
