import type { CardCounters, ScaDecision } from './types.ts';

/**
 * What an authorized in-scope card payment does to its card's low-value counters, as a value for the writer (written under the
 * payment's compare-and-set, in the same statement as its outcome):
 * - authenticated (3-D Secure `authenticated`, challenge or frictionless): the counters start again from zero, and
 *   the payment's amount is kept as the card's recurring amount when it saved the card;
 * - in scope of the mandate and not authenticated (an exemption, or a card that could not authenticate): one more
 *   payment, and its euro amount, since the last authentication. Every such payment counts, whichever exemption
 *   let it through, as the RTS counts "previous transactions since the last application of SCA".
 * Out-of-scope payments (one leg out, merchant-initiated), authenticated or not, leave them as they are (undefined).
 */
export type CounterChange =
  | { kind: 'exempted'; fingerprint: string; amountEur: number }
  | { kind: 'authenticated'; fingerprint: string; recurring: { amount: number; currency: string } | null };

export function counterChangeOf(input: {
  decision: ScaDecision | null;
  fingerprint: string | null;
  authenticated: boolean;
  savesCard: boolean;
  amount: number;
  currency: string;
}): CounterChange | undefined {
  // Only in-scope payments read the counters, so only they write them: other accounts' payments write nothing.
  if (input.fingerprint === null || input.decision?.scope !== 'in_scope') return undefined;
  if (input.authenticated) {
    return { kind: 'authenticated', fingerprint: input.fingerprint, recurring: input.savesCard ? { amount: input.amount, currency: input.currency } : null };
  }
  return { kind: 'exempted', fingerprint: input.fingerprint, amountEur: input.decision.amount_eur ?? 0 };
}

/** The counters after a change (what the writer's SQL does, for tests and documentation). */
export function applyCounterChange(counters: CardCounters, change: CounterChange): CardCounters {
  if (change.kind === 'authenticated') {
    return { exempted_count: 0, exempted_amount_eur: 0, recurring_amount: change.recurring?.amount ?? null, recurring_currency: change.recurring?.currency ?? null };
  }
  return { ...counters, exempted_count: counters.exempted_count + 1, exempted_amount_eur: counters.exempted_amount_eur + change.amountEur };
}
