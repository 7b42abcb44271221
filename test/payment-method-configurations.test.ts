import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

/** A PayPal connector configuration (nothing is sent to PayPal here: it only makes the paypal type available). */
async function configurePayPal(server: TestServer, account: TestAccount): Promise<void> {
  await account.stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
    connector: 'paypal', credentials: { client_id: 'pmc-paypal-client', client_secret: 'pmc-paypal-secret', webhook_id: 'WHPMC' },
    settings: { base_url: 'http://127.0.0.1:9' }, payment_method_types: ['paypal'],
  });
  server.deps.routing.forget({ accountId: account.accountId, livemode: false });
}

describe('Payment Method Configurations through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  it('an account has one default configuration, made on first use even by concurrent requests: cards on, other types off', async () => {
    const account = await server.createAccount('defaults');
    const lists = await Promise.all(Array.from({ length: 8 }, () => account.stripe.paymentMethodConfigurations.list()));
    const ids = new Set(lists.flatMap((list) => list.data.map((configuration) => configuration.id)));
    assert.equal(ids.size, 1, 'one default configuration');
    const [configuration] = lists[0].data;
    assert.match(configuration.id, /^pmc_/);
    assert.equal(configuration.object, 'payment_method_configuration');
    assert.equal(configuration.is_default, true);
    assert.equal(configuration.active, true);
    assert.equal(configuration.name, 'Default');
    assert.equal(configuration.parent, null);
    assert.equal(configuration.application, null);
    assert.deepEqual(configuration.card, { available: true, display_preference: { overridable: null, preference: 'none', value: 'on' } });
    assert.deepEqual(configuration.paypal, { available: false, display_preference: { overridable: null, preference: 'none', value: 'off' } });
    const rows = await server.db.query('SELECT count(*)::int AS n FROM payment_method_configurations WHERE account_id = $1', [account.accountId]);
    assert.equal(rows.rows[0].n, 1);
    // A Connect application's configurations: Payrail has no applications.
    assert.deepEqual((await account.stripe.paymentMethodConfigurations.list({ application: 'ca_123' })).data, []);
  });

  it('creates, retrieves, renames, deactivates and lists configurations; a preference of none returns to the default', async () => {
    await stripe.paymentMethodConfigurations.list();
    const created = await stripe.paymentMethodConfigurations.create({ name: 'PayPal only', card: { display_preference: { preference: 'off' } }, paypal: { display_preference: { preference: 'on' } } });
    assert.equal(created.is_default, false);
    assert.equal(created.name, 'PayPal only');
    assert.deepEqual(created.card?.display_preference, { overridable: null, preference: 'off', value: 'off' });
    assert.equal(created.card?.available, false);
    // No connector carries PayPal for this account: on, but not available.
    assert.deepEqual(created.paypal, { available: false, display_preference: { overridable: null, preference: 'on', value: 'on' } });
    assert.deepEqual(await stripe.paymentMethodConfigurations.retrieve(created.id), created);

    const unnamed = await stripe.paymentMethodConfigurations.create();
    assert.equal(unnamed.name, 'Untitled');

    const updated = await stripe.paymentMethodConfigurations.update(created.id, { name: 'Wallets', active: false, card: { display_preference: { preference: 'none' } } });
    assert.equal(updated.name, 'Wallets');
    assert.equal(updated.active, false);
    assert.deepEqual(updated.card?.display_preference, { overridable: null, preference: 'none', value: 'on' });
    assert.equal(updated.paypal?.display_preference.preference, 'on', 'a type not in the update keeps its preference');

    const listed = await stripe.paymentMethodConfigurations.list({ limit: 100 });
    const listedIds = listed.data.map((configuration) => configuration.id);
    assert.ok(listedIds.includes(created.id) && listedIds.includes(unnamed.id));
    assert.equal(listed.data.filter((configuration) => configuration.is_default).length, 1);
    const firstPage = await stripe.paymentMethodConfigurations.list({ limit: 1 });
    assert.equal(firstPage.has_more, true);
    assert.equal(firstPage.data[0].id, unnamed.id, 'newest first');
  });

  it('refuses bad input with Stripe-shaped errors, and another account never sees a configuration', async () => {
    const own = await stripe.paymentMethodConfigurations.create({ name: 'Mine' });
    const [defaultConfiguration] = (await stripe.paymentMethodConfigurations.list()).data.filter((configuration) => configuration.is_default);
    await expectStripeError(stripe.paymentMethodConfigurations.update(defaultConfiguration.id, { active: false }), { class: invalidRequest, statusCode: 400, code: 'invalid_value', param: 'active' });
    await expectStripeError(stripe.paymentMethodConfigurations.create({ card: { display_preference: { preference: 'maybe' as 'on' } } }), { class: invalidRequest, statusCode: 400, param: 'card[display_preference][preference]' });
    await expectStripeError(stripe.paymentMethodConfigurations.create({ name: '' }), { class: invalidRequest, statusCode: 400, param: 'name' });
    await expectStripeError(stripe.paymentMethodConfigurations.retrieve('pmc_missing'), { class: invalidRequest, statusCode: 404, code: 'resource_missing', param: 'id' });
    const other = await server.createAccount('other');
    await expectStripeError(other.stripe.paymentMethodConfigurations.retrieve(own.id), { class: invalidRequest, statusCode: 404, code: 'resource_missing' });
    await expectStripeError(other.stripe.paymentMethodConfigurations.update(own.id, { name: 'Taken' }), { class: invalidRequest, statusCode: 404, code: 'resource_missing' });
    await expectStripeError(other.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_configuration: own.id }), { class: invalidRequest, statusCode: 404, code: 'resource_missing', param: 'payment_method_configuration' });
  });

  it('local methods turned on are offered in their currencies, and allow_redirects=never keeps only those without a redirect', async () => {
    const account = await server.createAccount('local');
    const local = await account.stripe.paymentMethodConfigurations.create({
      name: 'Europe', ideal: { display_preference: { preference: 'on' } }, p24: { display_preference: { preference: 'on' } }, blik: { display_preference: { preference: 'on' } },
    });
    // The built-in test processor takes every local type in test mode.
    assert.equal(local.ideal?.available, true);
    assert.equal(local.bancontact?.available, false, 'off by default');
    const pick = async (currency: string, allowRedirects: 'always' | 'never' = 'always') =>
      (await account.stripe.paymentIntents.create({ amount: 2000, currency, payment_method_configuration: local.id, automatic_payment_methods: { enabled: true, allow_redirects: allowRedirects } })).payment_method_types;
    assert.deepEqual(await pick('eur'), ['card', 'ideal', 'p24']);
    assert.deepEqual(await pick('pln'), ['card', 'p24', 'blik']);
    assert.deepEqual(await pick('pln', 'never'), ['card', 'blik']);
    assert.deepEqual(await pick('usd'), ['card']);
  });

  it('automatic payment methods offer the types the configuration has on and the account can take', async () => {
    const account = await server.createAccount('automatic');
    const plain = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const [defaultConfiguration] = (await account.stripe.paymentMethodConfigurations.list()).data;
    assert.deepEqual(plain.automatic_payment_methods, { enabled: true, allow_redirects: 'always' });
    assert.deepEqual(plain.payment_method_types, ['card']);
    assert.deepEqual(plain.payment_method_configuration_details, { id: defaultConfiguration.id, parent: null });

    // PayPal turned on but not available: still cards only.
    await account.stripe.paymentMethodConfigurations.update(defaultConfiguration.id, { paypal: { display_preference: { preference: 'on' } } });
    assert.deepEqual((await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' })).payment_method_types, ['card']);

    await configurePayPal(server, account);
    const both = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', automatic_payment_methods: { enabled: true } });
    assert.deepEqual(both.payment_method_types, ['card', 'paypal']);
    const retrieved = await account.stripe.paymentMethodConfigurations.retrieve(defaultConfiguration.id);
    assert.equal(retrieved.paypal?.available, true);
    // PayPal sends the shopper to its own page: allow_redirects=never leaves it out.
    const noRedirects = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    assert.deepEqual(noRedirects.payment_method_types, ['card']);

    const walletsOnly = await account.stripe.paymentMethodConfigurations.create({ name: 'Wallets', card: { display_preference: { preference: 'off' } }, paypal: { display_preference: { preference: 'on' } } });
    const wallet = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_configuration: walletsOnly.id });
    assert.deepEqual(wallet.payment_method_types, ['paypal']);
    assert.deepEqual(wallet.payment_method_configuration_details, { id: walletsOnly.id, parent: null });
    // A card cannot pay an intent whose types leave cards out.
    await expectStripeError(account.stripe.paymentIntents.confirm(wallet.id, { payment_method: 'pm_card_visa' }), { class: invalidRequest, statusCode: 400 });
    await expectStripeError(
      account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_configuration: walletsOnly.id, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } }),
      { class: invalidRequest, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'payment_method_configuration' },
    );
    await account.stripe.paymentMethodConfigurations.update(walletsOnly.id, { active: false });
    await expectStripeError(account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_configuration: walletsOnly.id }), { class: invalidRequest, statusCode: 400, code: 'invalid_value', param: 'payment_method_configuration' });
    await expectStripeError(
      account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_types: ['card'], payment_method_configuration: walletsOnly.id } as Stripe.PaymentIntentCreateParams),
      { class: invalidRequest, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'payment_method_configuration' },
    );
    // Named types take no configuration.
    const named = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams);
    assert.equal(named.payment_method_configuration_details, null);
    assert.equal(named.automatic_payment_methods, null);

    // Cards off in the default, and nothing else: the intent has no type to offer.
    await account.stripe.paymentMethodConfigurations.update(defaultConfiguration.id, { card: { display_preference: { preference: 'off' } }, paypal: { display_preference: { preference: 'off' } } });
    await expectStripeError(account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' }), { class: invalidRequest, statusCode: 400, code: 'payment_intent_invalid_parameter', param: 'automatic_payment_methods' });
    await account.stripe.paymentMethodConfigurations.update(defaultConfiguration.id, { card: { display_preference: { preference: 'none' } } });
    assert.deepEqual((await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' })).payment_method_types, ['card']);
  });
});
