/**
 * Strong customer authentication (PSD2, and the UK's copy of it) as values: what Payrail decides for a card payment
 * before asking a processor, and what it keeps per card. Pure types: no I/O, nothing from HTTP or SQL.
 */

/** Stripe's `payment_method_options[card][request_three_d_secure]`. */
export type ThreeDSecureRequest = 'automatic' | 'any' | 'challenge';

/** The exemptions from the mandate Payrail applies (merchant-initiated payments are outside it, not exempted). */
export type ScaExemption = 'low_value' | 'transaction_risk_analysis' | 'recurring';

/** The low-value counters of one card since its last strong customer authentication on the account. */
export interface CardCounters {
  /** Payments without authentication since the last one. */
  exempted_count: number;
  /** Their total, in euro cents. */
  exempted_amount_eur: number;
  /** The last authenticated payment that saved the card, when it did: a later payment of that amount recurs. */
  recurring_amount: number | null;
  recurring_currency: string | null;
}

export const emptyCounters: CardCounters = { exempted_count: 0, exempted_amount_eur: 0, recurring_amount: null, recurring_currency: null };

/** The account's transaction risk analysis setting: null is off. */
export interface TransactionRiskAnalysis {
  /** The acquirer's fraud rate for remote card payments, in basis points (hundredths of a percent). */
  fraud_rate_bps: number;
}

/** Everything the decision reads, gathered beforehand (sca/facts.ts). */
export interface ScaFacts {
  /** The account's country (ISO 3166-1 alpha-2, upper case). */
  merchantCountry: string;
  /** The card's issuing country, null when unknown. */
  cardCountry: string | null;
  /** off_session=true: the merchant starts the payment without the customer. */
  merchantInitiated: boolean;
  amount: number;
  currency: string;
  /** The amount in euro cents, null when no exchange rate reaches the euro. */
  amountEur: number | null;
  requestThreeDSecure: ThreeDSecureRequest;
  counters: CardCounters;
  transactionRiskAnalysis: TransactionRiskAnalysis | null;
}

/**
 * Whether the mandate applies: both the card's issuer and the merchant in the EEA or the UK and the customer starts
 * the payment (`in_scope`); one of them outside (`one_leg_out`); or the merchant starts it (`merchant_initiated`).
 */
export type ScaScope = 'in_scope' | 'one_leg_out' | 'merchant_initiated';

/**
 * What Payrail asks of the processor: `authenticate` (3-D Secure; the issuer picks frictionless or challenge unless
 * `challenge` forces one), `exempt` (an exemption is claimed, no authentication requested), or `none` (no mandate).
 */
export interface ScaDecision {
  scope: ScaScope;
  action: 'authenticate' | 'exempt' | 'none';
  exemption: ScaExemption | null;
  /** Why: the mandate, the merchant's request_three_d_secure, or the exemption / scope. */
  reason: 'mandate' | 'requested_any' | 'requested_challenge' | ScaExemption | 'one_leg_out' | 'merchant_initiated';
  /** request_three_d_secure=challenge: a challenge even where the issuer would let it through frictionless. */
  challenge: boolean;
  /** The amount in euro cents the decision used (null: no rate). */
  amount_eur: number | null;
}
