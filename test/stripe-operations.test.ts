import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const invalidRequest = Stripe.errors.StripeInvalidRequestError;

/** Parameters with `payment_method_types`, which Payrail takes (as Stripe's API 2024-04-10); the SDK's newer types omit it. */
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
      assert.equal(list.url, '/v1/balance/history');
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
});
