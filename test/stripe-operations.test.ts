import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import ajvDefault from 'ajv';
import Stripe from 'stripe';
import { incrementAuthorization, NotSupported, type Connector } from '../src/connectors/connector.ts';
import { TestProcessor } from '../src/connectors/test-processor/connector.ts';
import { availabilityEntry, captureMovement } from '../src/ledger/movements.ts';
import { availableBalance, merchantBalance, writeMovement } from '../src/ledger/service.ts';
import { verifyLedger } from '../src/ledger/verify.ts';
import { secondsPerDay } from '../src/platform/clock.ts';
import { inTransaction } from '../src/platform/db.ts';
import { randomBase62 } from '../src/platform/ids.ts';
import { advancePayouts } from '../src/payouts/jobs.ts';
import { stripeSpecPath } from '../src/webhooks/stripe-spec.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;
const cardError = Stripe.errors.StripeCardError;

/** Parameters with `payment_method_types`, which Payrail takes (as Stripe's API 2024-04-10); the SDK's newer types omit it. */
/**
 * Validates objects against a component schema of Stripe's spec3.json (OpenAPI 3.0: `nullable` becomes a null type),
 * or undefined when the spec is not beside the repository.
 */
function stripeSchemas(): ((name: string, value: unknown) => void) | undefined {
  if (!fs.existsSync(stripeSpecPath)) return undefined;
  const components = JSON.parse(fs.readFileSync(stripeSpecPath, 'utf8')).components;
  const allowNull = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(allowNull);
    if (!node || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    Object.values(schema).forEach(allowNull);
    if (schema.nullable !== true) return;
    delete schema.nullable;
    if (Array.isArray(schema.anyOf)) schema.anyOf.push({ type: 'null' });
    else if (schema.type !== undefined) {
      schema.type = [schema.type, 'null'];
      if (Array.isArray(schema.enum)) schema.enum.push(null);
    }
  };
  allowNull(components);
  const ajv = new ajvDefault.default({ strict: false, allErrors: true, logger: false, formats: { 'unix-time': true, decimal: true } });
  ajv.addSchema({ components }, 'stripe');
  return (name, value) => {
    const validate = ajv.getSchema(`stripe#/components/schemas/${name}`);
    assert.ok(validate, name);
    assert.ok(validate(JSON.parse(JSON.stringify(value))), `${name}: ${JSON.stringify(validate.errors?.slice(0, 5))}`);
  };
}

function withTypes<T extends object>(params: T, types: string[]): T {
  return { ...params, payment_method_types: types } as T;
}

/**
 * Stripe operations and parameters Payrail lacked (issue 11), each through the official SDK: what Stripe accepts is
 * accepted, stored, rendered in Stripe's shape and acted on.
 */
describe('Stripe operations and parameters through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  async function eventsOf(id: string): Promise<{ type: string; previous: Record<string, unknown> | null }[]> {
    const result = await server.db.query("SELECT type, data->'previous_attributes' AS previous FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq", [id]);
    return result.rows;
  }

  async function authorized(account: TestAccount, currency = 'usd'): Promise<number> {
    const balance = await merchantBalance(server.db, { accountId: account.accountId, livemode: false }, currency);
    return balance.authorized.find((entry) => entry.currency === currency)?.amount ?? 0;
  }

  async function available(account: TestAccount, currency = 'usd'): Promise<number> {
    return (await availableBalance(server.db, { accountId: account.accountId, livemode: false }, currency)) + 0;
  }

  async function inTransit(account: TestAccount, currency = 'usd'): Promise<number> {
    const balance = await merchantBalance(server.db, { accountId: account.accountId, livemode: false }, currency);
    return balance.in_transit.find((entry) => entry.currency === currency)?.amount ?? 0;
  }

  /** Available funds, written as a balanced capture-then-availability movement (as test/payouts.test.ts does). */
  async function fund(account: TestAccount, amount: number, currency = 'usd'): Promise<void> {
    const scope = { accountId: account.accountId, livemode: false };
    const now = server.clock.nowSeconds();
    const capture = captureMovement(scope, { id: `ch_${randomBase62(24)}`, amount, currency, description: null }, {
      currency, amount, settlementCurrency: currency, settlementAmount: amount, exchangeRate: null, fee: 0, feeDetails: [], availableOn: now,
    }, null, now);
    capture.balanceTransactions[0].status = 'available';
    await inTransaction(server.db, (client) => writeMovement(client, { entries: [...capture.entries, availabilityEntry(scope, currency, amount, now)], balanceTransactions: capture.balanceTransactions }));
  }

  async function assertLedgerVerifies(): Promise<void> {
    const report = await verifyLedger(server.db);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
  }

  /** A manual-capture card intent authorized for `amount`, asking for incremental authorization. */
  async function incrementable(account: TestAccount, amount: number, paymentMethod = 'pm_card_visa'): Promise<Stripe.PaymentIntent> {
    return account.stripe.paymentIntents.create({
      amount, currency: 'usd', payment_method: paymentMethod, confirm: true, capture_method: 'manual',
      payment_method_options: { card: { request_incremental_authorization: 'if_available' } }, expand: ['latest_charge'],
    });
  }

  describe('PaymentIntent parameters', () => {
    const shipping = {
      address: { line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' },
      name: 'Jenny Rosen',
      carrier: 'UPS',
      tracking_number: '1Z999',
    };

    it('enables automatic payment methods when no payment_method_types are given (API 2023-08-16), and not when they are', async () => {
      const automatic = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      assert.deepEqual(automatic.automatic_payment_methods, { allow_redirects: 'always', enabled: true });
      assert.deepEqual(automatic.payment_method_types, ['card']);
      const never = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
      assert.deepEqual(never.automatic_payment_methods, { allow_redirects: 'never', enabled: true });
      const named = await stripe.paymentIntents.create(withTypes({ amount: 1000, currency: 'usd' }, ['card']));
      assert.equal(named.automatic_payment_methods, null);
      const disabled = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', automatic_payment_methods: { enabled: false } });
      assert.equal(disabled.automatic_payment_methods, null);
      await expectStripeError(
        stripe.paymentIntents.create(withTypes({ amount: 1000, currency: 'usd', automatic_payment_methods: { enabled: true } }, ['card'])),
        { class: invalidRequest, code: 'parameters_exclusive', param: 'automatic_payment_methods', statusCode: 400 },
      );
      await expectStripeError(
        stripe.paymentIntents.create({ amount: 1000, currency: 'usd', automatic_payment_methods: { allow_redirects: 'never' } as unknown as { enabled: boolean } }),
        { class: invalidRequest, code: 'parameter_missing', param: 'automatic_payment_methods[enabled]', statusCode: 400 },
      );
      const updated = await stripe.paymentIntents.update(automatic.id, withTypes({}, ['card']));
      assert.equal(updated.automatic_payment_methods, null, 'naming the types replaces the automatic choice');
      const confirmed = await stripe.paymentIntents.confirm(never.id, { payment_method: 'pm_card_visa' });
      assert.equal(confirmed.status, 'succeeded');
    });

    it("stores shipping as Stripe renders it, copies it to the charge, and updates or clears it", async () => {
      const created = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', shipping, payment_method: 'pm_card_visa' });
      const expected = { address: { city: 'Springfield', country: 'US', line1: '1 Main St', line2: null, postal_code: '12345', state: null }, carrier: 'UPS', name: 'Jenny Rosen', phone: null, tracking_number: '1Z999' };
      assert.deepEqual(created.shipping, expected);
      const confirmed = await stripe.paymentIntents.confirm(created.id, { shipping: { ...shipping, tracking_number: '1Z000' }, expand: ['latest_charge'] });
      assert.equal(confirmed.shipping?.tracking_number, '1Z000');
      assert.deepEqual((confirmed.latest_charge as Stripe.Charge).shipping, { ...expected, tracking_number: '1Z000' });
      const other = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', shipping });
      const cleared = await stripe.paymentIntents.update(other.id, { shipping: '' });
      assert.equal(cleared.shipping, null);
      const set = await stripe.paymentIntents.update(other.id, { shipping: { address: { country: 'FR' }, name: 'Jean', phone: '+33100000000' } });
      assert.equal(set.shipping?.name, 'Jean');
      assert.equal(set.shipping?.address?.country, 'FR');
      assert.equal(set.shipping?.phone, '+33100000000');
      await expectStripeError(
        stripe.paymentIntents.create({ amount: 1000, currency: 'usd', shipping: { address: { country: 'US' } } as Stripe.PaymentIntentCreateParams.Shipping }),
        { class: invalidRequest, code: 'parameter_missing', param: 'shipping[name]', statusCode: 400 },
      );
    });

    it('stores card payment_method_options and renders them; capture_method=manual for cards authorizes only', async () => {
      const created = await stripe.paymentIntents.create({
        amount: 3000, currency: 'usd', payment_method: 'pm_card_visa',
        payment_method_options: { card: { capture_method: 'manual', request_three_d_secure: 'automatic', request_incremental_authorization: 'if_available' } },
      });
      assert.equal(created.payment_method_options?.card?.capture_method, 'manual');
      assert.equal(created.payment_method_options?.card?.request_three_d_secure, 'automatic');
      assert.equal(created.payment_method_options?.card?.request_incremental_authorization, 'if_available');
      assert.equal(created.capture_method, 'automatic', 'the top-level capture method stays as given');
      const confirmed = await stripe.paymentIntents.confirm(created.id);
      assert.equal(confirmed.status, 'requires_capture', 'the card option made the card payment manual-capture');
      assert.equal(confirmed.amount_capturable, 3000);

      const updated = await stripe.paymentIntents.update((await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method_options: { card: { capture_method: 'manual' } } })).id, {
        payment_method_options: { card: { capture_method: '', setup_future_usage: 'off_session' } },
      });
      assert.equal(updated.payment_method_options?.card?.capture_method, undefined, "'' removes the option");
      assert.equal(updated.payment_method_options?.card?.setup_future_usage, 'off_session');
      await expectStripeError(
        stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_options: { card: { request_three_d_secure: 'sometimes' as 'any' } } }),
        { class: invalidRequest, code: 'invalid_value', param: 'payment_method_options[card][request_three_d_secure]', statusCode: 400 },
      );
    });

    it('request_three_d_secure=any asks for 3-D Secure on a card that would not need it', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, return_url: 'https://merchant.example.com/done',
        payment_method_options: { card: { request_three_d_secure: 'any' } },
      });
      assert.equal(intent.status, 'requires_action');
      assert.equal(intent.next_action?.type, 'redirect_to_url');
    });

    it("payment_method_options[card][setup_future_usage] saves the card for the customer, and 'none' overrides the intent's", async () => {
      const customer = await stripe.customers.create({ name: 'Saver' });
      const saved = await stripe.paymentIntents.create({
        amount: 1000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, payment_method_options: { card: { setup_future_usage: 'off_session' } },
      });
      assert.equal(saved.status, 'succeeded');
      assert.equal((await stripe.paymentMethods.retrieve(saved.payment_method as string)).customer, customer.id);
      const notSaved = await stripe.paymentIntents.create({
        amount: 1000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, setup_future_usage: 'off_session',
        payment_method_options: { card: { setup_future_usage: 'none' } },
      });
      assert.equal(notSaved.status, 'succeeded');
      assert.equal((await stripe.paymentMethods.retrieve(notSaved.payment_method as string)).customer, null);
    });
  });

  describe('customers', () => {
    it('attaches payment_method at creation and takes invoice_settings', async () => {
      const paymentMethod = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } });
      const customer = await stripe.customers.create({
        name: 'Invoice', payment_method: paymentMethod.id,
        invoice_settings: { default_payment_method: paymentMethod.id, footer: 'Thank you', custom_fields: [{ name: 'VAT', value: 'FR123' }] },
      });
      assert.deepEqual(customer.invoice_settings, { custom_fields: [{ name: 'VAT', value: 'FR123' }], default_payment_method: paymentMethod.id, footer: 'Thank you', rendering_options: null });
      assert.equal((await stripe.paymentMethods.retrieve(paymentMethod.id)).customer, customer.id);
      assert.deepEqual((await eventsOf(paymentMethod.id)).map((event) => event.type), ['payment_method.attached']);

      const expanded = await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method'] }) as Stripe.Customer;
      assert.equal((expanded.invoice_settings.default_payment_method as Stripe.PaymentMethod).id, paymentMethod.id);
      await expectStripeError(stripe.customers.retrieve(customer.id, { expand: ['invoice_settings'] }), { class: invalidRequest, code: 'invalid_expand', statusCode: 400 });

      const updated = await stripe.customers.update(customer.id, { invoice_settings: { footer: '', custom_fields: '' } });
      assert.deepEqual(updated.invoice_settings, { custom_fields: null, default_payment_method: paymentMethod.id, footer: null, rendering_options: null });

      // Detaching the default clears it, as at Stripe.
      await stripe.paymentMethods.detach(paymentMethod.id);
      assert.equal((await stripe.customers.retrieve(customer.id) as Stripe.Customer).invoice_settings.default_payment_method, null);

      const stranger = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } });
      await expectStripeError(
        stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: stranger.id } }),
        { class: invalidRequest, code: 'invalid_value', param: 'invoice_settings[default_payment_method]', statusCode: 400 },
      );
      await expectStripeError(
        stripe.customers.create({ payment_method: 'pm_missing' }),
        { class: invalidRequest, code: 'resource_missing', param: 'payment_method', statusCode: 404 },
      );
      await expectStripeError(
        stripe.customers.create({ invoice_settings: { custom_fields: Array.from({ length: 5 }, (_, index) => ({ name: `f${index}`, value: 'v' })) } }),
        { class: invalidRequest, code: 'invalid_value', param: 'invoice_settings[custom_fields]', statusCode: 400 },
      );
    });

    it("retrieves a customer's PaymentMethod, and 404s one that is not that customer's", async () => {
      const customer = await stripe.customers.create({ name: 'Owner' });
      const other = await stripe.customers.create({ name: 'Other' });
      const paymentMethod = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
      const found = await stripe.customers.retrievePaymentMethod(customer.id, paymentMethod.id);
      assert.equal(found.id, paymentMethod.id);
      assert.equal(found.customer, customer.id);
      const expanded = await stripe.customers.retrievePaymentMethod(customer.id, paymentMethod.id, { expand: ['customer'] });
      assert.equal((expanded.customer as Stripe.Customer).id, customer.id);
      await expectStripeError(stripe.customers.retrievePaymentMethod(other.id, paymentMethod.id), { class: invalidRequest, code: 'resource_missing', param: 'payment_method', statusCode: 404 });
      await expectStripeError(stripe.customers.retrievePaymentMethod('cus_missing', paymentMethod.id), { class: invalidRequest, code: 'resource_missing', param: 'customer', statusCode: 404 });
      const unattached = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } });
      await expectStripeError(stripe.customers.retrievePaymentMethod(customer.id, unattached.id), { class: invalidRequest, code: 'resource_missing', param: 'payment_method', statusCode: 404 });
    });

    it("lists the account's PaymentMethods without customer, by type", async () => {
      const account = await server.createAccount('listing');
      const card = await account.stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } });
      const wallet = await account.stripe.paymentMethods.create({ type: 'paypal' });
      const customer = await account.stripe.customers.create({ payment_method: card.id });
      const all = await account.stripe.paymentMethods.list();
      assert.deepEqual(all.data.map((row) => row.id), [wallet.id, card.id]);
      assert.equal(all.url, '/v1/payment_methods');
      const cards = await account.stripe.paymentMethods.list({ type: 'card' });
      assert.deepEqual(cards.data.map((row) => row.id), [card.id]);
      const ofCustomer = await account.stripe.paymentMethods.list({ customer: customer.id });
      assert.deepEqual(ofCustomer.data.map((row) => row.id), [card.id]);
    });
  });

  describe('balance history', () => {
    it('serves balance transactions at the older /v1/balance/history path', async () => {
      const account = await server.createAccount('history');
      const intent = await account.stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, expand: ['latest_charge'] });
      const transactionId = (intent.latest_charge as Stripe.Charge).balance_transaction as string;
      const list = await account.stripe.rawRequest('GET', '/v1/balance/history?limit=5', null as unknown as Record<string, unknown>);
      assert.equal(list.object, 'list');
      assert.equal(list.url, '/v1/balance_transactions', 'the list names the current path, as Stripe\'s spec says of both');
      assert.deepEqual((list.data as { id: string }[]).map((row) => row.id), [transactionId]);
      const same = await account.stripe.balanceTransactions.list({ limit: 5 });
      assert.deepEqual(list.data, same.data as unknown);
      const one = await account.stripe.rawRequest('GET', `/v1/balance/history/${transactionId}?expand[]=source`, null as unknown as Record<string, unknown>);
      assert.equal(one.id, transactionId);
      assert.equal((one.source as { id: string }).id, (intent.latest_charge as Stripe.Charge).id);
      await expectStripeError(account.stripe.rawRequest('GET', '/v1/balance/history/txn_missing', null as unknown as Record<string, unknown>), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
      await expectStripeError(account.stripe.rawRequest('GET', '/v1/balance/history?type=Charge!', null as unknown as Record<string, unknown>), { class: invalidRequest, param: 'type', statusCode: 400 });
    });
  });

  describe('webhook endpoints', () => {
    it("subscribe to Stripe event types Payrail does not emit yet", async () => {
      const endpoint = await stripe.webhookEndpoints.create({ url: 'https://merchant.example.com/hooks', enabled_events: ['payment_intent.processing', 'payment_intent.partially_funded', 'invoice.paid'] });
      assert.deepEqual(endpoint.enabled_events, ['payment_intent.processing', 'payment_intent.partially_funded', 'invoice.paid']);
      await expectStripeError(
        stripe.webhookEndpoints.update(endpoint.id, { enabled_events: ['payment_intent.exploded' as 'payment_intent.processing'] }),
        { class: invalidRequest, code: 'invalid_value', param: 'enabled_events[0]', statusCode: 400 },
      );
    });
  });

  describe('POST /v1/payment_intents/:id/increment_authorization', () => {
    it('grows the authorization, the charge and the ledger hold to the new total, then captures it', async () => {
      const account = await server.createAccount('increment');
      const intent = await incrementable(account, 1000);
      assert.equal(intent.status, 'requires_capture');
      const charge = intent.latest_charge as Stripe.Charge;
      assert.deepEqual(charge.payment_method_details?.card?.incremental_authorization, { status: 'available' });
      assert.equal(await authorized(account), 1000);

      const incremented = await account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 1500, metadata: { reason: 'minibar' } });
      assert.equal(incremented.amount, 1500);
      assert.equal(incremented.amount_capturable, 1500);
      assert.equal(incremented.status, 'requires_capture');
      assert.deepEqual(incremented.metadata, { reason: 'minibar' });
      const grown = await account.stripe.charges.retrieve(charge.id);
      assert.equal(grown.amount, 1500);
      assert.equal(grown.payment_method_details?.card?.amount_authorized, 1500);
      assert.equal(await authorized(account), 1500, 'the hold grew in the same transaction');
      const events = await eventsOf(intent.id);
      assert.deepEqual(events.at(-1), { type: 'payment_intent.amount_capturable_updated', previous: { amount: 1000, amount_capturable: 1000 } });

      const again = await account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 2200 });
      assert.equal(again.amount, 2200);
      const captured = await account.stripe.paymentIntents.capture(intent.id);
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 2200);
      assert.equal(await authorized(account), 0, 'the capture released the grown hold');
      await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 3000 }), { class: invalidRequest, code: 'payment_intent_unexpected_state', statusCode: 400 });
      await assertLedgerVerifies();
    });

    it('answers a decline with 402 card_declined and changes nothing else', async () => {
      const account = await server.createAccount('increment decline');
      const intent = await incrementable(account, 1000);
      // The test processor declines new totals ending in 05 (Stripe Terminal's test amounts).
      const declined = await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 2005 }), { class: cardError, type: 'card_error', code: 'card_declined', statusCode: 402 });
      assert.equal((declined.raw as { decline_code?: string }).decline_code, 'generic_decline');
      assert.equal((declined.raw as { payment_intent?: { id: string; amount: number } }).payment_intent?.amount, 1000);
      const after = await account.stripe.paymentIntents.retrieve(intent.id);
      assert.equal(after.amount, 1000);
      assert.equal(after.amount_capturable, 1000);
      assert.equal(after.last_payment_error, null);
      assert.equal(await authorized(account), 1000);
      assert.equal((await account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 1200 })).amount, 1200, 'still incrementable after a decline');
    });

    it('allows 10 attempts, declines included', async () => {
      const account = await server.createAccount('increment limit');
      const intent = await incrementable(account, 1000);
      for (let attempt = 1; attempt <= 10; attempt += 1) {
        await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 1000 + attempt * 100 + 5 }), { class: cardError, code: 'card_declined', statusCode: 402 });
      }
      await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 5000 }), { class: invalidRequest, code: 'incremental_authorization_unavailable', statusCode: 400 });
    });

    it('refuses ineligible intents and amounts that do not grow the authorization', async () => {
      const account = await server.createAccount('increment refusals');
      const plain = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual', expand: ['latest_charge'] });
      assert.deepEqual((plain.latest_charge as Stripe.Charge).payment_method_details?.card?.incremental_authorization, { status: 'unavailable' });
      await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(plain.id, { amount: 1500 }), { class: invalidRequest, code: 'incremental_authorization_unavailable', statusCode: 400 });
      // Only Visa, Mastercard and Discover authorizations can be incremented.
      const amex = await incrementable(account, 1000, 'pm_card_amex');
      assert.deepEqual((amex.latest_charge as Stripe.Charge).payment_method_details?.card?.incremental_authorization, { status: 'unavailable' });
      const mastercard = await incrementable(account, 1000, 'pm_card_mastercard');
      assert.deepEqual((mastercard.latest_charge as Stripe.Charge).payment_method_details?.card?.incremental_authorization, { status: 'available' });
      await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(mastercard.id, { amount: 1000 }), { class: invalidRequest, code: 'invalid_value', param: 'amount', statusCode: 400 });
      await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(mastercard.id, { amount: 900 }), { class: invalidRequest, code: 'invalid_value', param: 'amount', statusCode: 400 });
      await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(mastercard.id, {} as { amount: number }), { class: invalidRequest, code: 'parameter_missing', param: 'amount', statusCode: 400 });
      const automatic = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, payment_method_options: { card: { request_incremental_authorization: 'if_available' } } });
      await expectStripeError(account.stripe.paymentIntents.incrementAuthorization(automatic.id, { amount: 1500 }), { class: invalidRequest, code: 'payment_intent_unexpected_state', statusCode: 400 });
      await expectStripeError(account.stripe.paymentIntents.incrementAuthorization('pi_missing', { amount: 1500 }), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    });

    it('never over-authorizes under concurrent increments', async () => {
      const account = await server.createAccount('increment race');
      const intent = await incrementable(account, 1000);
      const totals = [1100, 1400, 1200, 1500, 1300, 1450];
      const results = await Promise.allSettled(totals.map((amount) => account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount })));
      const succeeded = results.flatMap((result, index) => (result.status === 'fulfilled' ? [totals[index]] : []));
      for (const result of results) {
        if (result.status === 'rejected') assert.equal((result.reason as Stripe.errors.StripeError).code, 'invalid_value', 'only refused for not growing the total');
      }
      assert.ok(succeeded.includes(1500), 'the largest total is always granted');
      const final = await account.stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
      assert.equal(final.amount, 1500);
      assert.equal(final.amount_capturable, 1500);
      assert.equal((final.latest_charge as Stripe.Charge).amount, 1500);
      assert.equal(await authorized(account), 1500, 'one hold of the final total, whatever the order');
      await assertLedgerVerifies();
    });

    it('is an optional connector flow: a connector without it throws NotSupported', async () => {
      // A connector that implements only the required flows (none of which this call touches).
      const withoutFlow = { name: 'minimal' } as Connector;
      const input = { incrementId: 'ch_1.increment.2000', attemptId: 'ch_1', processorReference: 'ref', amount: 2000, currency: 'usd' };
      assert.throws(() => incrementAuthorization(withoutFlow, input), NotSupported);
      assert.deepEqual(await incrementAuthorization(new TestProcessor(), { ...input, amount: 2005 }), {
        status: 'declined', decline: { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.', blocked: false, networkStatus: 'declined_by_network' },
      });
      assert.deepEqual(await incrementAuthorization(new TestProcessor(), input), { status: 'authorized', amount: 2000 });
    });
  });

  describe('POST /v1/payouts/:id/reverse', () => {
    async function paidPayout(account: TestAccount, amount: number): Promise<Stripe.Payout> {
      const payout = await account.stripe.payouts.create({ amount, currency: 'usd', description: 'Weekly' });
      await advancePayouts(server.deps);
      server.clock.advance(3 * secondsPerDay);
      await advancePayouts(server.deps);
      const paid = await account.stripe.payouts.retrieve(payout.id);
      assert.equal(paid.status, 'paid');
      return paid;
    }

    it('reverses a paid payout with a payout of the opposite amount that returns the money to the balance', async () => {
      const account = await server.createAccount('reverse');
      await account.stripe.accounts.createExternalAccount(account.accountId, { external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } });
      await fund(account, 10_000);
      const pending = await account.stripe.payouts.create({ amount: 1_000, currency: 'usd' });
      await expectStripeError(account.stripe.payouts.reverse(pending.id), { class: invalidRequest, code: 'payout_unexpected_state', statusCode: 400 });
      await account.stripe.payouts.cancel(pending.id);
      const paid = await paidPayout(account, 4_000);
      assert.equal(await available(account), 6_000);

      const reversal = await account.stripe.payouts.reverse(paid.id, { metadata: { ticket: 'R-1' } });
      assert.match(reversal.id, /^po_/);
      assert.equal(reversal.amount, -4_000);
      assert.equal(reversal.original_payout, paid.id);
      assert.equal(reversal.reversed_by, null);
      assert.equal(reversal.status, 'pending');
      assert.equal(reversal.destination, paid.destination);
      assert.deepEqual(reversal.metadata, { ticket: 'R-1' });
      assert.equal(await available(account), 10_000, 'the money is back in the available balance');
      const original = await account.stripe.payouts.retrieve(paid.id, { expand: ['reversed_by'] });
      assert.equal((original.reversed_by as Stripe.Payout).id, reversal.id);
      assert.equal((await account.stripe.payouts.retrieve(reversal.id, { expand: ['original_payout'] }) as unknown as { original_payout: { id: string } }).original_payout.id, paid.id);
      const transaction = await account.stripe.balanceTransactions.retrieve(reversal.balance_transaction as string);
      assert.equal(transaction.amount, 4_000);
      assert.equal(transaction.type, 'payout');
      assert.deepEqual((await eventsOf(paid.id)).map((event) => event.type), ['payout.created', 'payout.updated', 'payout.paid', 'payout.updated']);
      assert.deepEqual((await eventsOf(paid.id)).at(-1)?.previous, { reversed_by: null });
      assert.deepEqual((await eventsOf(reversal.id)).map((event) => event.type), ['payout.created']);

      await expectStripeError(account.stripe.payouts.reverse(paid.id), { class: invalidRequest, code: 'payout_unexpected_state', statusCode: 400 });
      // The debit goes through the payout job like any payout.
      await advancePayouts(server.deps);
      server.clock.advance(3 * secondsPerDay);
      await advancePayouts(server.deps);
      assert.equal((await account.stripe.payouts.retrieve(reversal.id)).status, 'paid');
      assert.equal(await inTransit(account), 0);
      assert.equal(await available(account), 10_000);
      await expectStripeError(account.stripe.payouts.reverse(reversal.id), { class: invalidRequest, code: 'payout_unexpected_state', statusCode: 400 });
      await assertLedgerVerifies();
    });

    it('refuses payouts to banks outside the US and Canada, and those that arrived over 90 days ago', async () => {
      const account = await server.createAccount('reverse refusals');
      await account.stripe.accounts.createExternalAccount(account.accountId, { external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } });
      await account.stripe.accounts.createExternalAccount(account.accountId, { external_account: { object: 'bank_account', country: 'DE', currency: 'eur', account_number: 'DE89370400440532013000' } });
      await fund(account, 5_000, 'usd');
      await fund(account, 5_000, 'eur');
      const euros = await account.stripe.payouts.create({ amount: 1_000, currency: 'eur' });
      const dollars = await paidPayout(account, 1_000);
      assert.equal((await account.stripe.payouts.retrieve(euros.id)).status, 'paid');
      await expectStripeError(account.stripe.payouts.reverse(euros.id), { class: invalidRequest, code: 'country_unsupported', statusCode: 400 });
      server.clock.advance(91 * secondsPerDay);
      await expectStripeError(account.stripe.payouts.reverse(dollars.id), { class: invalidRequest, code: 'payout_unexpected_state', statusCode: 400 });
      await expectStripeError(account.stripe.payouts.reverse('po_missing'), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    });
  });

  describe('POST /v1/refunds/:id/cancel', () => {
    it("refuses refunds that are not in requires_action, as Stripe does", async () => {
      const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 500 });
      assert.equal(refund.status, 'succeeded');
      const refused = await expectStripeError(stripe.refunds.cancel(refund.id), { class: invalidRequest, code: 'refund_unexpected_state', param: 'refund', statusCode: 400 });
      assert.match(refused.message, /requires_action/);
      assert.equal((await stripe.refunds.retrieve(refund.id)).status, 'succeeded');
      // A pending refund has reached the processor: it cannot be canceled either.
      const refundFails = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000005126', exp_month: 12, exp_year: 2040, cvc: '123' } });
      const paid = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: refundFails.id, confirm: true });
      const pending = await stripe.refunds.create({ payment_intent: paid.id });
      assert.equal(pending.status, 'pending');
      await expectStripeError(stripe.refunds.cancel(pending.id), { class: invalidRequest, code: 'refund_unexpected_state', statusCode: 400 });
      assert.equal((await stripe.refunds.retrieve(pending.id)).status, 'pending');
      await expectStripeError(stripe.refunds.cancel('re_missing'), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
    });

    it('cancels a refund in requires_action and returns its money to the balance with a reversing entry', async () => {
      const account = await server.createAccount('refund cancel');
      const intent = await account.stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const refund = await account.stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
      const before = await available(account);
      // No Payrail connector answers a card refund with requires_action (only payment methods that need the customer
      // do), so the state is set here as such a connector would leave it.
      await server.db.query("UPDATE refunds SET status = 'requires_action' WHERE id = $1", [refund.id]);
      const canceled = await account.stripe.refunds.cancel(refund.id);
      assert.equal(canceled.status, 'canceled');
      assert.match(canceled.failure_balance_transaction as string, /^txn_/);
      const reversal = await account.stripe.balanceTransactions.retrieve(canceled.failure_balance_transaction as string);
      assert.equal(reversal.type, 'refund_failure');
      assert.equal(reversal.amount, 1000);
      assert.equal(await available(account), before + 1000);
      const charge = await account.stripe.charges.retrieve(intent.latest_charge as string);
      assert.equal(charge.amount_refunded, 0);
      assert.deepEqual((await eventsOf(refund.id)).map((event) => event.type), ['refund.created', 'refund.updated', 'charge.refund.updated']);
      await expectStripeError(account.stripe.refunds.cancel(refund.id), { class: invalidRequest, code: 'refund_unexpected_state', statusCode: 400 });
      // The whole amount can be refunded again.
      assert.equal((await account.stripe.refunds.create({ payment_intent: intent.id })).amount, 3000);
      await assertLedgerVerifies();
    });
  });

  describe('charge refunds', () => {
    it("leaves refunds out of a charge unless expanded, and expands them on retrieve, lists and nested paths", async () => {
      const account = await server.createAccount('charge refunds');
      const intent = await account.stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const chargeId = intent.latest_charge as string;
      const first = await account.stripe.refunds.create({ charge: chargeId, amount: 500 });
      const second = await account.stripe.refunds.create({ charge: chargeId, amount: 700 });
      const plain = await account.stripe.charges.retrieve(chargeId);
      assert.equal('refunds' in plain, false);
      const expanded = await account.stripe.charges.retrieve(chargeId, { expand: ['refunds'] });
      assert.equal(expanded.refunds?.object, 'list');
      assert.deepEqual(expanded.refunds?.data.map((refund) => refund.id), [second.id, first.id]);
      assert.equal(expanded.refunds?.has_more, false);
      assert.equal(expanded.refunds?.url, `/v1/charges/${chargeId}/refunds`);
      const list = await account.stripe.charges.list({ expand: ['data.refunds'] });
      assert.deepEqual(list.data[0].refunds?.data.map((refund) => refund.id), [second.id, first.id]);
      const nested = await account.stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge.refunds'] });
      assert.equal((nested.latest_charge as Stripe.Charge).refunds?.data.length, 2);
      await expectStripeError(account.stripe.charges.retrieve(chargeId, { expand: ['refunds.charge'] }), { class: invalidRequest, code: 'invalid_expand', statusCode: 400 });

      const atUrl = await account.stripe.rawRequest('GET', `/v1/charges/${chargeId}/refunds?limit=1`, null as unknown as Record<string, unknown>);
      assert.deepEqual((atUrl.data as { id: string }[]).map((refund) => refund.id), [second.id]);
      assert.equal(atUrl.has_more, true);
      const one = await account.stripe.rawRequest('GET', `/v1/charges/${chargeId}/refunds/${first.id}`, null as unknown as Record<string, unknown>);
      assert.equal(one.id, first.id);
      const otherCharge = (await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true })).latest_charge as string;
      await expectStripeError(account.stripe.rawRequest('GET', `/v1/charges/${otherCharge}/refunds/${first.id}`, null as unknown as Record<string, unknown>), { class: invalidRequest, code: 'resource_missing', statusCode: 404 });
      await expectStripeError(account.stripe.rawRequest('GET', '/v1/charges/ch_missing/refunds', null as unknown as Record<string, unknown>), { class: invalidRequest, code: 'resource_missing', param: 'charge', statusCode: 404 });
    });
  });

  describe("Stripe's shapes", () => {
    it('renders the new and changed objects as spec3.json describes them', async (context) => {
      const check = stripeSchemas();
      if (!check) {
        context.skip(`Stripe's spec is not at ${stripeSpecPath}`);
        return;
      }
      const account = await server.createAccount('shapes');
      const intent = await account.stripe.paymentIntents.create({
        amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual',
        shipping: { address: { line1: '1 Main St' }, name: 'Jenny Rosen' },
        payment_method_options: { card: { request_incremental_authorization: 'if_available', request_three_d_secure: 'automatic', setup_future_usage: 'none' } },
      });
      check('payment_intent', intent);
      check('payment_intent', await account.stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 1500 }));
      await account.stripe.paymentIntents.capture(intent.id);
      const refund = await account.stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
      check('charge', await account.stripe.charges.retrieve(intent.latest_charge as string, { expand: ['refunds'] }));
      await server.db.query("UPDATE refunds SET status = 'requires_action' WHERE id = $1", [refund.id]);
      check('refund', await account.stripe.refunds.cancel(refund.id));
      const paymentMethod = await account.stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } });
      const customer = await account.stripe.customers.create({ payment_method: paymentMethod.id, invoice_settings: { default_payment_method: paymentMethod.id, custom_fields: [{ name: 'VAT', value: 'FR1' }], footer: 'Thanks' } });
      check('customer', customer);
      check('payment_method', await account.stripe.customers.retrievePaymentMethod(customer.id, paymentMethod.id));
      check('balance_transaction', (await server.request('GET', '/v1/balance/history', { key: account.secretKey })).json.data[0]);
      await account.stripe.accounts.createExternalAccount(account.accountId, { external_account: { object: 'bank_account', country: 'US', currency: 'usd', account_number: '000123456789', routing_number: '110000000' } });
      await fund(account, 5_000);
      const payout = await account.stripe.payouts.create({ amount: 2_000, currency: 'usd' });
      await advancePayouts(server.deps);
      server.clock.advance(3 * secondsPerDay);
      await advancePayouts(server.deps);
      const reversal = await account.stripe.payouts.reverse(payout.id);
      check('payout', reversal);
      check('payout', await account.stripe.payouts.retrieve(payout.id));
    });
  });
});
