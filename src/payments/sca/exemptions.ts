import type { CardCounters, ScaFacts, TransactionRiskAnalysis } from './types.ts';

/** The low-value exemption's bounds (RTS art. 16): each payment at most EUR 30 ... */
export const lowValueAmountMaxEur = 30_00;
/** ... at most five payments in a row without authentication ... */
export const lowValueCountMax = 5;
/** ... and at most EUR 100 for all of them together. */
export const lowValueCumulativeMaxEur = 100_00;

/**
 * The low-value exemption: the payment is at most EUR 30, fewer than five payments of the card went without
 * authentication since its last one, and with this one their total stays within EUR 100. Both counters apply (the
 * RTS lets an issuer pick either; applying both is the stricter reading, so an issuer's own counter is not passed).
 */
export function lowValueApplies(amountEur: number, counters: CardCounters): boolean {
  return amountEur <= lowValueAmountMaxEur
    && counters.exempted_count < lowValueCountMax
    && counters.exempted_amount_eur + amountEur <= lowValueCumulativeMaxEur;
}

/**
 * The transaction risk analysis exemption's amount threshold (RTS art. 18 and its annex, remote card payments), in
 * euro cents, by the acquirer's fraud rate: 0.01% or less up to EUR 500, 0.06% up to EUR 250, 0.13% up to EUR 100;
 * above 0.13% the exemption is not available (undefined).
 */
export function transactionRiskThresholdEur(setting: TransactionRiskAnalysis): number | undefined {
  if (setting.fraud_rate_bps <= 1) return 500_00;
  if (setting.fraud_rate_bps <= 6) return 250_00;
  if (setting.fraud_rate_bps <= 13) return 100_00;
  return undefined;
}

export function transactionRiskAnalysisApplies(amountEur: number, setting: TransactionRiskAnalysis | null): boolean {
  if (setting === null) return false;
  const threshold = transactionRiskThresholdEur(setting);
  return threshold !== undefined && amountEur <= threshold;
}

/**
 * Fixed-amount recurring payments (RTS art. 14): the card's last authenticated payment on this account saved it, and
 * this payment is for exactly the same amount and currency.
 */
export function recurringApplies(facts: Pick<ScaFacts, 'amount' | 'currency' | 'counters'>): boolean {
  return facts.counters.recurring_amount === facts.amount && facts.counters.recurring_currency === facts.currency;
}
