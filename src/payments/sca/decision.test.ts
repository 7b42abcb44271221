import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyCounterChange, counterChangeOf } from './counters.ts';
import { decideStrongCustomerAuthentication } from './decision.ts';
import { transactionRiskThresholdEur } from './exemptions.ts';
import { emptyCounters, type ScaDecision, type ScaFacts } from './types.ts';

/** An FR merchant, an FR card, EUR 20.00, nothing asked, fresh counters, no risk analysis. */
const base: ScaFacts = {
  merchantCountry: 'FR', cardCountry: 'FR', merchantInitiated: false, amount: 2000, currency: 'eur', amountEur: 2000,
  requestThreeDSecure: 'automatic', counters: emptyCounters, transactionRiskAnalysis: null,
};

const cases: { name: string; facts: Partial<ScaFacts>; expect: Pick<ScaDecision, 'scope' | 'action' | 'exemption' | 'reason'> & { challenge?: boolean } }[] = [
  { name: 'low value, fresh counters: exempted', facts: {}, expect: { scope: 'in_scope', action: 'exempt', exemption: 'low_value', reason: 'low_value' } },
  { name: 'exactly EUR 30: still low value', facts: { amount: 3000, amountEur: 3000 }, expect: { scope: 'in_scope', action: 'exempt', exemption: 'low_value', reason: 'low_value' } },
  { name: 'EUR 30.01: authentication', facts: { amount: 3001, amountEur: 3001 }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
  { name: 'sixth payment in a row: authentication', facts: { counters: { ...emptyCounters, exempted_count: 5, exempted_amount_eur: 5000 } }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
  { name: 'fifth payment: still exempted', facts: { counters: { ...emptyCounters, exempted_count: 4, exempted_amount_eur: 4000 } }, expect: { scope: 'in_scope', action: 'exempt', exemption: 'low_value', reason: 'low_value' } },
  { name: 'cumulative over EUR 100: authentication', facts: { counters: { ...emptyCounters, exempted_count: 3, exempted_amount_eur: 8500 } }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
  { name: 'cumulative exactly EUR 100: exempted', facts: { counters: { ...emptyCounters, exempted_count: 3, exempted_amount_eur: 8000 } }, expect: { scope: 'in_scope', action: 'exempt', exemption: 'low_value', reason: 'low_value' } },
  { name: 'no rate to the euro: no amount-based exemption', facts: { currency: 'xyz', amountEur: null }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
  { name: 'US card at an FR merchant: one leg out', facts: { cardCountry: 'US', amount: 50000, amountEur: 50000 }, expect: { scope: 'one_leg_out', action: 'none', exemption: null, reason: 'one_leg_out' } },
  { name: 'FR card at a US merchant: one leg out', facts: { merchantCountry: 'US', amount: 50000, amountEur: 50000 }, expect: { scope: 'one_leg_out', action: 'none', exemption: null, reason: 'one_leg_out' } },
  { name: 'GB card at a DE merchant: in scope', facts: { merchantCountry: 'DE', cardCountry: 'GB', amount: 50000, amountEur: 50000 }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
  { name: 'unknown card country at an EEA merchant: in scope', facts: { cardCountry: null, amount: 50000, amountEur: 50000 }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
  { name: 'merchant-initiated: outside the mandate', facts: { merchantInitiated: true, amount: 50000, amountEur: 50000 }, expect: { scope: 'merchant_initiated', action: 'none', exemption: null, reason: 'merchant_initiated' } },
  { name: 'merchant-initiated wins over request_three_d_secure', facts: { merchantInitiated: true, requestThreeDSecure: 'challenge' }, expect: { scope: 'merchant_initiated', action: 'none', exemption: null, reason: 'merchant_initiated' } },
  { name: 'challenge requested on a low-value payment', facts: { requestThreeDSecure: 'challenge' }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'requested_challenge', challenge: true } },
  { name: 'any requested, one leg out: still asked', facts: { requestThreeDSecure: 'any', cardCountry: 'US' }, expect: { scope: 'one_leg_out', action: 'authenticate', exemption: null, reason: 'requested_any', challenge: false } },
  { name: 'TRA at 0.01%: EUR 500 exempted', facts: { amount: 50000, amountEur: 50000, transactionRiskAnalysis: { fraud_rate_bps: 1 } }, expect: { scope: 'in_scope', action: 'exempt', exemption: 'transaction_risk_analysis', reason: 'transaction_risk_analysis' } },
  { name: 'TRA at 0.06%: EUR 250.01 authenticated', facts: { amount: 25001, amountEur: 25001, transactionRiskAnalysis: { fraud_rate_bps: 6 } }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
  { name: 'TRA at 0.13%: EUR 100 exempted', facts: { amount: 10000, amountEur: 10000, transactionRiskAnalysis: { fraud_rate_bps: 13 } }, expect: { scope: 'in_scope', action: 'exempt', exemption: 'transaction_risk_analysis', reason: 'transaction_risk_analysis' } },
  { name: 'TRA above 0.13%: not available', facts: { amount: 5000, amountEur: 5000, transactionRiskAnalysis: { fraud_rate_bps: 14 } }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
  { name: 'TRA before low value (counters spared)', facts: { transactionRiskAnalysis: { fraud_rate_bps: 13 } }, expect: { scope: 'in_scope', action: 'exempt', exemption: 'transaction_risk_analysis', reason: 'transaction_risk_analysis' } },
  { name: 'fixed-amount recurring', facts: { amount: 9900, amountEur: 9900, counters: { ...emptyCounters, recurring_amount: 9900, recurring_currency: 'eur' } }, expect: { scope: 'in_scope', action: 'exempt', exemption: 'recurring', reason: 'recurring' } },
  { name: 'recurring amount changed: authentication', facts: { amount: 9901, amountEur: 9901, counters: { ...emptyCounters, recurring_amount: 9900, recurring_currency: 'eur' } }, expect: { scope: 'in_scope', action: 'authenticate', exemption: null, reason: 'mandate' } },
];

describe('decideStrongCustomerAuthentication', () => {
  for (const { name, facts, expect } of cases) {
    it(name, () => {
      const decision = decideStrongCustomerAuthentication({ ...base, ...facts });
      assert.deepEqual({ scope: decision.scope, action: decision.action, exemption: decision.exemption, reason: decision.reason }, { scope: expect.scope, action: expect.action, exemption: expect.exemption, reason: expect.reason });
      if (expect.challenge !== undefined) assert.equal(decision.challenge, expect.challenge);
    });
  }

  it('thresholds by fraud rate', () => {
    assert.deepEqual([0, 1, 2, 6, 7, 13, 14].map((fraud_rate_bps) => transactionRiskThresholdEur({ fraud_rate_bps })), [50000, 50000, 25000, 25000, 10000, 10000, undefined]);
  });

  it('counters: five EUR 20 payments exempted, the sixth authenticated, then exempted again', () => {
    let counters = emptyCounters;
    const decide = () => decideStrongCustomerAuthentication({ ...base, counters });
    for (let payment = 1; payment <= 5; payment += 1) {
      const decision = decide();
      assert.equal(decision.exemption, 'low_value', `payment ${payment}`);
      counters = applyCounterChange(counters, counterChangeOf({ decision, fingerprint: 'fp', authenticated: false, savesCard: false, amount: 2000, currency: 'eur' })!);
    }
    assert.deepEqual(counters, { ...emptyCounters, exempted_count: 5, exempted_amount_eur: 10000 });
    const sixth = decide();
    assert.equal(sixth.action, 'authenticate');
    counters = applyCounterChange(counters, counterChangeOf({ decision: sixth, fingerprint: 'fp', authenticated: true, savesCard: false, amount: 2000, currency: 'eur' })!);
    assert.deepEqual(counters, emptyCounters);
    assert.equal(decide().exemption, 'low_value');
  });

  it('counters: out-of-scope payments leave them, a payment without fingerprint too', () => {
    const oneLegOut = decideStrongCustomerAuthentication({ ...base, cardCountry: 'US' });
    assert.equal(counterChangeOf({ decision: oneLegOut, fingerprint: 'fp', authenticated: false, savesCard: false, amount: 2000, currency: 'eur' }), undefined);
    assert.equal(counterChangeOf({ decision: decideStrongCustomerAuthentication(base), fingerprint: null, authenticated: false, savesCard: false, amount: 2000, currency: 'eur' }), undefined);
    assert.equal(counterChangeOf({ decision: oneLegOut, fingerprint: 'fp', authenticated: true, savesCard: true, amount: 9900, currency: 'eur' }), undefined);
    const mandated = decideStrongCustomerAuthentication({ ...base, amount: 9900, amountEur: 9900 });
    const saved = counterChangeOf({ decision: mandated, fingerprint: 'fp', authenticated: true, savesCard: true, amount: 9900, currency: 'eur' });
    assert.deepEqual(applyCounterChange(emptyCounters, saved!), { ...emptyCounters, recurring_amount: 9900, recurring_currency: 'eur' });
  });
});
