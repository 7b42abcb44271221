import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../platform/errors.ts';
import {
  applyRoutingProfileUpdate, defaultRoutingProfile, failoverFromJson, failoverToJson, referencedConfigurations, routingRuleFromJson, routingRuleToJson, routingRulesMax,
  validateRoutingRules, type RoutingRuleInput,
} from './profile.ts';

function errorOf(action: () => unknown): ApiError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a validation error');
}

const prefer = (id: string, configurations: string[] = ['pcc_a']): RoutingRuleInput => ({ id, action: { type: 'prefer', configurations } });

describe('routing profile validation', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(defaultRoutingProfile, {
      strategy: 'success_rate', explorationBps: 500, rules: [],
      failover: { enabled: true, timeBudgetMs: 15_000, maxAttempts: 3, retryDoNotHonor: false, retryInsufficientFunds: false },
    });
    assert.throws(() => (defaultRoutingProfile.rules as unknown[]).push({}), 'the shared defaults cannot be changed by accident');
  });

  it('normalises conditions and keeps rules in order', () => {
    const rules = validateRoutingRules([
      {
        id: 'r_eu-cards',
        conditions: {
          currencies: ['EUR', 'eur', 'gbp'], amount_gte: 100, amount_lte: 100, countries: ['de', 'FR'], card_brands: ['visa', 'mastercard'],
          bin_ranges: [{ prefix: '4' }, { from: '510000', to: '559999' }], payment_method_types: ['card'], metadata: { channel: 'web' },
        },
        action: { type: 'split', split: [{ configuration: 'pcc_a', weight: 70 }, { configuration: 'pcc_b', weight: 30 }] },
        fallback: false,
      },
      prefer('r_all', ['pcc_b', 'pcc_a']),
    ]);
    assert.deepEqual(rules[0], {
      id: 'r_eu-cards',
      conditions: {
        currencies: ['eur', 'gbp'], amountGte: 100, amountLte: 100, countries: ['DE', 'FR'], cardBrands: ['visa', 'mastercard'],
        binRanges: [{ prefix: '4' }, { from: '510000', to: '559999' }], paymentMethodTypes: ['card'], metadata: { channel: 'web' },
      },
      action: { type: 'split', split: [{ configurationId: 'pcc_a', weight: 70 }, { configurationId: 'pcc_b', weight: 30 }] },
      fallback: false,
    });
    assert.deepEqual(rules[1], { id: 'r_all', conditions: {}, action: { type: 'prefer', configurationIds: ['pcc_b', 'pcc_a'] }, fallback: true });
    assert.deepEqual(referencedConfigurations(rules), [
      { id: 'pcc_a', param: 'rules[0][action][split][0][configuration]' },
      { id: 'pcc_b', param: 'rules[0][action][split][1][configuration]' },
      { id: 'pcc_b', param: 'rules[1][action][configurations][0]' },
      { id: 'pcc_a', param: 'rules[1][action][configurations][1]' },
    ]);
    for (const rule of rules) assert.deepEqual(routingRuleFromJson(JSON.parse(JSON.stringify(routingRuleToJson(rule)))), rule, 'the JSON form round-trips');
    assert.deepEqual(routingRuleToJson(rules[1]).conditions, {
      currencies: null, amount_gte: null, amount_lte: null, countries: null, card_brands: null, bin_ranges: null, payment_method_types: null, metadata: null,
    });
  });

  it('names the offending parameter of each mistake', () => {
    const cases: [RoutingRuleInput[], string, string][] = [
      [[{ action: { type: 'prefer', configurations: ['pcc_a'] } }], 'parameter_missing', 'rules[0][id]'],
      [[prefer('ok'), prefer('ok')], 'invalid_value', 'rules[1][id]'],
      [[prefer('has space')], 'invalid_value', 'rules[0][id]'],
      [[{ id: 'r' }], 'parameter_missing', 'rules[0][action]'],
      [[{ id: 'r', action: {} }], 'parameter_missing', 'rules[0][action][type]'],
      [[{ id: 'r', action: { type: 'prefer' } }], 'parameter_missing', 'rules[0][action][configurations]'],
      [[{ id: 'r', action: { type: 'prefer', configurations: [] } }], 'parameter_invalid_empty', 'rules[0][action][configurations]'],
      [[{ id: 'r', action: { type: 'prefer', configurations: ['pcc_a', 'pcc_a'] } }], 'invalid_value', 'rules[0][action][configurations][1]'],
      [[{ id: 'r', action: { type: 'prefer', configurations: ['pcc_a'], split: [] } }], 'parameters_exclusive', 'rules[0][action][split]'],
      [[{ id: 'r', action: { type: 'split', configurations: ['pcc_a'] } }], 'parameters_exclusive', 'rules[0][action][configurations]'],
      [[{ id: 'r', action: { type: 'split' } }], 'parameter_missing', 'rules[0][action][split]'],
      [[{ id: 'r', action: { type: 'split', split: [{ configuration: 'pcc_a' }] } }], 'parameter_missing', 'rules[0][action][split][0][weight]'],
      [[{ id: 'r', action: { type: 'split', split: [{ configuration: 'pcc_a', weight: 0 }] } }], 'invalid_value', 'rules[0][action][split][0][weight]'],
      [[{ id: 'r', action: { type: 'split', split: [{ configuration: 'pcc_a', weight: 1.5 }] } }], 'invalid_value', 'rules[0][action][split][0][weight]'],
      [[{ id: 'r', action: { type: 'split', split: [{ configuration: 'pcc_a', weight: 1 }, { configuration: 'pcc_a', weight: 2 }] } }], 'invalid_value', 'rules[0][action][split][1][configuration]'],
      [[{ ...prefer('r'), conditions: { currencies: ['usd', 'xyz'] } }], 'invalid_currency', 'rules[0][conditions][currencies][1]'],
      [[{ ...prefer('r'), conditions: { currencies: [] } }], 'parameter_invalid_empty', 'rules[0][conditions][currencies]'],
      [[{ ...prefer('r'), conditions: { countries: ['US', 'XX'] } }], 'invalid_value', 'rules[0][conditions][countries][1]'],
      [[{ ...prefer('r'), conditions: { amount_gte: 500, amount_lte: 499 } }], 'invalid_value', 'rules[0][conditions][amount_lte]'],
      [[{ ...prefer('r'), conditions: { card_brands: ['visa', 'maestro'] } }], 'invalid_value', 'rules[0][conditions][card_brands][1]'],
      [[{ ...prefer('r'), conditions: { payment_method_types: ['sofort'] } }], 'invalid_value', 'rules[0][conditions][payment_method_types][0]'],
      [[{ ...prefer('r'), conditions: { bin_ranges: [{ prefix: '4x' }] } }], 'invalid_value', 'rules[0][conditions][bin_ranges][0][prefix]'],
      [[{ ...prefer('r'), conditions: { bin_ranges: [{ prefix: '123456789' }] } }], 'invalid_value', 'rules[0][conditions][bin_ranges][0][prefix]'],
      [[{ ...prefer('r'), conditions: { bin_ranges: [{ prefix: '4', from: '4' }] } }], 'parameters_exclusive', 'rules[0][conditions][bin_ranges][0][prefix]'],
      [[{ ...prefer('r'), conditions: { bin_ranges: [{ to: '5' }] } }], 'parameter_missing', 'rules[0][conditions][bin_ranges][0][from]'],
      [[{ ...prefer('r'), conditions: { bin_ranges: [{ from: '5' }] } }], 'parameter_missing', 'rules[0][conditions][bin_ranges][0][to]'],
      [[{ ...prefer('r'), conditions: { bin_ranges: [{ from: '51', to: '559' }] } }], 'invalid_value', 'rules[0][conditions][bin_ranges][0][to]'],
      [[{ ...prefer('r'), conditions: { bin_ranges: [{ from: '55', to: '51' }] } }], 'invalid_value', 'rules[0][conditions][bin_ranges][0][to]'],
      [[{ ...prefer('r'), conditions: { metadata: { tier: '' } } }], 'parameter_invalid_empty', 'rules[0][conditions][metadata][tier]'],
      [[{ ...prefer('r'), conditions: { metadata: { ['k'.repeat(41)]: 'v' } } }], 'invalid_value', `rules[0][conditions][metadata][${'k'.repeat(41)}]`],
      [[{ ...prefer('r'), conditions: { metadata: {} } }], 'parameter_invalid_empty', 'rules[0][conditions][metadata]'],
      [Array.from({ length: routingRulesMax + 1 }, (_, index) => prefer(`r${index}`)), 'invalid_value', 'rules'],
    ];
    for (const [rules, code, param] of cases) {
      const error = errorOf(() => validateRoutingRules(rules));
      assert.deepEqual({ code: error.code, param: error.param }, { code, param }, `${JSON.stringify(rules).slice(0, 200)}: ${error.message}`);
    }
  });

  it('applies an update over the current profile', () => {
    const current = applyRoutingProfileUpdate(defaultRoutingProfile, { strategy: 'lowest_cost', rules: [prefer('r1')], failover: { max_attempts: 2, retry_do_not_honor: true } });
    assert.equal(current.strategy, 'lowest_cost');
    assert.equal(current.explorationBps, 500);
    assert.deepEqual(current.failover, { enabled: true, timeBudgetMs: 15_000, maxAttempts: 2, retryDoNotHonor: true, retryInsufficientFunds: false });
    const next = applyRoutingProfileUpdate(current, { exploration_bps: 0, failover: { time_budget_ms: 5000 } });
    assert.deepEqual(next.rules, current.rules, 'rules not given are kept');
    assert.deepEqual(next.failover, { ...current.failover, timeBudgetMs: 5000 }, 'failover keys not given are kept');
    assert.deepEqual(applyRoutingProfileUpdate(next, { rules: null }).rules, [], 'null clears the rules');
    for (const [update, param] of [
      [{ exploration_bps: 10_001 }, 'exploration_bps'],
      [{ failover: { time_budget_ms: 999 } }, 'failover[time_budget_ms]'],
      [{ failover: { time_budget_ms: 60_001 } }, 'failover[time_budget_ms]'],
      [{ failover: { max_attempts: 0 } }, 'failover[max_attempts]'],
      [{ failover: { max_attempts: 6 } }, 'failover[max_attempts]'],
    ] as const) {
      assert.equal(errorOf(() => applyRoutingProfileUpdate(defaultRoutingProfile, update)).param, param);
    }
  });

  it('reads stored failover settings from older rows with defaults for missing keys', () => {
    assert.deepEqual(failoverFromJson({ enabled: false, time_budget_ms: 2000, max_attempts: 1, retry_do_not_honor: true }), {
      enabled: false, timeBudgetMs: 2000, maxAttempts: 1, retryDoNotHonor: true, retryInsufficientFunds: false,
    });
    assert.deepEqual(failoverFromJson(failoverToJson(defaultRoutingProfile.failover)), defaultRoutingProfile.failover);
  });
});
