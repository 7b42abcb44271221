import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreakers } from './circuit-breaker.ts';
import { candidateKey, decideRoute, rateMinimumAttempts, successDimension, type RoutingHealth } from './decide.ts';
import { defaultRoutingProfile } from './profile.ts';
import { SuccessRates } from './success-rates.ts';
import type { PaymentFacts, RoutingCandidate, RoutingDecision, RoutingProfile, RoutingRule } from './types.ts';
import { seededRandom } from '../../test/helpers/seeded-random.ts';

const now = 1_700_000_000_000;

function candidate(id: string | null, overrides: Partial<RoutingCandidate> = {}): RoutingCandidate {
  return {
    configurationId: id, connector: 'adyen', priority: 0, supportedCurrencies: [], supportedCountries: [], paymentMethodTypes: ['card'], fees: {}, manualCapture: true, ...overrides,
  };
}

const facts: PaymentFacts = { amount: 10_000, currency: 'usd', country: 'US', cardBrand: 'visa', bin: '424242', paymentMethodType: 'card', metadata: {}, manualCapture: false };

function profile(changes: Partial<RoutingProfile> = {}): RoutingProfile {
  return { ...defaultRoutingProfile, explorationBps: 0, ...changes };
}

function freshHealth(): RoutingHealth {
  return { successRates: new SuccessRates(), breakers: new CircuitBreakers() };
}

function ids(decision: RoutingDecision): (string | null)[] {
  return decision.ordered.map((item) => item.candidate.configurationId);
}

function decide(input: { candidates: RoutingCandidate[]; profile?: RoutingProfile; facts?: PaymentFacts; health?: RoutingHealth; random?: () => number }): RoutingDecision {
  return decideRoute({ facts: input.facts ?? facts, candidates: input.candidates, profile: input.profile ?? profile(), health: input.health ?? freshHealth(), random: input.random ?? seededRandom(1), nowMs: now });
}

function recordRate(health: RoutingHealth, id: string, attempts: number, authorized: number, on: PaymentFacts = facts): void {
  for (let index = 0; index < attempts; index++) health.successRates.record(id, successDimension(on), index < authorized, now - 1000);
}

describe('routing decision', () => {
  it('excludes candidates that cannot take the payment, saying why', () => {
    const candidates = [
      candidate('pcc_paypal', { connector: 'paypal', paymentMethodTypes: ['paypal'] }),
      candidate('pcc_eur', { supportedCurrencies: ['eur'] }),
      candidate('pcc_gb', { supportedCountries: ['GB'] }),
      candidate('pcc_auto', { manualCapture: false }),
      candidate('pcc_ok', { supportedCurrencies: ['usd'], supportedCountries: ['US'] }),
    ];
    const automatic = decide({ candidates, profile: profile({ strategy: 'priority' }) });
    assert.deepEqual(ids(automatic), ['pcc_auto', 'pcc_ok']);
    assert.deepEqual(automatic.excluded, [
      { configurationId: 'pcc_paypal', connector: 'paypal', reason: 'does not carry card payments' },
      { configurationId: 'pcc_eur', connector: 'adyen', reason: 'does not support currency usd' },
      { configurationId: 'pcc_gb', connector: 'adyen', reason: 'does not support country US' },
    ]);
    const manual = decide({ candidates, profile: profile({ strategy: 'priority' }), facts: { ...facts, manualCapture: true } });
    assert.deepEqual(ids(manual), ['pcc_ok']);
    assert.equal(manual.excluded.find((item) => item.configurationId === 'pcc_auto')?.reason, 'cannot authorize now and capture later (manual capture)');

    const unknownCountry = decide({ candidates, profile: profile({ strategy: 'priority' }), facts: { ...facts, country: null } });
    assert.ok(ids(unknownCountry).includes('pcc_gb'), 'an unknown country excludes no one');

    const none = decide({ candidates, facts: { ...facts, currency: 'jpy', manualCapture: true } });
    assert.deepEqual(ids(none), []);
    assert.equal(none.excluded.length, 5);
    assert.match(none.reason, /no eligible connector/);
  });

  it('orders by priority, then configuration id', () => {
    const decision = decide({
      candidates: [candidate('pcc_c', { priority: 5 }), candidate('pcc_b', { priority: 1 }), candidate('pcc_a', { priority: 5 }), candidate(null, { connector: 'test_processor', priority: 9 })],
      profile: profile({ strategy: 'priority' }),
    });
    assert.deepEqual(ids(decision), ['pcc_b', 'pcc_a', 'pcc_c', null]);
    assert.equal(decision.ordered[0].reason, 'priority 1');
    assert.equal(decision.strategy, 'priority');
    assert.equal(decision.ruleId, null);
    assert.equal(decision.explored, false);
    assert.equal(decision.reason, 'adyen pcc_b: priority 1');
    assert.equal(candidateKey({ configurationId: null }), 'test_processor');
  });

  it('orders by expected cost, unknown costs last', () => {
    const candidates = [
      candidate('pcc_flat', { fees: { usd: { percent_bps: 0, fixed: 300 } } }), // 3.00
      candidate('pcc_percent', { fees: { usd: { percent_bps: 290, fixed: 30 } } }), // 2.90 + 0.30 = 3.20
      candidate('pcc_any', { fees: { '*': { percent_bps: 250, fixed: 0 } } }), // 2.50
      candidate('pcc_unknown', { fees: { eur: { percent_bps: 100, fixed: 0 } }, priority: -1 }),
      candidate('pcc_cheap_eur', { fees: { eur: { percent_bps: 10, fixed: 0 }, '*': { percent_bps: 300, fixed: 0 } } }), // '*' applies: 3.00
    ];
    const decision = decide({ candidates, profile: profile({ strategy: 'lowest_cost' }) });
    assert.deepEqual(ids(decision), ['pcc_any', 'pcc_cheap_eur', 'pcc_flat', 'pcc_percent', 'pcc_unknown'], 'ties (3.00) by priority then id');
    assert.equal(decision.ordered[0].reason, 'lowest expected cost 2.50 usd');
    assert.equal(decision.ordered[3].reason, 'expected cost 3.20 usd');
    assert.equal(decision.ordered[4].reason, 'cost unknown (no fee for usd)');
    const small = decide({ candidates, profile: profile({ strategy: 'lowest_cost' }), facts: { ...facts, amount: 1000 } });
    assert.deepEqual(ids(small).slice(0, 3), ['pcc_any', 'pcc_cheap_eur', 'pcc_percent'], 'percentages favour small amounts');
  });

  it('orders by success rate, smoothing candidates with little data toward the pooled rate', () => {
    const health = freshHealth();
    recordRate(health, 'pcc_good', 100, 95);
    recordRate(health, 'pcc_fair', 100, 80);
    recordRate(health, 'pcc_new', 3, 3);
    recordRate(health, 'pcc_bad', 50, 10);
    recordRate(health, 'pcc_good', 100, 10, { ...facts, currency: 'eur' });
    recordRate(health, 'pcc_bad', 100, 90, { ...facts, currency: 'eur' });
    const candidates = ['pcc_bad', 'pcc_new', 'pcc_fair', 'pcc_good'].map((id) => candidate(id));
    const decision = decide({ candidates, health, profile: profile({ strategy: 'success_rate', explorationBps: 0 }) });
    assert.deepEqual(ids(decision), ['pcc_good', 'pcc_fair', 'pcc_new', 'pcc_bad'], 'three successes are not trusted over 80% on 100 attempts');
    assert.equal(decision.ordered[0].reason, 'success rate 95.0% over 100 attempts');
    assert.match(decision.ordered[2].reason, /^too little data \(3 attempts\), assumed \d+\.\d%$/);
    assert.equal(decision.explored, false);

    const euro = decide({ candidates, health, facts: { ...facts, currency: 'eur' }, profile: profile({ strategy: 'success_rate', explorationBps: 0 }) });
    assert.equal(ids(euro)[0], 'pcc_bad', 'rates are per dimension');
    assert.equal(ids(euro).at(-1), 'pcc_good');
  });

  it('follows priority without data, and says the choice is exploratory', () => {
    const decision = decide({ candidates: [candidate('pcc_b', { priority: 2 }), candidate('pcc_a', { priority: 1 })], profile: profile({ strategy: 'success_rate', explorationBps: 0 }) });
    assert.deepEqual(ids(decision), ['pcc_a', 'pcc_b']);
    assert.equal(decision.ordered[0].reason, 'no success-rate data yet (priority 1)');
    assert.equal(decision.explored, true, 'a primary chosen without data of its own is being explored');
  });

  it('explores a non-best candidate for the configured share of payments, least measured first', () => {
    const health = freshHealth();
    recordRate(health, 'pcc_best', 200, 190);
    recordRate(health, 'pcc_second', 200, 150);
    recordRate(health, 'pcc_third', 200, 120);
    const candidates = ['pcc_best', 'pcc_second', 'pcc_third'].map((id) => candidate(id));
    const random = seededRandom(42);
    const counts = new Map<string, number>();
    let explored = 0;
    const decisions = 20_000;
    for (let index = 0; index < decisions; index++) {
      const decision = decide({ candidates, health, random, profile: profile({ strategy: 'success_rate', explorationBps: 1000 }) });
      const first = decision.ordered[0].candidate.configurationId!;
      counts.set(first, (counts.get(first) ?? 0) + 1);
      if (decision.explored) {
        explored += 1;
        assert.notEqual(first, 'pcc_best');
        assert.match(decision.ordered[0].reason, /^exploration \(10% share\); success rate/);
        assert.equal(decision.ordered[1].candidate.configurationId, 'pcc_best', 'the best follows the explored one');
      }
    }
    const share = explored / decisions;
    assert.ok(share > 0.09 && share < 0.11, `explored share ${share}`);
    const second = (counts.get('pcc_second') ?? 0) / decisions;
    const third = (counts.get('pcc_third') ?? 0) / decisions;
    assert.ok(second > 0.04 && second < 0.06 && third > 0.04 && third < 0.06, `exploration is spread over the others: ${second}, ${third}`);

    recordRate(health, 'pcc_fresh', 2, 1);
    const withFresh = [...candidates, candidate('pcc_fresh')];
    for (let index = 0; index < 2000; index++) {
      const decision = decide({ candidates: withFresh, health, random, profile: profile({ strategy: 'success_rate', explorationBps: 1000 }) });
      if (decision.explored) assert.equal(decision.ordered[0].candidate.configurationId, 'pcc_fresh', 'a candidate with too little data is explored first');
    }
    const never = decide({ candidates, health, random: () => 0, profile: profile({ strategy: 'success_rate', explorationBps: 0 }) });
    assert.equal(never.explored, false, 'no exploration at 0 bps');
    const always = decide({ candidates, health, random: () => 0.9999, profile: profile({ strategy: 'success_rate', explorationBps: 10_000 }) });
    assert.equal(always.explored, true);
    assert.notEqual(ids(always)[0], 'pcc_best');
  });

  it('splits volume by weight with the first rule that matches, the others following by weight', () => {
    const candidates = ['pcc_a', 'pcc_b', 'pcc_c', 'pcc_other'].map((id, index) => candidate(id, { priority: index }));
    const split: RoutingRule = { id: 'r_split', conditions: { currencies: ['usd'] }, action: { type: 'split', split: [{ configurationId: 'pcc_a', weight: 70 }, { configurationId: 'pcc_b', weight: 20 }, { configurationId: 'pcc_c', weight: 10 }] }, fallback: true };
    const random = seededRandom(7);
    const counts = new Map<string, number>();
    const decisions = 50_000;
    for (let index = 0; index < decisions; index++) {
      const decision = decide({ candidates, random, profile: profile({ strategy: 'priority', rules: [split] }) });
      const order = ids(decision) as string[];
      counts.set(order[0], (counts.get(order[0]) ?? 0) + 1);
      assert.equal(decision.ruleId, 'r_split');
      assert.equal(order.at(-1), 'pcc_other', 'fallback candidates follow the targets');
      assert.deepEqual(order.slice(1, 3), ['pcc_a', 'pcc_b', 'pcc_c'].filter((id) => id !== order[0]), 'the rest by weight');
      assert.equal(decision.ordered[0].reason, 'rule r_split (weighted split 70/20/10)');
      assert.equal(decision.ordered[3].reason, 'fallback after rule r_split: priority 3');
    }
    const share = (id: string) => (counts.get(id) ?? 0) / decisions;
    assert.ok(Math.abs(share('pcc_a') - 0.7) < 0.01, `a: ${share('pcc_a')}`);
    assert.ok(Math.abs(share('pcc_b') - 0.2) < 0.01, `b: ${share('pcc_b')}`);
    assert.ok(Math.abs(share('pcc_c') - 0.1) < 0.01, `c: ${share('pcc_c')}`);
    assert.equal(counts.has('pcc_other'), false);

    // An ineligible target's share goes to the others.
    const withoutA = candidates.map((item) => (item.configurationId === 'pcc_a' ? { ...item, supportedCurrencies: ['eur'] } : item));
    const twoWay = decide({ candidates: withoutA, random: () => 0.5, profile: profile({ strategy: 'priority', rules: [split] }) });
    assert.deepEqual(ids(twoWay), ['pcc_b', 'pcc_c', 'pcc_other'], '0.5 of 20/10 is b');
    assert.equal(twoWay.ordered[0].reason, 'rule r_split (weighted split 20/10)');
    assert.equal(decide({ candidates: withoutA, random: () => 0.7, profile: profile({ strategy: 'priority', rules: [split] }) }).ordered[0].candidate.configurationId, 'pcc_c');
  });

  it('prefers a rule\'s configurations in order, with or without fallback', () => {
    const candidates = ['pcc_a', 'pcc_b', 'pcc_c'].map((id, index) => candidate(id, { priority: index }));
    const prefer = (fallback: boolean, conditions: RoutingRule['conditions'] = { cardBrands: ['visa'] }): RoutingRule => ({ id: 'r_visa', conditions, action: { type: 'prefer', configurationIds: ['pcc_c', 'pcc_deleted', 'pcc_b'] }, fallback });
    const withFallback = decide({ candidates, profile: profile({ strategy: 'priority', rules: [prefer(true)] }) });
    assert.deepEqual(ids(withFallback), ['pcc_c', 'pcc_b', 'pcc_a'], 'a configuration that is not a candidate is skipped');
    assert.equal(withFallback.ordered[0].reason, 'rule r_visa (preference 1 of 3)');
    assert.equal(withFallback.ruleId, 'r_visa');
    assert.equal(withFallback.reason, 'adyen pcc_c: rule r_visa (preference 1 of 3)');
    const strict = decide({ candidates, profile: profile({ strategy: 'priority', rules: [prefer(false)] }) });
    assert.deepEqual(ids(strict), ['pcc_c', 'pcc_b']);
    const unmatched = decide({ candidates, facts: { ...facts, cardBrand: 'amex' }, profile: profile({ strategy: 'priority', rules: [prefer(false)] }) });
    assert.deepEqual(ids(unmatched), ['pcc_a', 'pcc_b', 'pcc_c'], 'no rule matched: the strategy decides');
    assert.equal(unmatched.ruleId, null);

    const onlyA = [candidate('pcc_a')];
    const emptyStrict = decide({ candidates: onlyA, profile: profile({ strategy: 'priority', rules: [prefer(false)] }) });
    assert.deepEqual(ids(emptyStrict), [], 'a rule without fallback whose targets are ineligible leaves nothing');
    assert.equal(emptyStrict.ruleId, 'r_visa');
    assert.match(emptyStrict.reason, /rule r_visa has no eligible configuration/);
    const emptyFallback = decide({ candidates: onlyA, profile: profile({ strategy: 'priority', rules: [prefer(true)] }) });
    assert.deepEqual(ids(emptyFallback), ['pcc_a']);
    assert.match(emptyFallback.reason, /^rule r_visa has no eligible configuration; adyen pcc_a: fallback after rule r_visa: priority 0$/);
  });

  it('puts candidates whose circuit is open last, saying so, and keeps half-open ones in place', () => {
    const health = freshHealth();
    const breakers = new CircuitBreakers({ consecutiveFailuresMax: 1, cooldownMs: 10_000 });
    health.breakers = breakers;
    breakers.record('pcc_a', 'failure', now - 1000);
    breakers.record('pcc_b', 'failure', now - 20_000);
    const candidates = ['pcc_a', 'pcc_b', 'pcc_c'].map((id, index) => candidate(id, { priority: index }));
    const decision = decide({ candidates, health, profile: profile({ strategy: 'priority' }) });
    assert.deepEqual(ids(decision), ['pcc_b', 'pcc_c', 'pcc_a']);
    assert.equal(decision.ordered[2].reason, 'circuit open; priority 0');
    assert.equal(decision.ordered[0].reason, 'priority 1; circuit half-open (probing)');
    assert.equal(breakers.acquire('pcc_b', now), true, 'deciding does not take the probe slot');

    const split: RoutingRule = { id: 'r', conditions: {}, action: { type: 'split', split: [{ configurationId: 'pcc_a', weight: 99 }, { configurationId: 'pcc_c', weight: 1 }] }, fallback: false };
    const splitDecision = decide({ candidates, health, random: () => 0, profile: profile({ rules: [split] }) });
    assert.deepEqual(ids(splitDecision), ['pcc_c', 'pcc_a'], 'an open target gets no share of the split');
    assert.equal(splitDecision.ordered[0].reason, 'rule r (weighted split 1)');
    assert.equal(splitDecision.ordered[1].reason, 'circuit open; rule r (split, weight 99)');
  });

  it('decides the same way for the same inputs', () => {
    const health = freshHealth();
    recordRate(health, 'pcc_a', 100, 90);
    recordRate(health, 'pcc_b', 100, 85);
    const candidates = ['pcc_a', 'pcc_b', 'pcc_c'].map((id) => candidate(id));
    const run = () => {
      const random = seededRandom(99);
      return Array.from({ length: 500 }, () => decide({ candidates, health, random, profile: profile({ explorationBps: 2500 }) }).ordered.map((item) => `${item.candidate.configurationId}:${item.reason}`).join(','));
    };
    assert.deepEqual(run(), run());
    assert.equal(rateMinimumAttempts > 3, true);
  });
});
