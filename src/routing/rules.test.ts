import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binInRange, conditionsMatch, matchingRule } from './rules.ts';
import type { PaymentFacts, RoutingRule } from './types.ts';

const visaUs: PaymentFacts = {
  amount: 5000, currency: 'usd', country: 'US', cardBrand: 'visa', bin: '42424242', paymentMethodType: 'card', metadata: { channel: 'web', tier: 'gold' }, manualCapture: false,
};
const paypal: PaymentFacts = { amount: 5000, currency: 'eur', country: null, cardBrand: null, bin: null, paymentMethodType: 'paypal', metadata: {}, manualCapture: false };

function rule(id: string, conditions: RoutingRule['conditions']): RoutingRule {
  return { id, conditions, action: { type: 'prefer', configurationIds: ['pcc_a'] }, fallback: true };
}

describe('routing rule conditions', () => {
  it('matches each kind of condition, and all of them together', () => {
    assert.equal(conditionsMatch({}, visaUs), true, 'a rule without conditions matches every payment');
    assert.equal(conditionsMatch({ currencies: ['eur', 'usd'] }, visaUs), true);
    assert.equal(conditionsMatch({ currencies: ['eur'] }, visaUs), false);
    assert.equal(conditionsMatch({ amountGte: 5000 }, visaUs), true, 'amount bounds are inclusive');
    assert.equal(conditionsMatch({ amountGte: 5001 }, visaUs), false);
    assert.equal(conditionsMatch({ amountLte: 5000 }, visaUs), true);
    assert.equal(conditionsMatch({ amountLte: 4999 }, visaUs), false);
    assert.equal(conditionsMatch({ countries: ['DE', 'US'] }, visaUs), true);
    assert.equal(conditionsMatch({ countries: ['DE'] }, visaUs), false);
    assert.equal(conditionsMatch({ cardBrands: ['mastercard', 'visa'] }, visaUs), true);
    assert.equal(conditionsMatch({ cardBrands: ['amex'] }, visaUs), false);
    assert.equal(conditionsMatch({ paymentMethodTypes: ['card'] }, visaUs), true);
    assert.equal(conditionsMatch({ paymentMethodTypes: ['paypal'] }, visaUs), false);
    assert.equal(conditionsMatch({ metadata: { channel: 'web' } }, visaUs), true);
    assert.equal(conditionsMatch({ metadata: { channel: 'web', tier: 'silver' } }, visaUs), false, 'every pair must hold');
    assert.equal(conditionsMatch({ metadata: { missing: 'x' } }, visaUs), false);
    assert.equal(conditionsMatch({ binRanges: [{ prefix: '5' }, { prefix: '4242' }] }, visaUs), true);
    assert.equal(conditionsMatch({ binRanges: [{ prefix: '5' }] }, visaUs), false);
    assert.equal(conditionsMatch({
      currencies: ['usd'], amountGte: 1000, amountLte: 10_000, countries: ['US'], cardBrands: ['visa'], binRanges: [{ from: '400000', to: '499999' }], paymentMethodTypes: ['card'], metadata: { tier: 'gold' },
    }, visaUs), true);
    assert.equal(conditionsMatch({ currencies: ['usd'], amountGte: 1000, countries: ['GB'] }, visaUs), false, 'one failing condition is enough');
  });

  it('does not match conditions on facts a payment lacks', () => {
    assert.equal(conditionsMatch({ countries: ['US'] }, paypal), false, 'unknown country');
    assert.equal(conditionsMatch({ cardBrands: ['visa', 'unknown'] }, paypal), false, 'a wallet has no card brand');
    assert.equal(conditionsMatch({ binRanges: [{ prefix: '4' }] }, paypal), false, 'a wallet has no BIN');
    assert.equal(conditionsMatch({ paymentMethodTypes: ['paypal'], currencies: ['eur'] }, paypal), true);
  });

  it('compares BIN ranges on the range\'s own number of digits', () => {
    assert.equal(binInRange('510000', { from: '510000', to: '559999' }), true, 'lower bound inclusive');
    assert.equal(binInRange('55999912', { from: '510000', to: '559999' }), true, 'an 8-digit BIN is compared on its first 6 digits');
    assert.equal(binInRange('560000', { from: '510000', to: '559999' }), false);
    assert.equal(binInRange('222100', { from: '2221', to: '2720' }), true);
    assert.equal(binInRange('272100', { from: '2221', to: '2720' }), false);
    assert.equal(binInRange('424242', { from: '42424200', to: '42424299' }), false, 'a BIN shorter than the range cannot be placed');
    assert.equal(binInRange('424242', { prefix: '42424' }), true);
    assert.equal(binInRange('424242', { prefix: '4242424' }), false);
  });

  it('applies the first rule that matches, in order', () => {
    const rules = [rule('eur_only', { currencies: ['eur'] }), rule('big', { amountGte: 1000 }), rule('catch_all', {})];
    assert.equal(matchingRule(rules, visaUs)?.id, 'big');
    assert.equal(matchingRule(rules, paypal)?.id, 'eur_only');
    assert.equal(matchingRule(rules, { ...visaUs, amount: 100 })?.id, 'catch_all');
    assert.equal(matchingRule(rules.slice(0, 2), { ...visaUs, amount: 100 }), undefined);
    assert.equal(matchingRule([], visaUs), undefined);
  });
});
