import { createHash } from 'node:crypto';
import type { ThreeDSecureOutcome } from '../../connectors/connector.ts';
import type { ScaDecision } from './types.ts';

/**
 * A charge's `payment_method_details.card.three_d_secure` (Stripe's three_d_secure_details_charge) and Payrail's
 * `payrail_strong_customer_authentication` beside it. Payrail reports the liability shift as Stripe shows it, through
 * `result` and the ECI: `authenticated` (ECI 05 for Visa and the others, 02 for Mastercard) and `attempt_acknowledged`
 * (06 / 01) move liability for fraud chargebacks to the issuer; `exempted`, `not_supported` and `processing_error`
 * (07, none for Mastercard) do not. The extension says it in one boolean, `liability_shift`.
 */

/** The key under which a charge's card details keep Payrail's decision (not rendered as such: see renderScaExtension). */
export const decisionKey = 'sca_decision';

type Result = ThreeDSecureOutcome['result'] | 'exempted';

function electronicCommerceIndicator(brand: string, result: Result): string | null {
  const mastercard = brand === 'mastercard';
  switch (result) {
    case 'authenticated': return mastercard ? '02' : '05';
    case 'attempt_acknowledged': return mastercard ? '01' : '06';
    // Not authenticated: Visa's and the others' 07; Mastercard's 00 is not one of Stripe's values, so none.
    default: return mastercard ? null : '07';
  }
}

/** A directory server transaction id (dsTransID, a UUID) stable for the attempt, as a provider's would be. */
function directoryServerTransactionId(attemptId: string): string {
  const hex = createHash('sha256').update('3ds:' + attemptId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The `three_d_secure` hash: from the provider's outcome when it told one; else a challenge the customer passed
 * (`authenticated`, what Payrail knows of a provider that did not say more); else `exempted` when Payrail claimed an
 * exemption and the payment went through without authentication; else null (no 3-D Secure, as at Stripe).
 */
export function threeDSecureDetails(input: {
  decision: ScaDecision | null;
  outcome: ThreeDSecureOutcome | undefined;
  authenticated: boolean | undefined;
  brand: string;
  attemptId: string;
}): Record<string, unknown> | null {
  // A failed challenge is not shown (as at Stripe the charge carries no authentication); the decline says it.
  if (input.authenticated === false && input.outcome === undefined) return null;
  const riskExempted = input.decision?.action === 'exempt' && input.decision.exemption === 'transaction_risk_analysis';
  const common = { exemption_indicator: riskExempted ? 'low_risk' : 'none', exemption_indicator_applied: riskExempted };
  const outcome = input.outcome ?? (input.authenticated === true ? { flow: 'challenge' as const, result: 'authenticated' as const, transactionId: directoryServerTransactionId(input.attemptId) } : undefined);
  if (outcome) {
    const ran = outcome.result !== 'not_supported';
    return {
      authentication_flow: outcome.result === 'authenticated' ? outcome.flow : null,
      electronic_commerce_indicator: electronicCommerceIndicator(input.brand, outcome.result),
      ...common,
      result: outcome.result,
      result_reason: outcome.result === 'not_supported' ? 'card_not_enrolled' : outcome.result === 'processing_error' ? 'protocol_error' : null,
      transaction_id: ran ? outcome.transactionId ?? directoryServerTransactionId(input.attemptId) : null,
      version: ran ? '2.2.0' : null,
    };
  }
  if (input.decision?.action !== 'exempt') return null;
  return {
    authentication_flow: null,
    electronic_commerce_indicator: electronicCommerceIndicator(input.brand, 'exempted'),
    ...common,
    result: 'exempted',
    result_reason: null,
    transaction_id: null,
    version: null,
  };
}

/** Whether a rendered `three_d_secure` moves fraud liability to the issuer. */
export function liabilityShifted(threeDSecure: unknown): boolean {
  const result = (threeDSecure as { result?: string } | null)?.result;
  return result === 'authenticated' || result === 'attempt_acknowledged';
}

/**
 * Payrail's extension beside `three_d_secure`: whether the mandate applied (`scope`), what Payrail asked
 * (`action`), the exemption it claimed, and whether liability shifted. Null for a charge decided before Payrail
 * made the decision (or a wallet).
 */
export function renderScaExtension(card: Record<string, unknown>): Record<string, unknown> | null {
  const decision = card[decisionKey] as ScaDecision | undefined;
  if (!decision) return null;
  return { scope: decision.scope, action: decision.action, exemption: decision.exemption, liability_shift: liabilityShifted(card.three_d_secure) };
}

/** The decision kept in a charge's card details, if any. */
export function storedDecision(paymentMethodDetails: Record<string, unknown>): ScaDecision | null {
  const card = paymentMethodDetails.card as Record<string, unknown> | undefined;
  return (card?.[decisionKey] as ScaDecision | undefined) ?? null;
}
