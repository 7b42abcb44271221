import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { KeyResolver } from '../src/api-keys/resolver.ts';
import { sha256 } from '../src/platform/crypto.ts';
import { stripeErrorOf as sdkError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/**
 * Accounts and modes are separate worlds. Another account's object (or the other mode's) is answered exactly like an
 * object that does not exist: 404 resource_missing, never 403 and never the object. Publishable keys only tokenize.
 */

const card = { number: '4242424242424242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: '123' };
/** A card that is not one of Stripe's test cards (Luhn-valid Visa): live mode refuses the test cards. */
const liveCard = { number: '4532015112830366', exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: '123' };

/** The call fails exactly as for an id that never existed (and never leaks the object). */
/** Stripe's answer to a known test card used with a live key: a 402 card_error, with nothing created. */
async function assertLiveTestCard(call: Promise<unknown>, param: string): Promise<void> {
  const error = await sdkError(call);
  assert.ok(error instanceof Stripe.errors.StripeCardError, `expected StripeCardError, got ${error.type}: ${error.message}`);
  assert.equal(error.statusCode, 402);
  assert.equal(error.code, 'card_declined');
  assert.equal(error.decline_code, 'testmode_decline');
  assert.equal(error.param, param);
  assert.equal(error.message, 'Your card was declined. Your request was in live mode, but used a known test card.');
}

async function assertMissing(call: Promise<unknown>, param?: string): Promise<void> {
  const error = await sdkError(call);
  assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError, `expected StripeInvalidRequestError, got ${error.type}: ${error.message}`);
  assert.equal(error.statusCode, 404, error.message);
  assert.equal(error.rawType, 'invalid_request_error');
  assert.equal(error.code, 'resource_missing', error.message);
  if (param !== undefined) assert.equal(error.param, param, error.message);
  assert.match(error.message, /^No such /);
  assert.equal((error.raw as { payment_intent?: unknown }).payment_intent, undefined, 'the error must not carry the object');
}

async function assertAuthenticationError(call: Promise<unknown>, code: string): Promise<Stripe.errors.StripeError> {
  const error = await sdkError(call);
  assert.ok(error instanceof Stripe.errors.StripeAuthenticationError, `expected StripeAuthenticationError, got ${error.type}: ${error.message}`);
  assert.equal(error.statusCode, 401);
  assert.equal(error.code, code);
  return error;
}

describe('tenancy: accounts, modes and key kinds', () => {
  let server: TestServer;
  let a: TestAccount;
  let b: TestAccount;

  // Account A's objects.
  let customerA: Stripe.Customer;
  let attachedPaymentMethodA: Stripe.PaymentMethod;
  let loosePaymentMethodA: Stripe.PaymentMethod;
  let succeededIntentA: Stripe.PaymentIntent;
  let chargeA: string;
  let refundA: Stripe.Refund;
  let authorizedIntentA: Stripe.PaymentIntent;
  let unconfirmedIntentA: Stripe.PaymentIntent;
  let eventA: Stripe.Event;
  let idsOfA: Set<string>;

  // Account B's objects.
  let customerB: Stripe.Customer;
  let paymentMethodB: Stripe.PaymentMethod;
  let intentB: Stripe.PaymentIntent;

  before(async () => {
    server = await startTestServer();
    a = await server.createAccount('Account A');
    b = await server.createAccount('Account B');

    customerA = await a.stripe.customers.create({ email: 'alice@a.example', name: 'Alice of A', metadata: { secret: 'a-only' } });
    attachedPaymentMethodA = await a.stripe.paymentMethods.create({ type: 'card', card });
    attachedPaymentMethodA = await a.stripe.paymentMethods.attach(attachedPaymentMethodA.id, { customer: customerA.id });
    loosePaymentMethodA = await a.stripe.paymentMethods.create({ type: 'card', card });
    succeededIntentA = await a.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customerA.id, payment_method: attachedPaymentMethodA.id, confirm: true });
    assert.equal(succeededIntentA.status, 'succeeded');
    chargeA = succeededIntentA.latest_charge as string;
    refundA = await a.stripe.refunds.create({ charge: chargeA, amount: 500 });
    authorizedIntentA = await a.stripe.paymentIntents.create({ amount: 3000, currency: 'usd', capture_method: 'manual', payment_method: 'pm_card_visa', confirm: true });
    assert.equal(authorizedIntentA.status, 'requires_capture');
    unconfirmedIntentA = await a.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa' });
    assert.equal(unconfirmedIntentA.status, 'requires_confirmation');
    const eventsA = await a.stripe.events.list({ limit: 100 });
    assert.ok(eventsA.data.length > 0);
    eventA = eventsA.data[0];
    idsOfA = new Set([
      customerA.id, attachedPaymentMethodA.id, loosePaymentMethodA.id, succeededIntentA.id, chargeA, refundA.id, authorizedIntentA.id,
      unconfirmedIntentA.id, authorizedIntentA.latest_charge as string, ...eventsA.data.map((event) => event.id),
    ]);

    customerB = await b.stripe.customers.create({ email: 'bob@b.example' });
    paymentMethodB = await b.stripe.paymentMethods.create({ type: 'card', card });
    paymentMethodB = await b.stripe.paymentMethods.attach(paymentMethodB.id, { customer: customerB.id });
    intentB = await b.stripe.paymentIntents.create({ amount: 1200, currency: 'usd', customer: customerB.id, payment_method: paymentMethodB.id, confirm: true });
    assert.equal(intentB.status, 'succeeded');
    await b.stripe.refunds.create({ payment_intent: intentB.id, amount: 100 });
  });

  after(async () => {
    await server?.close();
  });

  describe("account B and account A's objects", () => {
    it('cannot retrieve, update or delete A\'s customer', async () => {
      await assertMissing(b.stripe.customers.retrieve(customerA.id), 'id');
      await assertMissing(b.stripe.customers.update(customerA.id, { name: 'Mallory' }), 'id');
      await assertMissing(b.stripe.customers.del(customerA.id), 'id');
      await assertMissing(b.stripe.customers.listPaymentMethods(customerA.id));
      const still = await a.stripe.customers.retrieve(customerA.id);
      assert.ok(!still.deleted);
      assert.equal(still.name, 'Alice of A');
    });

    it("cannot retrieve, update, attach or detach A's payment methods", async () => {
      await assertMissing(b.stripe.paymentMethods.retrieve(attachedPaymentMethodA.id), 'id');
      await assertMissing(b.stripe.paymentMethods.update(attachedPaymentMethodA.id, { metadata: { owner: 'b' } }), 'id');
      await assertMissing(b.stripe.paymentMethods.detach(attachedPaymentMethodA.id), 'id');
      // A's payment method to B's customer, and B's payment method to A's customer.
      await assertMissing(b.stripe.paymentMethods.attach(loosePaymentMethodA.id, { customer: customerB.id }), 'payment_method');
      const otherB = await b.stripe.paymentMethods.create({ type: 'card', card });
      await assertMissing(b.stripe.paymentMethods.attach(otherB.id, { customer: customerA.id }), 'customer');
      assert.equal((await b.stripe.paymentMethods.retrieve(otherB.id)).customer, null);
      const attached = await a.stripe.paymentMethods.retrieve(attachedPaymentMethodA.id);
      assert.equal(attached.customer, customerA.id);
      assert.deepEqual(attached.metadata, {});
      assert.equal((await a.stripe.paymentMethods.retrieve(loosePaymentMethodA.id)).customer, null);
    });

    it("cannot retrieve, update, confirm, capture or cancel A's payment intents", async () => {
      await assertMissing(b.stripe.paymentIntents.retrieve(succeededIntentA.id), 'id');
      await assertMissing(b.stripe.paymentIntents.update(unconfirmedIntentA.id, { amount: 5000 }), 'id');
      await assertMissing(b.stripe.paymentIntents.update(succeededIntentA.id, { metadata: { owner: 'b' } }), 'id');
      await assertMissing(b.stripe.paymentIntents.confirm(unconfirmedIntentA.id), 'id');
      await assertMissing(b.stripe.paymentIntents.confirm(unconfirmedIntentA.id, { payment_method: paymentMethodB.id }), 'id');
      await assertMissing(b.stripe.paymentIntents.capture(authorizedIntentA.id), 'id');
      await assertMissing(b.stripe.paymentIntents.capture(authorizedIntentA.id, { amount_to_capture: 100 }), 'id');
      await assertMissing(b.stripe.paymentIntents.cancel(authorizedIntentA.id), 'id');
      await assertMissing(b.stripe.paymentIntents.cancel(unconfirmedIntentA.id), 'id');
      // Nothing moved.
      const authorized = await a.stripe.paymentIntents.retrieve(authorizedIntentA.id);
      assert.equal(authorized.status, 'requires_capture');
      assert.equal(authorized.amount_capturable, 3000);
      const unconfirmed = await a.stripe.paymentIntents.retrieve(unconfirmedIntentA.id);
      assert.equal(unconfirmed.status, 'requires_confirmation');
      assert.equal(unconfirmed.amount, 1000);
      assert.equal(unconfirmed.payment_method, unconfirmedIntentA.payment_method);
      assert.deepEqual((await a.stripe.paymentIntents.retrieve(succeededIntentA.id)).metadata, {});
    });

    it("cannot retrieve or refund A's charge, nor see or change A's refund", async () => {
      await assertMissing(b.stripe.charges.retrieve(chargeA), 'id');
      await assertMissing(b.stripe.refunds.create({ charge: chargeA }), 'charge');
      await assertMissing(b.stripe.refunds.create({ payment_intent: succeededIntentA.id, amount: 100 }), 'payment_intent');
      await assertMissing(b.stripe.refunds.retrieve(refundA.id), 'id');
      await assertMissing(b.stripe.refunds.update(refundA.id, { metadata: { owner: 'b' } }), 'id');
      const charge = await a.stripe.charges.retrieve(chargeA);
      assert.equal(charge.amount_refunded, 500);
      assert.deepEqual((await a.stripe.refunds.retrieve(refundA.id)).metadata, {});
    });

    it("cannot retrieve A's events", async () => {
      await assertMissing(b.stripe.events.retrieve(eventA.id), 'id');
    });

    it('is answered 404 through raw HTTP as well, never 403 and never the object', async () => {
      const paths = [
        ['GET', `/v1/customers/${customerA.id}`], ['POST', `/v1/customers/${customerA.id}`], ['DELETE', `/v1/customers/${customerA.id}`],
        ['GET', `/v1/customers/${customerA.id}/payment_methods`],
        ['GET', `/v1/payment_methods/${attachedPaymentMethodA.id}`], ['POST', `/v1/payment_methods/${attachedPaymentMethodA.id}`],
        ['POST', `/v1/payment_methods/${attachedPaymentMethodA.id}/detach`],
        ['GET', `/v1/payment_intents/${succeededIntentA.id}`], ['POST', `/v1/payment_intents/${unconfirmedIntentA.id}`],
        ['POST', `/v1/payment_intents/${unconfirmedIntentA.id}/confirm`], ['POST', `/v1/payment_intents/${authorizedIntentA.id}/capture`],
        ['POST', `/v1/payment_intents/${authorizedIntentA.id}/cancel`],
        ['GET', `/v1/charges/${chargeA}`], ['GET', `/v1/refunds/${refundA.id}`], ['POST', `/v1/refunds/${refundA.id}`], ['GET', `/v1/events/${eventA.id}`],
      ] as const;
      for (const [method, path] of paths) {
        const response = await server.request(method, path, { key: b.secretKey, ...(method === 'POST' ? { body: '', contentType: 'application/x-www-form-urlencoded' } : {}) });
        assert.equal(response.status, 404, `${method} ${path}: ${response.text}`);
        assert.equal(response.json.error.type, 'invalid_request_error');
        assert.equal(response.json.error.code, 'resource_missing');
        for (const id of idsOfA) if (!path.includes(id)) assert.ok(!response.text.includes(id), `${method} ${path} leaks ${id}`);
        assert.ok(!response.text.includes('alice@a.example'));
      }
    });
  });

  describe("account B's lists", () => {
    it("never contain A's objects", async () => {
      const lists: [string, Stripe.ApiListPromise<{ id: string }>][] = [
        ['customers', b.stripe.customers.list({ limit: 100 })],
        ['payment_intents', b.stripe.paymentIntents.list({ limit: 100 })],
        ['charges', b.stripe.charges.list({ limit: 100 })],
        ['refunds', b.stripe.refunds.list({ limit: 100 })],
        ['events', b.stripe.events.list({ limit: 100 })],
        ['payment_methods', b.stripe.paymentMethods.list({ customer: customerB.id, limit: 100 })],
        ['customer payment_methods', b.stripe.customers.listPaymentMethods(customerB.id, { limit: 100 })],
      ];
      for (const [name, list] of lists) {
        const items = await list.autoPagingToArray({ limit: 1000 });
        assert.ok(items.length > 0, `${name} of B is empty`);
        for (const item of items) assert.ok(!idsOfA.has(item.id), `${name} of B contains ${item.id} of A`);
      }
      // Events carry whole objects: none of them may be one of A's.
      const events = await b.stripe.events.list({ limit: 100 });
      for (const event of events.data) {
        const object = event.data.object as { id?: string; customer?: string | null };
        assert.ok(!idsOfA.has(object.id ?? ''), `event ${event.id} of B is about ${object.id} of A`);
        assert.ok(!JSON.stringify(event).includes('alice@a.example'));
      }
    });

    it("filtered by A's ids are empty or 404", async () => {
      assert.deepEqual((await b.stripe.paymentIntents.list({ customer: customerA.id })).data, []);
      assert.deepEqual((await b.stripe.charges.list({ customer: customerA.id })).data, []);
      assert.deepEqual((await b.stripe.charges.list({ payment_intent: succeededIntentA.id })).data, []);
      assert.deepEqual((await b.stripe.refunds.list({ charge: chargeA })).data, []);
      assert.deepEqual((await b.stripe.refunds.list({ payment_intent: succeededIntentA.id })).data, []);
      await assertMissing(b.stripe.paymentMethods.list({ customer: customerA.id }), 'customer');
      await assertMissing(b.stripe.customers.listPaymentMethods(customerA.id));
      // The same filters from A do find A's objects.
      assert.deepEqual((await a.stripe.paymentIntents.list({ customer: customerA.id })).data.map((intent) => intent.id), [succeededIntentA.id]);
      assert.deepEqual((await a.stripe.refunds.list({ charge: chargeA })).data.map((refund) => refund.id), [refundA.id]);
    });

    it("refuse A's ids as cursors with 404 resource_missing", async () => {
      await assertMissing(b.stripe.customers.list({ starting_after: customerA.id }), 'starting_after');
      await assertMissing(b.stripe.customers.list({ ending_before: customerA.id }), 'ending_before');
      await assertMissing(b.stripe.paymentIntents.list({ starting_after: succeededIntentA.id }), 'starting_after');
      await assertMissing(b.stripe.paymentIntents.list({ ending_before: authorizedIntentA.id }), 'ending_before');
      await assertMissing(b.stripe.charges.list({ starting_after: chargeA }), 'starting_after');
      await assertMissing(b.stripe.refunds.list({ starting_after: refundA.id }), 'starting_after');
      await assertMissing(b.stripe.events.list({ starting_after: eventA.id }), 'starting_after');
      await assertMissing(b.stripe.paymentMethods.list({ customer: customerB.id, starting_after: loosePaymentMethodA.id }), 'starting_after');
      await assertMissing(b.stripe.customers.listPaymentMethods(customerB.id, { starting_after: attachedPaymentMethodA.id }), 'starting_after');
      // B's own ids work as cursors.
      const page = await b.stripe.customers.list({ starting_after: customerB.id });
      assert.deepEqual(page.data, []);
    });
  });

  describe("account B's own payments", () => {
    it("cannot use A's payment method or customer", async () => {
      const intentsBefore = Number((await server.db.query('SELECT count(*) AS n FROM payment_intents WHERE account_id = $1', [b.accountId])).rows[0].n);
      await assertMissing(b.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: loosePaymentMethodA.id }), 'payment_method');
      await assertMissing(b.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: loosePaymentMethodA.id, confirm: true }), 'payment_method');
      await assertMissing(b.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customerA.id, payment_method: attachedPaymentMethodA.id, confirm: true }), 'customer');
      await assertMissing(b.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customerA.id }), 'customer');
      const intentsAfter = Number((await server.db.query('SELECT count(*) AS n FROM payment_intents WHERE account_id = $1', [b.accountId])).rows[0].n);
      assert.equal(intentsAfter, intentsBefore);

      const own = await b.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await assertMissing(b.stripe.paymentIntents.update(own.id, { customer: customerA.id }), 'customer');
      await assertMissing(b.stripe.paymentIntents.update(own.id, { payment_method: loosePaymentMethodA.id }), 'payment_method');
      await assertMissing(b.stripe.paymentIntents.confirm(own.id, { payment_method: loosePaymentMethodA.id }), 'payment_method');
      const unchanged = await b.stripe.paymentIntents.retrieve(own.id);
      assert.equal(unchanged.status, 'requires_payment_method');
      assert.equal(unchanged.customer, null);
      assert.equal(unchanged.payment_method, null);
      const charges = await server.db.query('SELECT count(*) AS n FROM charges WHERE account_id = $1 AND payment_method_id = ANY($2)', [b.accountId, [loosePaymentMethodA.id, attachedPaymentMethodA.id]]);
      assert.equal(Number(charges.rows[0].n), 0);
    });

    it('expand never crosses accounts', async () => {
      // Expanding B's own references works...
      const expanded = await b.stripe.paymentIntents.retrieve(intentB.id, { expand: ['customer', 'payment_method', 'latest_charge.payment_intent'] });
      assert.equal((expanded.customer as Stripe.Customer).id, customerB.id);
      assert.equal((expanded.payment_method as Stripe.PaymentMethod).id, paymentMethodB.id);
      assert.equal(((expanded.latest_charge as Stripe.Charge).payment_intent as Stripe.PaymentIntent).id, intentB.id);

      // ...but even if a row of B pointed at A's objects (which the API never allows), expansion would not load them.
      const tampered = await b.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await server.db.query('UPDATE payment_intents SET customer_id = $2, payment_method_id = $3, latest_charge_id = $4 WHERE id = $1', [tampered.id, customerA.id, attachedPaymentMethodA.id, chargeA]);
      const retrieved = await b.stripe.paymentIntents.retrieve(tampered.id, { expand: ['customer', 'payment_method', 'latest_charge', 'latest_charge.payment_intent'] });
      assert.equal(retrieved.customer, customerA.id);
      assert.equal(retrieved.payment_method, attachedPaymentMethodA.id);
      assert.equal(retrieved.latest_charge, chargeA);
      const listed = await b.stripe.paymentIntents.list({ limit: 100, expand: ['data.customer', 'data.payment_method', 'data.latest_charge'] });
      const item = listed.data.find((intent) => intent.id === tampered.id)!;
      assert.equal(item.customer, customerA.id);
      assert.equal(item.latest_charge, chargeA);
      assert.ok(!JSON.stringify(listed).includes('alice@a.example'));
      await server.db.query('UPDATE payment_intents SET customer_id = NULL, payment_method_id = NULL, latest_charge_id = NULL WHERE id = $1', [tampered.id]);

      // Refunds of B expand only B's charges.
      const refunds = await b.stripe.refunds.list({ expand: ['data.charge', 'data.payment_intent'] });
      assert.ok(refunds.data.length > 0);
      for (const refund of refunds.data) assert.equal((refund.payment_intent as Stripe.PaymentIntent).id, intentB.id);
    });
  });

  describe('test and live mode', () => {
    let live: Stripe;
    let livePublishableKey: string;

    before(async () => {
      const keys = await server.liveKeys(a.accountId);
      live = keys.stripe;
      livePublishableKey = keys.publishableKey;
    });

    it('keeps objects of one mode out of the other', async () => {
      assert.equal(customerA.livemode, false);
      await assertMissing(live.customers.retrieve(customerA.id), 'id');
      await assertMissing(live.paymentIntents.retrieve(succeededIntentA.id), 'id');
      await assertMissing(live.charges.retrieve(chargeA), 'id');
      await assertMissing(live.refunds.retrieve(refundA.id), 'id');
      await assertMissing(live.paymentMethods.retrieve(attachedPaymentMethodA.id), 'id');
      await assertMissing(live.events.retrieve(eventA.id), 'id');
      await assertMissing(live.paymentIntents.capture(authorizedIntentA.id), 'id');
      await assertMissing(live.refunds.create({ charge: chargeA }), 'charge');

      const liveCustomer = await live.customers.create({ email: 'live@a.example' });
      assert.equal(liveCustomer.livemode, true);
      assert.match(liveCustomer.id, /^cus_/);
      await assertMissing(a.stripe.customers.retrieve(liveCustomer.id), 'id');
      await assertMissing(a.stripe.customers.update(liveCustomer.id, { name: 'x' }), 'id');
      await assertMissing(live.paymentMethods.attach(loosePaymentMethodA.id, { customer: liveCustomer.id }), 'payment_method');
      await assertMissing(a.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: liveCustomer.id }), 'customer');

      const livePaymentMethod = await live.paymentMethods.create({ type: 'card', card: liveCard });
      assert.equal(livePaymentMethod.livemode, true);
      await assertMissing(a.stripe.paymentMethods.retrieve(livePaymentMethod.id), 'id');
      await assertMissing(a.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: livePaymentMethod.id }), 'payment_method');

      const liveIntent = await live.paymentIntents.create({ amount: 1000, currency: 'usd', customer: liveCustomer.id });
      assert.equal(liveIntent.livemode, true);
      await assertMissing(a.stripe.paymentIntents.retrieve(liveIntent.id), 'id');
      assert.equal((await a.stripe.paymentIntents.retrieve(unconfirmedIntentA.id)).livemode, false);

      // Lists stay in their mode.
      const liveCustomers = await live.customers.list({ limit: 100 });
      assert.deepEqual(liveCustomers.data.map((customer) => customer.id), [liveCustomer.id]);
      const testCustomers = await a.stripe.customers.list({ limit: 100 });
      assert.ok(testCustomers.data.every((customer) => customer.livemode === false));
      assert.ok(!testCustomers.data.some((customer) => customer.id === liveCustomer.id));
      const liveEvents = await live.events.list({ limit: 100 });
      assert.ok(liveEvents.data.length > 0);
      assert.ok(liveEvents.data.every((event) => event.livemode === true));
      assert.ok(!liveEvents.data.some((event) => idsOfA.has(event.id)));
      assert.ok((await a.stripe.events.list({ limit: 100 })).data.every((event) => event.livemode === false));
      await assertMissing(live.customers.list({ starting_after: customerA.id }), 'starting_after');
    });

    it("declines Stripe's test payment method ids in live mode, as Stripe does", async () => {
      await assertLiveTestCard(live.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa' }), 'payment_method');
      await assertLiveTestCard(live.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }), 'payment_method');
      const intent = await live.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await assertLiveTestCard(live.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_chargeDeclined' }), 'payment_method');
      await assertLiveTestCard(live.paymentIntents.update(intent.id, { payment_method: 'pm_card_mastercard' }), 'payment_method');
      assert.equal((await live.paymentIntents.retrieve(intent.id)).status, 'requires_payment_method');
      // In test mode the same id works.
      const testIntent = await a.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa' });
      assert.equal(testIntent.status, 'requires_confirmation');
      assert.equal(testIntent.livemode, false);
      const created = await server.db.query("SELECT count(*) AS n FROM payment_methods WHERE account_id = $1 AND livemode AND card->>'last4' = '4242'", [a.accountId]);
      assert.equal(Number(created.rows[0].n), 0, 'no test card exists in live mode');
    });

    it('keeps idempotency keys per mode', async () => {
      const key = `mode-${randomBytes(8).toString('hex')}`;
      const inTest = await a.stripe.customers.create({ name: 'same key' }, { idempotencyKey: key });
      const inLive = await live.customers.create({ name: 'same key' }, { idempotencyKey: key });
      assert.notEqual(inTest.id, inLive.id);
      assert.equal(inTest.livemode, false);
      assert.equal(inLive.livemode, true);
      // And per account: B's request with A's key is B's own.
      const inB = await b.stripe.customers.create({ name: 'same key' }, { idempotencyKey: key });
      assert.notEqual(inB.id, inTest.id);
      await b.stripe.customers.retrieve(inB.id);
    });

    it('lets the live publishable key tokenize only in live mode', async () => {
      const livePublishable = server.stripeFor(livePublishableKey);
      const paymentMethod = await livePublishable.paymentMethods.create({ type: 'card', card: liveCard });
      assert.equal(paymentMethod.livemode, true);
      assert.equal((await live.paymentMethods.retrieve(paymentMethod.id)).id, paymentMethod.id);
      await assertMissing(a.stripe.paymentMethods.retrieve(paymentMethod.id), 'id');
    });
  });

  describe('products and prices', () => {
    it("are another account's or mode's only as resource_missing, and a price never references another account's product", async () => {
      const shared = `shared-${randomBytes(4).toString('hex')}`;
      const productA = await a.stripe.products.create({ id: shared, name: 'A product', metadata: { secret: 'a-only' }, default_price_data: { currency: 'usd', unit_amount: 1000 } });
      const priceA = await a.stripe.prices.create({ product: productA.id, currency: 'usd', unit_amount: 1200, lookup_key: shared });
      await assertMissing(b.stripe.products.retrieve(productA.id), 'id');
      await assertMissing(b.stripe.products.update(productA.id, { name: 'Mallory' }), 'id');
      await assertMissing(b.stripe.products.del(productA.id), 'id');
      await assertMissing(b.stripe.prices.retrieve(priceA.id), 'id');
      await assertMissing(b.stripe.prices.update(priceA.id, { active: false }), 'id');
      await assertMissing(b.stripe.prices.create({ product: productA.id, currency: 'usd', unit_amount: 1 }), 'product');
      await assertMissing(b.stripe.prices.list({ starting_after: priceA.id }), 'starting_after');
      await assertMissing(b.stripe.products.list({ starting_after: productA.id }), 'starting_after');
      // The same caller-chosen id and lookup key are B's own to use: nothing tells B that A has them.
      const productB = await b.stripe.products.create({ id: shared, name: 'B product' });
      const priceB = await b.stripe.prices.create({ product: productB.id, currency: 'usd', unit_amount: 5, lookup_key: shared });
      const otherB = await b.stripe.prices.create({ product: productB.id, currency: 'usd', unit_amount: 6 });
      await assertMissing(b.stripe.products.update(productB.id, { default_price: priceA.id }), 'default_price');
      assert.deepEqual((await b.stripe.products.list({ ids: [shared] })).data.map((product) => product.name), ['B product']);
      assert.deepEqual((await b.stripe.prices.list({ lookup_keys: [shared] })).data.map((price) => price.id), [priceB.id]);
      assert.deepEqual((await b.stripe.prices.list({ product: shared, limit: 100 })).data.map((price) => price.id), [otherB.id, priceB.id]);
      assert.deepEqual((await b.stripe.products.search({ query: 'metadata["secret"]:"a-only"' })).data, []);
      assert.deepEqual((await b.stripe.prices.search({ query: `product:"${shared}"` })).data.map((price) => price.id), [otherB.id, priceB.id]);
      // A's objects are unchanged, and expand never crosses accounts.
      const stillA = await a.stripe.products.retrieve(shared, { expand: ['default_price'] });
      assert.equal(stillA.name, 'A product');
      assert.equal((stillA.default_price as Stripe.Price).unit_amount, 1000);
      assert.equal((await a.stripe.prices.retrieve(priceA.id)).lookup_key, shared);
      assert.equal(((await b.stripe.prices.retrieve(priceB.id, { expand: ['product'] })).product as Stripe.Product).name, 'B product');

      // Live mode is another world: the test product is missing there, and the id is free.
      const live = (await server.liveKeys(a.accountId)).stripe;
      await assertMissing(live.products.retrieve(productA.id), 'id');
      await assertMissing(live.prices.retrieve(priceA.id), 'id');
      await assertMissing(live.prices.create({ product: productA.id, currency: 'usd', unit_amount: 1 }), 'product');
      const liveProduct = await live.products.create({ id: shared, name: 'Live product' });
      assert.equal(liveProduct.livemode, true);
      assert.equal((await a.stripe.products.retrieve(shared)).name, 'A product');
      assert.ok((await live.products.list({ limit: 100 })).data.every((product) => product.livemode));
    });
  });

  describe('payment links', () => {
    it("are another account's or mode's only as resource_missing, never sell another account's price, and their sessions stay theirs", async () => {
      const price = await a.stripe.prices.create({ currency: 'usd', unit_amount: 1500, product_data: { name: 'A link product' } });
      const link = await a.stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }], metadata: { secret: 'a-only' } });
      await assertMissing(b.stripe.paymentLinks.retrieve(link.id), 'id');
      await assertMissing(b.stripe.paymentLinks.update(link.id, { active: false }), 'id');
      await assertMissing(b.stripe.paymentLinks.listLineItems(link.id), 'id');
      await assertMissing(b.stripe.paymentLinks.list({ starting_after: link.id }), 'starting_after');
      await assertMissing(b.stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }] }), 'line_items[0][price]');
      // A visit makes the session in the link's own account.
      const visit = await fetch(link.url, { redirect: 'manual' });
      assert.equal(visit.status, 303);
      const sessionId = /(cs_[0-9A-Za-z]+)$/.exec(visit.headers.get('location') ?? '')![1];
      assert.equal((await a.stripe.checkout.sessions.retrieve(sessionId)).payment_link, link.id);
      await assertMissing(b.stripe.checkout.sessions.retrieve(sessionId), 'id');
      assert.deepEqual((await b.stripe.checkout.sessions.list({ payment_link: link.id })).data, []);
      const live = (await server.liveKeys(a.accountId)).stripe;
      await assertMissing(live.paymentLinks.retrieve(link.id), 'id');
      assert.ok((await live.paymentLinks.list({ limit: 100 })).data.every((entry) => entry.livemode));
      assert.equal((await a.stripe.paymentLinks.retrieve(link.id)).active, true);
    });
  });

  describe('publishable keys', () => {
    it('can create payment methods from card data, in their own account', async () => {
      const publishable = server.stripeFor(a.publishableKey);
      const paymentMethod = await publishable.paymentMethods.create({ type: 'card', card, billing_details: { name: 'Tokenized' } });
      assert.match(paymentMethod.id, /^pm_/);
      assert.equal(paymentMethod.card?.last4, '4242');
      assert.equal(paymentMethod.livemode, false);
      assert.equal((await a.stripe.paymentMethods.retrieve(paymentMethod.id)).billing_details.name, 'Tokenized');
      await assertMissing(b.stripe.paymentMethods.retrieve(paymentMethod.id), 'id');
    });

    it('are refused everywhere else with 401 secret_key_required', async () => {
      const publishable = server.stripeFor(a.publishableKey);
      const calls: Promise<unknown>[] = [
        publishable.customers.list(),
        publishable.customers.create({ name: 'x' }),
        publishable.customers.retrieve(customerA.id),
        publishable.paymentMethods.retrieve(loosePaymentMethodA.id),
        publishable.paymentMethods.attach(loosePaymentMethodA.id, { customer: customerA.id }),
        publishable.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }),
        publishable.paymentIntents.retrieve(succeededIntentA.id),
        publishable.paymentIntents.capture(authorizedIntentA.id),
        publishable.charges.list(),
        publishable.refunds.create({ charge: chargeA }),
        publishable.events.list(),
      ];
      for (const call of calls) {
        const error = await assertAuthenticationError(call, 'secret_key_required');
        assert.equal(error.rawType, 'invalid_request_error');
      }
      assert.equal((await a.stripe.paymentIntents.retrieve(authorizedIntentA.id)).status, 'requires_capture');
      assert.equal((await a.stripe.paymentMethods.retrieve(loosePaymentMethodA.id)).customer, null);
      assert.equal((await a.stripe.charges.retrieve(chargeA)).amount_refunded, 500);

      // Every operation of the API except tokenization, through raw HTTP.
      const document = (await server.request('GET', '/v1/openapi.json')).json;
      let checked = 0;
      for (const [path, item] of Object.entries<Record<string, { 'x-publishable-key-allowed'?: boolean }>>(document.paths)) {
        if (!path.startsWith('/v1/') || path === '/v1/openapi.json') continue;
        for (const [method, operation] of Object.entries(item)) {
          if (operation['x-publishable-key-allowed']) continue;
          const concrete = path.replace('{id}', customerA.id);
          const response = await server.request(method.toUpperCase(), concrete, { key: a.publishableKey, ...(method === 'post' ? { body: '', contentType: 'application/x-www-form-urlencoded' } : {}) });
          assert.equal(response.status, 401, `${method} ${path}: ${response.text}`);
          assert.equal(response.json.error.type, 'invalid_request_error');
          assert.equal(response.json.error.code, 'secret_key_required');
          checked += 1;
        }
      }
      assert.ok(checked >= 20, `only ${checked} operations checked`);
      const allowed = await server.request('POST', '/v1/payment_methods', { key: a.publishableKey, contentType: 'application/x-www-form-urlencoded', body: `type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=${card.exp_year}` });
      assert.equal(allowed.status, 200, allowed.text);
      assert.equal(allowed.json.object, 'payment_method');
    });
  });

  describe('API keys', () => {
    it('answers a missing key with 401 invalid_request_error (as Stripe; the SDK raises StripeAuthenticationError from the status)', async () => {
      for (const [method, path] of [['GET', '/v1/customers'], ['POST', '/v1/payment_intents'], ['GET', `/v1/customers/${customerA.id}`], ['POST', '/v1/payment_methods']] as const) {
        const response = await server.request(method, path);
        assert.equal(response.status, 401, `${method} ${path}`);
        assert.equal(response.json.error.type, 'invalid_request_error');
        assert.equal(response.json.error.code, 'api_key_missing');
      }
    });

    it('answers a wrong key with 401 invalid_request_error, which the SDK raises as StripeAuthenticationError', async () => {
      const wrongKeys = [
        `sk_test_${randomBytes(40).toString('hex').slice(0, 99)}`,
        a.secretKey.slice(0, -1) + (a.secretKey.endsWith('A') ? 'B' : 'A'),
        a.secretKey.replace('sk_test_', 'sk_live_'),
        a.secretKey.replace('sk_test_', 'rk_test_'),
        'sk_test_short',
      ];
      for (const key of wrongKeys) {
        const error = await assertAuthenticationError(server.stripeFor(key).customers.list(), 'api_key_invalid');
        assert.equal(error.rawType, 'invalid_request_error');
        assert.ok(!error.message.includes(key), 'the message must not echo the whole key');
      }
    });

    it('answers a revoked key with 401 (StripeAuthenticationError)', async () => {
      // A fresh account whose keys were never used, so no key cache of the server holds them.
      const revoked = await server.createAccount('Revoked');
      await server.db.query('UPDATE api_keys SET revoked_at = $2 WHERE key_hash = $1', [sha256(revoked.secretKey), Math.floor(Date.now() / 1000)]);
      await assertAuthenticationError(revoked.stripe.customers.list(), 'api_key_invalid');
      await assertAuthenticationError(revoked.stripe.customers.create({ name: 'after revocation' }), 'api_key_invalid');
      const created = await server.db.query('SELECT count(*) AS n FROM customers WHERE account_id = $1', [revoked.accountId]);
      assert.equal(Number(created.rows[0].n), 0);
      // Only that key is revoked: the account's publishable key still tokenizes.
      const paymentMethod = await server.stripeFor(revoked.publishableKey).paymentMethods.create({ type: 'card', card });
      assert.match(paymentMethod.id, /^pm_/);

      // A key already used and then revoked is refused by any resolver without a cached entry.
      const used = await server.createAccount('Used then revoked');
      assert.ok(Array.isArray((await used.stripe.customers.list()).data));
      await server.db.query('UPDATE api_keys SET revoked_at = $2 WHERE key_hash = $1', [sha256(used.secretKey), Math.floor(Date.now() / 1000)]);
      const resolver = new KeyResolver(server.db);
      assert.equal(await resolver.resolve(used.secretKey), undefined);
      const publishable = await resolver.resolve(used.publishableKey);
      assert.deepEqual({ ...publishable, keyId: undefined }, { accountId: used.accountId, livemode: false, keyKind: 'publishable', keyId: undefined, permissions: null });
      assert.match(publishable!.keyId, /^key_/);
      const secret = await resolver.resolve(a.secretKey);
      assert.deepEqual({ ...secret, keyId: undefined }, { accountId: a.accountId, livemode: false, keyKind: 'secret', keyId: undefined, permissions: null });
    });
  });
});
