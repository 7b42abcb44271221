import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { findRoutingProfile } from '../src/routing/profile-repository.ts';
import { defaultRoutingProfile, routingRulesMax } from '../src/routing/profile.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/**
 * The routing profile (a Payrail extension, /v1/payrail/routing_profile), driven through the stripe SDK's `rawRequest`
 * (form-encoded, as the SDK sends every request) and raw HTTP with JSON bodies. One profile per account and mode.
 */

const invalidRequest = Stripe.errors.StripeInvalidRequestError;
const path = '/v1/payrail/routing_profile';
const configurationsPath = '/v1/payrail/connector_configurations';

const defaultFailover = { enabled: true, time_budget_ms: 15_000, max_attempts: 3, retry_do_not_honor: false, retry_insufficient_funds: false };
const noConditions = { currencies: null, amount_gte: null, amount_lte: null, countries: null, card_brands: null, bin_ranges: null, payment_method_types: null, metadata: null };

/** The answer without the SDK's `lastResponse`. */
function body<T extends { lastResponse?: unknown }>(answer: T): Omit<T, 'lastResponse'> {
  const { lastResponse: _response, ...rest } = answer;
  return rest;
}

describe('routing profile API (Payrail extension)', () => {
  let server: TestServer;
  let merchant: TestAccount;
  let adyen: string;
  let stripeConfiguration: string;

  const configuration = async (account: { stripe: Stripe }, params: Record<string, unknown> = { connector: 'test_processor' }) => (await account.stripe.rawRequest('POST', configurationsPath, params)).id as string;
  const routingEvents = async (accountId: string, livemode = false) => (await server.db.query<{ data: { object: Record<string, any>; previous_attributes?: Record<string, any> } }>(
    "SELECT data FROM events WHERE account_id = $1 AND livemode = $2 AND type = 'payrail.routing_profile.updated' ORDER BY seq", [accountId, livemode],
  )).rows;

  before(async () => {
    server = await startTestServer();
    merchant = await server.createAccount('routing');
    adyen = await configuration(merchant, { connector: 'test_processor', priority: 1 });
    stripeConfiguration = await configuration(merchant, { connector: 'test_processor', priority: 2 });
  });
  after(async () => {
    await server.close();
  });

  it('answers the defaults until the profile is first updated', async () => {
    const profile = await merchant.stripe.rawRequest('GET', path);
    assert.deepEqual(body(profile), {
      object: 'payrail.routing_profile', created: null, exploration_bps: 500, failover: defaultFailover, livemode: false, rules: [], strategy: 'success_rate', updated: null,
    });
    const live = await server.liveKeys(merchant.accountId);
    assert.equal((await live.stripe.rawRequest('GET', path)).livemode, true);
    assert.equal(await findRoutingProfile(server.db, { accountId: merchant.accountId, livemode: false }), undefined, 'nothing is stored by reading');
  });

  it('updates strategy, rules and failover from a form body, and reads them back', async () => {
    const updated = await merchant.stripe.rawRequest('POST', path, {
      strategy: 'lowest_cost',
      exploration_bps: 250,
      rules: [
        {
          id: 'r_eu_cards',
          conditions: { currencies: ['EUR', 'gbp'], countries: ['de', 'FR'], card_brands: ['visa', 'mastercard'], amount_gte: 100, amount_lte: 500000, bin_ranges: [{ prefix: '4' }, { from: '510000', to: '559999' }], metadata: { channel: 'web' } },
          action: { type: 'split', split: [{ configuration: adyen, weight: 70 }, { configuration: stripeConfiguration, weight: 30 }] },
          fallback: false,
        },
        { id: 'r_paypal', conditions: { payment_method_types: ['paypal'] }, action: { type: 'prefer', configurations: [stripeConfiguration, adyen] } },
      ],
      failover: { max_attempts: 2, retry_do_not_honor: true },
    });
    assert.equal(updated.object, 'payrail.routing_profile');
    assert.equal(updated.strategy, 'lowest_cost');
    assert.equal(updated.exploration_bps, 250);
    assert.deepEqual(updated.failover, { ...defaultFailover, max_attempts: 2, retry_do_not_honor: true });
    assert.deepEqual(updated.rules, [
      {
        id: 'r_eu_cards',
        conditions: {
          currencies: ['eur', 'gbp'], amount_gte: 100, amount_lte: 500000, countries: ['DE', 'FR'], card_brands: ['visa', 'mastercard'],
          bin_ranges: [{ prefix: '4', from: null, to: null }, { prefix: null, from: '510000', to: '559999' }], payment_method_types: null, metadata: { channel: 'web' },
        },
        action: { type: 'split', configurations: null, split: [{ configuration: adyen, weight: 70 }, { configuration: stripeConfiguration, weight: 30 }] },
        fallback: false,
      },
      { id: 'r_paypal', conditions: { ...noConditions, payment_method_types: ['paypal'] }, action: { type: 'prefer', configurations: [stripeConfiguration, adyen], split: null }, fallback: true },
    ]);
    assert.equal(typeof updated.created, 'number');
    assert.equal(updated.updated, updated.created);
    assert.deepEqual(body(await merchant.stripe.rawRequest('GET', path)), body(updated));

    const stored = await findRoutingProfile(server.db, { accountId: merchant.accountId, livemode: false });
    assert.deepEqual(stored?.rules[0].action, { type: 'split', split: [{ configurationId: adyen, weight: 70 }, { configurationId: stripeConfiguration, weight: 30 }] });
    assert.deepEqual(stored?.rules[0].conditions.binRanges, [{ prefix: '4' }, { from: '510000', to: '559999' }]);
    assert.deepEqual(stored?.failover, { enabled: true, timeBudgetMs: 15_000, maxAttempts: 2, retryDoNotHonor: true, retryInsufficientFunds: false });
    const row = await server.db.query('SELECT strategy, exploration_bps FROM routing_profiles WHERE account_id = $1 AND livemode = false', [merchant.accountId]);
    assert.deepEqual(row.rows, [{ strategy: 'lowest_cost', exploration_bps: 250 }]);

    const events = await routingEvents(merchant.accountId);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].data.object, body(updated));
    assert.equal(events[0].data.previous_attributes?.strategy, 'success_rate');
    assert.deepEqual(events[0].data.previous_attributes?.rules, []);
  });

  it('keeps what an update does not name, clears rules with an empty string, and records only real changes', async () => {
    const account = await server.createAccount('partial updates');
    const target = await configuration(account);
    await account.stripe.rawRequest('POST', path, { rules: [{ id: 'r1', action: { type: 'prefer', configurations: [target] } }], failover: { time_budget_ms: 5000 } });
    const failoverOnly = await account.stripe.rawRequest('POST', path, { failover: { enabled: false } });
    assert.equal(failoverOnly.rules.length, 1, 'rules not given are kept');
    assert.deepEqual(failoverOnly.failover, { ...defaultFailover, enabled: false, time_budget_ms: 5000 }, 'failover keys not given are kept');
    assert.equal(failoverOnly.strategy, 'success_rate');

    const before = (await routingEvents(account.accountId)).length;
    const same = await account.stripe.rawRequest('POST', path, { failover: { enabled: false }, strategy: 'success_rate' });
    assert.deepEqual(body(same), body(failoverOnly));
    assert.equal((await routingEvents(account.accountId)).length, before, 'an update that changes nothing records no event');

    const cleared = await account.stripe.rawRequest('POST', path, { rules: '' });
    assert.deepEqual(cleared.rules, []);
    const events = await routingEvents(account.accountId);
    assert.equal(events.length, before + 1);
    assert.equal(events.at(-1)!.data.previous_attributes?.rules.length, 1);

    const fresh = await server.createAccount('defaults sent back');
    await fresh.stripe.rawRequest('POST', path, { strategy: 'success_rate', exploration_bps: 500 });
    assert.equal((await fresh.stripe.rawRequest('GET', path)).created, null, 'sending the defaults stores nothing');
    assert.equal((await routingEvents(fresh.accountId)).length, 0);
  });

  it('accepts JSON bodies, up to the rule limit', async () => {
    const account = await server.createAccount('json');
    const target = await configuration(account);
    const rules = Array.from({ length: routingRulesMax }, (_, index) => ({ id: `rule_${index}`, conditions: { amount_gte: index * 100 }, action: { type: 'prefer', configurations: [target] } }));
    const answer = await server.request('POST', path, { key: account.secretKey, contentType: 'application/json', body: JSON.stringify({ strategy: 'priority', rules }) });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.rules.length, routingRulesMax);
    assert.equal(answer.json.rules[37].id, 'rule_37');
    assert.equal(answer.json.rules[37].conditions.amount_gte, 3700);

    const tooMany = await server.request('POST', path, { key: account.secretKey, contentType: 'application/json', body: JSON.stringify({ rules: [...rules, { id: 'one_more', action: { type: 'prefer', configurations: [target] } }] }) });
    assert.equal(tooMany.status, 400);
    assert.deepEqual({ type: tooMany.json.error.type, code: tooMany.json.error.code, param: tooMany.json.error.param }, { type: 'invalid_request_error', code: 'invalid_value', param: 'rules' });
  });

  it('validates strictly, naming parameters in bracket notation', async () => {
    const account = await server.createAccount('validation');
    const target = await configuration(account);
    const prefer = { type: 'prefer', configurations: [target] };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ strategy: 'cheapest' }, 'invalid_value', 'strategy'],
      [{ exploration_bps: 10_001 }, 'invalid_value', 'exploration_bps'],
      [{ exploration_bps: 'lots' }, 'parameter_invalid_integer', 'exploration_bps'],
      [{ failover: { time_budget_ms: 999 } }, 'invalid_value', 'failover[time_budget_ms]'],
      [{ failover: { time_budget_ms: 60_001 } }, 'invalid_value', 'failover[time_budget_ms]'],
      [{ failover: { max_attempts: 6 } }, 'invalid_value', 'failover[max_attempts]'],
      [{ failover: { max_attempts: 0 } }, 'invalid_value', 'failover[max_attempts]'],
      [{ failover: { retry_everything: true } }, 'parameter_unknown', 'failover[retry_everything]'],
      [{ fallback: true }, 'parameter_unknown', 'fallback'],
      [{ rules: [{ action: prefer }] }, 'parameter_missing', 'rules[0][id]'],
      [{ rules: [{ id: 'r' }] }, 'parameter_missing', 'rules[0][action]'],
      [{ rules: [{ id: 'a', action: prefer }, { id: 'a', action: prefer }] }, 'invalid_value', 'rules[1][id]'],
      [{ rules: [{ id: 'r', action: { type: 'route' } }] }, 'invalid_value', 'rules[0][action][type]'],
      [{ rules: [{ id: 'r', action: { type: 'split', split: [{ configuration: target, weight: 0 }] } }] }, 'invalid_value', 'rules[0][action][split][0][weight]'],
      [{ rules: [{ id: 'r', action: { type: 'split', split: [{ configuration: target, weight: 'half' }] } }] }, 'parameter_invalid_integer', 'rules[0][action][split][0][weight]'],
      [{ rules: [{ id: 'r', action: { type: 'split', split: [{ configuration: target }] } }] }, 'parameter_missing', 'rules[0][action][split][0][weight]'],
      [{ rules: [{ id: 'r', action: { type: 'split', configurations: [target] } }] }, 'parameters_exclusive', 'rules[0][action][configurations]'],
      [{ rules: [{ id: 'r', action: prefer, conditions: { currency: ['usd'] } }] }, 'parameter_unknown', 'rules[0][conditions][currency]'],
      [{ rules: [{ id: 'r', action: prefer, conditions: { currencies: ['usd', 'abc'] } }] }, 'invalid_currency', 'rules[0][conditions][currencies][1]'],
      [{ rules: [{ id: 'r', action: prefer, conditions: { countries: ['ZZ'] } }] }, 'invalid_value', 'rules[0][conditions][countries][0]'],
      [{ rules: [{ id: 'r', action: prefer, conditions: { card_brands: ['maestro'] } }] }, 'invalid_value', 'rules[0][conditions][card_brands][0]'],
      [{ rules: [{ id: 'r', action: prefer, conditions: { amount_gte: 1000, amount_lte: 10 } }] }, 'invalid_value', 'rules[0][conditions][amount_lte]'],
      [{ rules: [{ id: 'r', action: prefer, conditions: { bin_ranges: [{ from: '51', to: '5' }] } }] }, 'invalid_value', 'rules[0][conditions][bin_ranges][0][to]'],
      [{ rules: [{ id: 'r', action: prefer, conditions: { bin_ranges: [{ prefix: '4a' }] } }] }, 'invalid_value', 'rules[0][conditions][bin_ranges][0][prefix]'],
      [{ rules: [{ id: 'r', action: prefer, conditions: { metadata: { tier: '' } } }] }, 'parameter_invalid_empty', 'rules[0][conditions][metadata][tier]'],
      [{ rules: [{ id: 'r', action: prefer, fallback: 'maybe' }] }, 'invalid_value', 'rules[0][fallback]'],
    ];
    for (const [params, code, param] of cases) {
      const error = await expectStripeError(account.stripe.rawRequest('POST', path, params), { class: invalidRequest, statusCode: 400 });
      assert.deepEqual({ code: error.code, param: error.param }, { code, param }, `${JSON.stringify(params)}: ${error.message}`);
    }
    assert.equal((await account.stripe.rawRequest('GET', path)).created, null, 'nothing was stored');
  });

  it('accepts only configurations of the same account and mode that are not deleted', async () => {
    const account = await server.createAccount('references');
    const other = await server.createAccount('someone else');
    const own = await configuration(account);
    const disabled = await configuration(account, { connector: 'test_processor', enabled: false });
    const deleted = await configuration(account);
    await account.stripe.rawRequest('DELETE', `${configurationsPath}/${deleted}`);
    const foreign = await configuration(other);
    const live = await server.liveKeys(account.accountId);
    // Live mode takes no test_processor configuration: a live Stripe one stands in.
    const liveConfiguration = await configuration(live, { connector: 'stripe', credentials: { secret_key: `sk_live_${'1'.repeat(24)}`, webhook_secret: 'whsec_SecretSigningValueForTests0b5e' } });

    for (const [id, param] of [
      ['pcc_doesnotexist', 'rules[0][action][configurations][1]'],
      [foreign, 'rules[0][action][configurations][1]'],
      [liveConfiguration, 'rules[0][action][configurations][1]'],
      [deleted, 'rules[0][action][configurations][1]'],
    ]) {
      const error = await expectStripeError(account.stripe.rawRequest('POST', path, { rules: [{ id: 'r', action: { type: 'prefer', configurations: [own, id] } }] }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
      assert.equal(error.param, param);
      assert.match(error.message, new RegExp(`No such connector configuration: '${id}'`));
    }
    const split = await expectStripeError(account.stripe.rawRequest('POST', path, { rules: [{ id: 'ok', action: { type: 'prefer', configurations: [own] } }, { id: 'bad', action: { type: 'split', split: [{ configuration: own, weight: 1 }, { configuration: foreign, weight: 1 }] } }] }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    assert.equal(split.param, 'rules[1][action][split][1][configuration]');

    const accepted = await account.stripe.rawRequest('POST', path, { rules: [{ id: 'r', action: { type: 'prefer', configurations: [own, disabled] } }] });
    assert.deepEqual(accepted.rules[0].action.configurations, [own, disabled], 'a disabled configuration may be named');
    const liveAccepted = await live.stripe.rawRequest('POST', path, { rules: [{ id: 'r_live', action: { type: 'prefer', configurations: [liveConfiguration] } }] });
    assert.equal(liveAccepted.livemode, true);
  });

  it('keeps each mode and account to its own profile', async () => {
    const account = await server.createAccount('modes');
    const live = await server.liveKeys(account.accountId);
    await account.stripe.rawRequest('POST', path, { strategy: 'priority', exploration_bps: 0 });
    const liveProfile = await live.stripe.rawRequest('GET', path);
    assert.equal(liveProfile.strategy, 'success_rate', 'a test-mode update leaves live mode on the defaults');
    assert.equal(liveProfile.created, null);
    await live.stripe.rawRequest('POST', path, { strategy: 'lowest_cost', failover: { enabled: false } });
    const testProfile = await account.stripe.rawRequest('GET', path);
    assert.deepEqual({ strategy: testProfile.strategy, exploration_bps: testProfile.exploration_bps, failover: testProfile.failover }, { strategy: 'priority', exploration_bps: 0, failover: defaultFailover });
    assert.equal((await live.stripe.rawRequest('GET', path)).strategy, 'lowest_cost');

    assert.equal((await findRoutingProfile(server.db, { accountId: account.accountId, livemode: true }))?.strategy, 'lowest_cost');
    assert.equal((await findRoutingProfile(server.db, { accountId: account.accountId, livemode: false }))?.strategy, 'priority');
    assert.equal((await routingEvents(account.accountId, true)).length, 1, 'events are per mode');

    const other = await server.createAccount('other');
    assert.equal((await other.stripe.rawRequest('GET', path)).strategy, defaultRoutingProfile.strategy, 'another account sees its own (default) profile');
  });

  it('refuses publishable keys', async () => {
    for (const method of ['GET', 'POST']) {
      const answer = await server.request(method, path, { key: merchant.publishableKey, ...(method === 'POST' ? { body: 'strategy=priority', contentType: 'application/x-www-form-urlencoded' } : {}) });
      assert.equal(answer.status, 401, method);
      assert.equal(answer.json.error.type, 'invalid_request_error');
    }
  });
});
