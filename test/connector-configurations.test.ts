import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { connectorConfigurationsPerAccountMax } from '../src/connectors/configurations/limits.ts';
import { enabledConfigurations } from '../src/connectors/configurations/service.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Connector configurations (a Payrail extension, /v1/payrail/connector_configurations), driven through the stripe
 * SDK's `rawRequest` (the SDK has no such resource, but it form-encodes and maps errors as for any other) and raw HTTP.
 * Checks that credentials never leave their ciphertext: not in answers, events or plain columns.
 */

const invalidRequest = Stripe.errors.StripeInvalidRequestError;
const basePath = '/v1/payrail/connector_configurations';

const adyenApiKey = 'AQEyhmfxK4zMbhZDw0m/n3Q5qf3VaY9UCJ1+XWZe9W27jmlZiv4PD4jhfNMofnLr2K5i8/0QwV1bDb7kfNy1WIxIIkxgBw==-secretAdyenKey9f3a';
const adyenHmacKey = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const stripeSecretKey = 'sk_test_51Payrail000SecretStripeKeyForTests7c1d';
const stripeWebhookSecret = 'whsec_SecretSigningValueForTests0b5e';
const paypalClientId = 'AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS';
const paypalClientSecret = 'EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL';
const paypalWebhookId = '1JE4291016473214C';

/** Every secret used in this file: none may ever appear in an answer, an event or a plain column. */
const secrets = [adyenApiKey, adyenHmacKey, stripeSecretKey, stripeWebhookSecret, paypalClientId, paypalClientSecret, paypalWebhookId];

function assertNoSecret(value: unknown, where: string): void {
  const text = JSON.stringify(value);
  for (const secret of secrets) assert.equal(text.includes(secret), false, `${where} contains a credential`);
}

const adyenParams = {
  connector: 'adyen',
  credentials: { api_key: adyenApiKey, hmac_key: adyenHmacKey },
  settings: { merchant_account: 'PayrailECOM' },
};

describe('connector configurations API (Payrail extension)', () => {
  let server: TestServer;
  let stripe: Stripe;
  const create = (params: Record<string, unknown>, client: Stripe = stripe) => client.rawRequest('POST', basePath, params);

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  it('creates, retrieves, updates, lists and deletes a configuration', async () => {
    const created = await create({
      ...adyenParams,
      supported_currencies: ['usd', 'EUR'],
      supported_countries: ['US', 'de'],
      priority: 5,
      fees: { usd: { percent_bps: 290, fixed: 30 }, '*': { percent_bps: 350 } },
      metadata: { team: 'payments' },
    });
    assert.match(created.id, /^pcc_[0-9A-Za-z]{24}$/);
    assert.equal(created.object, 'payrail.connector_configuration');
    assert.equal(created.connector, 'adyen');
    assert.equal(created.livemode, false);
    assert.equal(created.enabled, true);
    assert.deepEqual(created.credentials, { api_key: '••••9f3a', hmac_key: '••••A056' });
    assert.deepEqual(created.settings, { merchant_account: 'PayrailECOM', base_url: 'https://checkout-test.adyen.com' });
    assert.deepEqual(created.supported_currencies, ['usd', 'eur']);
    assert.deepEqual(created.supported_countries, ['US', 'DE']);
    assert.deepEqual(created.payment_method_types, ['card']);
    assert.equal(created.priority, 5);
    assert.deepEqual(created.fees, { usd: { percent_bps: 290, fixed: 30 }, '*': { percent_bps: 350, fixed: 0 } });
    assert.deepEqual(created.metadata, { team: 'payments' });
    assertNoSecret(created, 'the create answer');

    const retrieved = await stripe.rawRequest('GET', `${basePath}/${created.id}`);
    const { lastResponse: _created, ...createdBody } = created;
    const { lastResponse: _retrieved, ...retrievedBody } = retrieved;
    assert.deepEqual(retrievedBody, createdBody);

    const updated = await stripe.rawRequest('POST', `${basePath}/${created.id}`, { settings: { base_url: 'https://checkout-test.adyen.com/checkout' }, priority: 1, supported_countries: '' });
    assert.deepEqual(updated.settings, { merchant_account: 'PayrailECOM', base_url: 'https://checkout-test.adyen.com/checkout' }, 'settings given are laid over the stored ones');
    assert.equal(updated.priority, 1);
    assert.deepEqual(updated.supported_countries, [], "'' clears a list (any country)");
    assert.deepEqual(updated.credentials, created.credentials, 'credentials not given are kept');

    const listed = await stripe.rawRequest('GET', `${basePath}?connector=adyen`);
    assert.equal(listed.object, 'list');
    assert.ok(listed.data.some((item: { id: string }) => item.id === created.id));

    const deleted = await stripe.rawRequest('DELETE', `${basePath}/${created.id}`);
    assert.deepEqual({ id: deleted.id, object: deleted.object, deleted: deleted.deleted }, { id: created.id, object: 'payrail.connector_configuration', deleted: true });
    await expectStripeError(stripe.rawRequest('GET', `${basePath}/${created.id}`), { class: invalidRequest, code: 'resource_missing', param: 'id', statusCode: 404 });
    await expectStripeError(stripe.rawRequest('POST', `${basePath}/${created.id}`, { priority: 2 }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    const remaining = await stripe.rawRequest('GET', `${basePath}?connector=adyen`);
    assert.equal(remaining.data.some((item: { id: string }) => item.id === created.id), false, 'a deleted configuration is not listed');
    const row = await server.db.query('SELECT deleted FROM connector_configurations WHERE id = $1', [created.id]);
    assert.equal(row.rows[0].deleted, true, 'deletion is soft');
  });

  it('keeps credentials out of answers, events and plain columns', async () => {
    const adyen = await create(adyenParams);
    const stripeConfiguration = await create({ connector: 'stripe', credentials: { secret_key: stripeSecretKey, webhook_secret: stripeWebhookSecret } });
    const paypal = await create({ connector: 'paypal', credentials: { client_id: paypalClientId, client_secret: paypalClientSecret, webhook_id: paypalWebhookId } });
    assert.deepEqual(stripeConfiguration.credentials, { secret_key: '••••7c1d', webhook_secret: '••••0b5e' });
    assert.deepEqual(stripeConfiguration.settings, { base_url: 'https://api.stripe.com' });
    // The webhook id is 17 characters: long enough to show its end; shorter values show nothing.
    assert.deepEqual(paypal.credentials, { client_id: '••••OhRS', client_secret: '••••ZRbL', webhook_id: '••••214C' });
    assert.deepEqual(paypal.settings, { base_url: 'https://api-m.sandbox.paypal.com' });
    assert.deepEqual(paypal.payment_method_types, ['paypal']);
    await stripe.rawRequest('POST', `${basePath}/${paypal.id}`, { credentials: { client_id: paypalClientId, client_secret: paypalClientSecret, webhook_id: paypalWebhookId } });
    await stripe.rawRequest('DELETE', `${basePath}/${adyen.id}`);
    const list = await stripe.rawRequest('GET', `${basePath}?limit=100`);
    assertNoSecret(list, 'the list answer');

    const ids = [adyen.id, stripeConfiguration.id, paypal.id];
    const rows = await server.db.query('SELECT * FROM connector_configurations WHERE id = ANY($1)', [ids]);
    assert.equal(rows.rows.length, 3);
    for (const row of rows.rows) {
      const { credentials_encrypted: ciphertext, ...plain } = row;
      assertNoSecret(plain, `the plain columns of ${row.id}`);
      for (const secret of secrets) assert.equal((ciphertext as Buffer).includes(Buffer.from(secret)), false, 'the credentials column holds ciphertext only');
    }
    const events = await server.db.query<{ type: string; data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> } }>(
      "SELECT type, data FROM events WHERE type LIKE 'payrail.connector_configuration.%' AND data->'object'->>'id' = ANY($1) ORDER BY seq", [ids],
    );
    assert.deepEqual(events.rows.map((event) => event.type), [
      'payrail.connector_configuration.created', 'payrail.connector_configuration.created', 'payrail.connector_configuration.created',
      'payrail.connector_configuration.updated', 'payrail.connector_configuration.deleted',
    ]);
    for (const event of events.rows) assertNoSecret(event.data, `the ${event.type} event`);
    const replaced = events.rows[3];
    assert.deepEqual(replaced.data.object.credentials, paypal.credentials, 'events carry masked credentials');
    assert.deepEqual(replaced.data.previous_attributes?.credentials, paypal.credentials, 'replacing credentials is an update even when the masks look the same');
  });

  it('replaces credentials entirely on update and records only real changes', async () => {
    const configuration = await create({ connector: 'stripe', credentials: { secret_key: stripeSecretKey, webhook_secret: stripeWebhookSecret }, metadata: { order: '1' } });
    const newKey = 'sk_test_51Payrail000ReplacementKeyForTests9999';
    const updated = await stripe.rawRequest('POST', `${basePath}/${configuration.id}`, { credentials: { secret_key: newKey } });
    assert.deepEqual(updated.credentials, { secret_key: '••••9999' }, 'the webhook secret not given again is gone');
    const decrypted = (await enabledConfigurations(server.db, server.deps, { accountId: server.account.accountId, livemode: false })).find((item) => item.id === configuration.id);
    assert.deepEqual(decrypted?.connection, { connector: 'stripe', config: { baseUrl: 'https://api.stripe.com', apiKey: newKey, webhookSecrets: [] } });

    const countEvents = async () => (await server.db.query("SELECT count(*)::int AS count FROM events WHERE type = 'payrail.connector_configuration.updated' AND data->'object'->>'id' = $1", [configuration.id])).rows[0].count as number;
    const before = await countEvents();
    await stripe.rawRequest('POST', `${basePath}/${configuration.id}`, { metadata: { order: '1' }, enabled: true });
    assert.equal(await countEvents(), before, 'an update that changes nothing records no event');
    await stripe.rawRequest('POST', `${basePath}/${configuration.id}`, { enabled: false });
    assert.equal(await countEvents(), before + 1);
    const event = await server.db.query("SELECT data FROM events WHERE type = 'payrail.connector_configuration.updated' AND data->'object'->>'id' = $1 ORDER BY seq DESC LIMIT 1", [configuration.id]);
    assert.equal(event.rows[0].data.previous_attributes.enabled, true);
    assert.equal(event.rows[0].data.object.enabled, false);

    await expectStripeError(stripe.rawRequest('POST', `${basePath}/${configuration.id}`, { connector: 'adyen' }), { class: invalidRequest, code: 'parameter_unknown', param: 'connector', statusCode: 400 });
    await expectStripeError(stripe.rawRequest('POST', `${basePath}/${configuration.id}`, { credentials: { webhook_secret: stripeWebhookSecret } }), { class: invalidRequest, code: 'parameter_missing', param: 'credentials[secret_key]', statusCode: 400 });
    await expectStripeError(stripe.rawRequest('POST', `${basePath}/${configuration.id}`, { settings: { merchant_account: 'X' } }), { class: invalidRequest, code: 'parameter_unknown', param: 'settings[merchant_account]', statusCode: 400 });
    await expectStripeError(stripe.rawRequest('POST', `${basePath}/${configuration.id}`, { payment_method_types: ['paypal'] }), { class: invalidRequest, code: 'invalid_value', param: 'payment_method_types[0]', statusCode: 400 });
  });

  it('validates each connector\'s fields, naming them in bracket notation', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ connector: 'worldpay' }, 'invalid_value', 'connector'],
      [{ credentials: { api_key: adyenApiKey } }, 'parameter_missing', 'connector'],
      [{ connector: 'adyen', settings: { merchant_account: 'M' } }, 'parameter_missing', 'credentials'],
      [{ ...adyenParams, credentials: { api_key: adyenApiKey } }, 'parameter_missing', 'credentials[hmac_key]'],
      [{ ...adyenParams, credentials: { api_key: adyenApiKey, hmac_key: 'ABC' } }, 'invalid_value', 'credentials[hmac_key]'],
      [{ ...adyenParams, credentials: { api_key: adyenApiKey, hmac_key: 'GG11' } }, 'invalid_value', 'credentials[hmac_key]'],
      [{ ...adyenParams, credentials: { api_key: '', hmac_key: adyenHmacKey } }, 'parameter_invalid_empty', 'credentials[api_key]'],
      [{ ...adyenParams, credentials: { api_key: adyenApiKey, hmac_key: adyenHmacKey, secret_key: stripeSecretKey } }, 'parameter_unknown', 'credentials[secret_key]'],
      [{ ...adyenParams, credentials: { ...adyenParams.credentials, password: 'x' } }, 'parameter_unknown', 'credentials[password]'],
      [{ ...adyenParams, settings: {} }, 'parameter_missing', 'settings[merchant_account]'],
      [{ ...adyenParams, settings: { merchant_account: 'M', base_url: 'ftp://checkout-test.adyen.com' } }, 'url_invalid', 'settings[base_url]'],
      [{ ...adyenParams, settings: { merchant_account: 'M', base_url: 'http://checkout-test.adyen.com' } }, 'url_invalid', 'settings[base_url]'],
      [{ ...adyenParams, settings: { merchant_account: 'M', base_url: 'https://user:pass@checkout-test.adyen.com' } }, 'url_invalid', 'settings[base_url]'],
      [{ ...adyenParams, payment_method_types: ['card', 'paypal'] }, 'invalid_value', 'payment_method_types[1]'],
      [{ ...adyenParams, payment_method_types: ['bancontact'] }, 'invalid_value', 'payment_method_types[0]'],
      [{ ...adyenParams, supported_currencies: ['usd', 'xyz'] }, 'invalid_currency', 'supported_currencies[1]'],
      [{ ...adyenParams, supported_countries: ['US', 'ZZ'] }, 'invalid_value', 'supported_countries[1]'],
      [{ ...adyenParams, priority: -1 }, 'invalid_value', 'priority'],
      [{ ...adyenParams, fees: { usd: { percent_bps: 10_001 } } }, 'invalid_value', 'fees[usd][percent_bps]'],
      [{ ...adyenParams, fees: { usd: { fixed: 'ten' } } }, 'parameter_invalid_integer', 'fees[usd][fixed]'],
      [{ ...adyenParams, fees: { '*': { percent_bps: 300, fixed: 30 } } }, 'invalid_value', 'fees[*][fixed]'],
      [{ ...adyenParams, fees: { xyz: { percent_bps: 300 } } }, 'invalid_currency', 'fees[xyz]'],
      [{ ...adyenParams, fees: { usd: { rate: 3 } } }, 'parameter_unknown', 'fees[usd][rate]'],
      [{ connector: 'stripe', credentials: { secret_key: 'pk_test_123' } }, 'invalid_value', 'credentials[secret_key]'],
      [{ connector: 'stripe', credentials: { secret_key: 'sk_live_123' } }, 'invalid_value', 'credentials[secret_key]'],
      [{ connector: 'stripe', credentials: { secret_key: stripeSecretKey, webhook_secret: 'secret' } }, 'invalid_value', 'credentials[webhook_secret]'],
      [{ connector: 'paypal', credentials: { client_id: paypalClientId, client_secret: paypalClientSecret } }, 'parameter_missing', 'credentials[webhook_id]'],
      [{ connector: 'test_processor', credentials: { api_key: 'x' } }, 'parameter_unknown', 'credentials[api_key]'],
      [{ connector: 'test_processor', settings: { base_url: 'https://example.com' } }, 'parameter_unknown', 'settings[base_url]'],
    ];
    for (const [params, code, param] of cases) {
      const error = await expectStripeError(create(params), { class: invalidRequest, statusCode: 400 });
      assert.deepEqual({ code: error.code, param: error.param }, { code, param }, `${JSON.stringify(params)}: ${error.message}`);
    }
    const leaked = await expectStripeError(create({ ...adyenParams, credentials: { api_key: adyenApiKey, hmac_key: 'ABC' } }), { class: invalidRequest, statusCode: 400 });
    assert.equal(leaked.message.includes(adyenApiKey), false, 'error messages do not echo credentials');
  });

  it('accepts plain http only for loopback in test mode, and applies each mode\'s defaults', async () => {
    const local = await create({ ...adyenParams, settings: { merchant_account: 'M', base_url: 'http://127.0.0.1:8123/' } });
    assert.equal(local.settings.base_url, 'http://127.0.0.1:8123');
    const localhost = await create({ connector: 'paypal', credentials: { client_id: 'id', client_secret: 'secret', webhook_id: 'wh' }, settings: { base_url: 'http://localhost:9000' }, payment_method_types: ['paypal', 'card'] });
    assert.deepEqual(localhost.credentials, { client_id: '••••', client_secret: '••••', webhook_id: '••••' }, 'short credentials show no characters');
    assert.deepEqual(localhost.payment_method_types, ['paypal', 'card']);
    await expectStripeError(create({ ...adyenParams, settings: { merchant_account: 'M', base_url: 'http://10.0.0.5:8123' } }), { class: invalidRequest, code: 'url_invalid', param: 'settings[base_url]', statusCode: 400 });

    const live = await server.liveKeys(server.account.accountId);
    await expectStripeError(create({ ...adyenParams, settings: { merchant_account: 'M', base_url: 'http://127.0.0.1:8123' } }, live.stripe), { class: invalidRequest, code: 'url_invalid', param: 'settings[base_url]', statusCode: 400 });
    await expectStripeError(create(adyenParams, live.stripe), { class: invalidRequest, code: 'parameter_missing', param: 'settings[base_url]', statusCode: 400 });
    await expectStripeError(create({ connector: 'stripe', credentials: { secret_key: stripeSecretKey } }, live.stripe), { class: invalidRequest, code: 'invalid_value', param: 'credentials[secret_key]', statusCode: 400 });
    const liveAdyen = await create({ ...adyenParams, settings: { merchant_account: 'M', base_url: 'https://1797a841fbb37ca7-AdyenDemo-checkout-live.adyenpayments.com/checkout' } }, live.stripe);
    assert.equal(liveAdyen.livemode, true);
    const livePaypal = await create({ connector: 'paypal', credentials: { client_id: paypalClientId, client_secret: paypalClientSecret, webhook_id: paypalWebhookId } }, live.stripe);
    assert.equal(livePaypal.settings.base_url, 'https://api-m.paypal.com');
    const liveStripe = await create({ connector: 'stripe', credentials: { secret_key: 'sk_live_51PayrailLiveKeyForTests0000' } }, live.stripe);
    assert.equal(liveStripe.settings.base_url, 'https://api.stripe.com');

    // Modes are separate: test keys do not see live configurations, and the reverse.
    await expectStripeError(stripe.rawRequest('GET', `${basePath}/${liveAdyen.id}`), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(live.stripe.rawRequest('GET', `${basePath}/${local.id}`), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    const liveList = await live.stripe.rawRequest('GET', basePath);
    assert.deepEqual(new Set(liveList.data.map((item: { id: string }) => item.id)), new Set([liveAdyen.id, livePaypal.id, liveStripe.id]));
  });

  it('lists with filters and pagination', async () => {
    const account = await server.createAccount('list filters');
    const ids: string[] = [];
    for (const enabled of [true, false, true]) ids.push((await create({ connector: 'test_processor', enabled }, account.stripe)).id);
    ids.push((await create({ connector: 'stripe', credentials: { secret_key: stripeSecretKey } }, account.stripe)).id);
    const all = await account.stripe.rawRequest('GET', basePath);
    assert.deepEqual(all.data.map((item: { id: string }) => item.id), [...ids].reverse(), 'newest first');
    const disabled = await account.stripe.rawRequest('GET', `${basePath}?enabled=false`);
    assert.deepEqual(disabled.data.map((item: { id: string }) => item.id), [ids[1]]);
    const processors = await account.stripe.rawRequest('GET', `${basePath}?connector=test_processor&enabled=true`);
    assert.deepEqual(processors.data.map((item: { id: string }) => item.id), [ids[2], ids[0]]);
    const page = await account.stripe.rawRequest('GET', `${basePath}?limit=2&starting_after=${ids[3]}`);
    assert.deepEqual(page.data.map((item: { id: string }) => item.id), [ids[2], ids[1]]);
    assert.equal(page.has_more, true);
    await expectStripeError(account.stripe.rawRequest('GET', `${basePath}?connector=worldpay`), { class: invalidRequest, code: 'invalid_value', param: 'connector', statusCode: 400 });
    const raw = await server.request('GET', `${basePath}?enabled=maybe`, { key: account.secretKey });
    assert.equal(raw.status, 400);
    assert.equal(raw.json.error.param, 'enabled');
  });

  it('keeps each account to its own configurations', async () => {
    const owner = await server.createAccount('owner');
    const other = await server.createAccount('other');
    const configuration = await create(adyenParams, owner.stripe);
    for (const call of [
      () => other.stripe.rawRequest('GET', `${basePath}/${configuration.id}`),
      () => other.stripe.rawRequest('POST', `${basePath}/${configuration.id}`, { enabled: false }),
      () => other.stripe.rawRequest('DELETE', `${basePath}/${configuration.id}`),
    ]) {
      await expectStripeError(call(), { class: invalidRequest, code: 'resource_missing', param: 'id', statusCode: 404 });
    }
    const otherList = await other.stripe.rawRequest('GET', basePath);
    assert.deepEqual(otherList.data, []);
    const unchanged = await owner.stripe.rawRequest('GET', `${basePath}/${configuration.id}`);
    assert.equal(unchanged.enabled, true);
    const publishable = await server.request('GET', basePath, { key: owner.publishableKey });
    assert.equal(publishable.status, 401, 'a publishable key cannot read configurations');
    assert.equal(await enabledConfigurations(server.db, server.deps, { accountId: other.accountId, livemode: false }).then((list) => list.length), 0);
  });

  it('caps the configurations of an account and mode', async () => {
    const account = await server.createAccount('limit');
    const ids: string[] = [];
    for (let index = 0; index < connectorConfigurationsPerAccountMax; index++) ids.push((await create({ connector: 'test_processor' }, account.stripe)).id);
    await expectStripeError(create({ connector: 'test_processor' }, account.stripe), { class: invalidRequest, code: 'connector_configuration_limit_reached', statusCode: 400 });
    await account.stripe.rawRequest('DELETE', `${basePath}/${ids[0]}`);
    const again = await create({ connector: 'test_processor' }, account.stripe);
    assert.equal(again.connector, 'test_processor');
    const live = await server.liveKeys(account.accountId);
    assert.equal((await create({ connector: 'stripe', credentials: { secret_key: `sk_live_${'1'.repeat(24)}`, webhook_secret: stripeWebhookSecret } }, live.stripe)).livemode, true, 'the limit is per mode');
    await expectStripeError(create({ connector: 'test_processor' }, live.stripe), { class: invalidRequest, code: 'invalid_value', statusCode: 400 });
  });

  it('gives routing the enabled configurations decrypted, typed per connector, in priority order', async () => {
    const account = await server.createAccount('routing');
    const scope = { accountId: account.accountId, livemode: false };
    const paypal = await create({ connector: 'paypal', credentials: { client_id: paypalClientId, client_secret: paypalClientSecret, webhook_id: paypalWebhookId }, priority: 20, fees: { eur: { percent_bps: 349, fixed: 35 } } }, account.stripe);
    const adyen = await create({ ...adyenParams, priority: 10, supported_currencies: ['eur'], supported_countries: ['NL'] }, account.stripe);
    const stripeConfiguration = await create({ connector: 'stripe', credentials: { secret_key: stripeSecretKey, webhook_secret: stripeWebhookSecret }, priority: 10 }, account.stripe);
    await create({ connector: 'test_processor', enabled: false }, account.stripe);
    const deleted = await create({ connector: 'test_processor' }, account.stripe);
    await account.stripe.rawRequest('DELETE', `${basePath}/${deleted.id}`);

    const configurations = await enabledConfigurations(server.db, server.deps, scope);
    assert.deepEqual(configurations.map((item) => item.id), [adyen.id, stripeConfiguration.id, paypal.id], 'lower priority first, then oldest; disabled and deleted left out');
    assert.deepEqual(configurations[0], {
      id: adyen.id,
      connection: { connector: 'adyen', config: { baseUrl: 'https://checkout-test.adyen.com', apiKey: adyenApiKey, merchantAccount: 'PayrailECOM', hmacKeyHex: adyenHmacKey } },
      priority: 10,
      supportedCurrencies: ['eur'],
      supportedCountries: ['NL'],
      paymentMethodTypes: ['card'],
      fees: {},
      metadata: {},
    });
    assert.deepEqual(configurations[1].connection, { connector: 'stripe', config: { baseUrl: 'https://api.stripe.com', apiKey: stripeSecretKey, webhookSecrets: [stripeWebhookSecret] } });
    assert.deepEqual(configurations[2].connection, { connector: 'paypal', config: { baseUrl: 'https://api-m.sandbox.paypal.com', clientId: paypalClientId, clientSecret: paypalClientSecret, webhookId: paypalWebhookId } });
    assert.deepEqual(configurations[2].fees, { eur: { percent_bps: 349, fixed: 35 } });

    // The ciphertext is bound to its row: moved to another configuration, it no longer decrypts.
    await server.db.query('UPDATE connector_configurations SET credentials_encrypted = (SELECT credentials_encrypted FROM connector_configurations WHERE id = $1) WHERE id = $2', [adyen.id, stripeConfiguration.id]);
    await assert.rejects(enabledConfigurations(server.db, server.deps, scope));
  });

  it('lets webhook endpoints subscribe to configuration events', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'https://merchant.example.com/webhooks',
      enabled_events: ['payrail.connector_configuration.created', 'payrail.connector_configuration.updated', 'payrail.connector_configuration.deleted'] as unknown as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
    });
    assert.equal(endpoint.enabled_events.length, 3);
    const configuration = await create({ connector: 'test_processor' });
    const deliveries = await server.db.query(
      "SELECT d.status FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.endpoint_id = $1 AND e.data->'object'->>'id' = $2", [endpoint.id, configuration.id],
    );
    assert.deepEqual(deliveries.rows.map((row) => row.status), ['pending'], 'the created event is queued for the endpoint');
  });
});
