import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { stripeErrorOf as stripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

type StripeError = InstanceType<typeof Stripe.errors.StripeError>;

/** Asserts an invalid-request error (400) with the given code and, when given, param. */
async function expectInvalidRequest(promise: Promise<unknown>, code: string, param?: string): Promise<StripeError> {
  const error = await stripeError(promise);
  assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError, `expected StripeInvalidRequestError, got ${error.type}`);
  assert.equal(error.type, 'StripeInvalidRequestError');
  assert.equal(error.statusCode, 400);
  assert.equal(error.code, code);
  if (param !== undefined) assert.equal(error.param, param);
  return error;
}

function expectUnexpectedState(promise: Promise<unknown>): Promise<StripeError> {
  return expectInvalidRequest(promise, 'payment_intent_unexpected_state');
}

function asCharge(value: Stripe.PaymentIntent['latest_charge']): Stripe.Charge {
  assert.ok(value && typeof value === 'object', 'latest_charge is expanded');
  return value;
}

describe('PaymentIntents through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  describe('create, retrieve, update, confirm', () => {
    it('creates without confirming: requires_payment_method, or requires_confirmation with a payment method', async () => {
      const bare = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', description: 'Order 1', metadata: { order: '1' } });
      assert.match(bare.id, /^pi_/);
      assert.equal(bare.object, 'payment_intent');
      assert.equal(bare.status, 'requires_payment_method');
      assert.equal(bare.amount, 1500);
      assert.equal(bare.currency, 'usd');
      assert.equal(bare.capture_method, 'automatic');
      assert.equal(bare.amount_received, 0);
      assert.equal(bare.amount_capturable, 0);
      assert.equal(bare.latest_charge, null);
      assert.equal(bare.payment_method, null);
      assert.equal(bare.livemode, false);
      assert.deepEqual(bare.payment_method_types, ['card']);
      assert.deepEqual(bare.metadata, { order: '1' });
      assert.equal(bare.description, 'Order 1');
      assert.ok(bare.client_secret?.startsWith(`${bare.id}_secret_`));

      const withMethod = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa' });
      assert.equal(withMethod.status, 'requires_confirmation');
      assert.match(String(withMethod.payment_method), /^pm_/);
      assert.equal(withMethod.latest_charge, null);
      const charges = await stripe.charges.list({ payment_intent: withMethod.id });
      assert.equal(charges.data.length, 0, 'creating without confirm charges nothing');
    });

    it('retrieves an intent, and 404s an unknown one', async () => {
      const created = await stripe.paymentIntents.create({ amount: 999, currency: 'eur' });
      const retrieved = await stripe.paymentIntents.retrieve(created.id);
      assert.equal(retrieved.id, created.id);
      assert.equal(retrieved.amount, 999);
      assert.equal(retrieved.currency, 'eur');
      assert.equal(retrieved.status, 'requires_payment_method');
      assert.equal(retrieved.client_secret, created.client_secret);

      const error = await stripeError(stripe.paymentIntents.retrieve('pi_doesnotexist'));
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
    });

    it('is not visible to another account', async () => {
      const created = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const other = await server.createAccount('Other');
      const error = await stripeError(other.stripe.paymentIntents.retrieve(created.id));
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'resource_missing');
    });

    it('updates amount, metadata (set and unset with empty string), description and payment method', async () => {
      const created = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', metadata: { keep: 'yes', drop: 'soon' } });

      const amountChanged = await stripe.paymentIntents.update(created.id, { amount: 2500 });
      assert.equal(amountChanged.amount, 2500);
      assert.equal(amountChanged.status, 'requires_payment_method');

      const metadataChanged = await stripe.paymentIntents.update(created.id, { metadata: { drop: '', added: 'new' } });
      assert.deepEqual(metadataChanged.metadata, { keep: 'yes', added: 'new' });

      const described = await stripe.paymentIntents.update(created.id, { description: 'Updated description' });
      assert.equal(described.description, 'Updated description');
      assert.deepEqual(described.metadata, { keep: 'yes', added: 'new' }, 'metadata untouched by an unrelated update');
      const undescribed = await stripe.paymentIntents.update(created.id, { description: '' });
      assert.equal(undescribed.description, null);

      const withMethod = await stripe.paymentIntents.update(created.id, { payment_method: 'pm_card_mastercard' });
      assert.equal(withMethod.status, 'requires_confirmation');
      assert.match(String(withMethod.payment_method), /^pm_/);
      assert.equal(withMethod.amount, 2500);

      const stored = await server.db.query('SELECT amount, description, metadata, status FROM payment_intents WHERE id = $1', [created.id]);
      assert.deepEqual(stored.rows[0], { amount: 2500, description: null, metadata: { keep: 'yes', added: 'new' }, status: 'requires_confirmation' });
    });

    it('rejects an update to an amount below the minimum with param amount', async () => {
      const created = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await expectInvalidRequest(stripe.paymentIntents.update(created.id, { amount: 10 }), 'amount_too_small', 'amount');
      assert.equal((await stripe.paymentIntents.retrieve(created.id)).amount, 1000);
    });

    it('confirms later, with the payment method set earlier or passed to confirm', async () => {
      const first = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', payment_method: 'pm_card_visa' });
      assert.equal(first.status, 'requires_confirmation');
      const confirmed = await stripe.paymentIntents.confirm(first.id);
      assert.equal(confirmed.status, 'succeeded');
      assert.equal(confirmed.amount_received, 1200);
      assert.equal(confirmed.payment_method, first.payment_method);

      const second = await stripe.paymentIntents.create({ amount: 1300, currency: 'usd' });
      const confirmedWith = await stripe.paymentIntents.confirm(second.id, { payment_method: 'pm_card_visa' });
      assert.equal(confirmedWith.status, 'succeeded');
      assert.equal(confirmedWith.amount_received, 1300);
      assert.match(String(confirmedWith.payment_method), /^pm_/);
    });

    it('refuses to confirm without a payment method', async () => {
      const created = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await expectUnexpectedState(stripe.paymentIntents.confirm(created.id));
      assert.equal((await stripe.paymentIntents.retrieve(created.id)).status, 'requires_payment_method');
    });
  });

  describe('list', () => {
    let account: TestAccount;
    const ids: string[] = [];
    let customerId: string;

    before(async () => {
      account = await server.createAccount('List account');
      const customer = await account.stripe.customers.create({ email: 'list@example.com' });
      customerId = customer.id;
      for (let index = 0; index < 5; index += 1) {
        const intent = await account.stripe.paymentIntents.create({
          amount: 1000 + index,
          currency: 'usd',
          customer: index % 2 === 0 ? customerId : undefined,
        });
        ids.push(intent.id);
      }
      // Spread the creation times so the created filter has something to tell apart.
      for (let index = 0; index < ids.length; index += 1) {
        await server.db.query('UPDATE payment_intents SET created = $2 WHERE id = $1', [ids[index], 1_700_000_000 + index * 100]);
      }
    });

    it('lists newest first with limit and has_more', async () => {
      const all = await account.stripe.paymentIntents.list();
      assert.equal(all.object, 'list');
      assert.equal(all.url, '/v1/payment_intents');
      assert.deepEqual(all.data.map((intent) => intent.id), [...ids].reverse());
      assert.equal(all.has_more, false);

      const page = await account.stripe.paymentIntents.list({ limit: 2 });
      assert.deepEqual(page.data.map((intent) => intent.id), [ids[4], ids[3]]);
      assert.equal(page.has_more, true);
    });

    it('pages with starting_after and ending_before', async () => {
      const after = await account.stripe.paymentIntents.list({ limit: 2, starting_after: ids[3] });
      assert.deepEqual(after.data.map((intent) => intent.id), [ids[2], ids[1]]);
      assert.equal(after.has_more, true);

      const last = await account.stripe.paymentIntents.list({ limit: 2, starting_after: ids[1] });
      assert.deepEqual(last.data.map((intent) => intent.id), [ids[0]]);
      assert.equal(last.has_more, false);

      const before = await account.stripe.paymentIntents.list({ limit: 2, ending_before: ids[1] });
      assert.deepEqual(before.data.map((intent) => intent.id), [ids[3], ids[2]]);
      assert.equal(before.has_more, true);

      await expectInvalidRequest(account.stripe.paymentIntents.list({ starting_after: ids[1], ending_before: ids[3] }), 'parameters_exclusive');
      const missingCursor = await stripeError(account.stripe.paymentIntents.list({ starting_after: 'pi_missing' }));
      assert.equal(missingCursor.statusCode, 404);
      assert.equal(missingCursor.param, 'starting_after');
    });

    it('auto-paginates through every intent', async () => {
      const seen: string[] = [];
      for await (const intent of account.stripe.paymentIntents.list({ limit: 2 })) seen.push(intent.id);
      assert.deepEqual(seen, [...ids].reverse());
    });

    it('filters by customer', async () => {
      const filtered = await account.stripe.paymentIntents.list({ customer: customerId });
      assert.deepEqual(filtered.data.map((intent) => intent.id), [ids[4], ids[2], ids[0]]);
      assert.ok(filtered.data.every((intent) => intent.customer === customerId));
    });

    it('filters by created', async () => {
      const gte = await account.stripe.paymentIntents.list({ created: { gte: 1_700_000_200 } });
      assert.deepEqual(gte.data.map((intent) => intent.id), [ids[4], ids[3], ids[2]]);
      const range = await account.stripe.paymentIntents.list({ created: { gt: 1_700_000_000, lt: 1_700_000_300 } });
      assert.deepEqual(range.data.map((intent) => intent.id), [ids[2], ids[1]]);
      const exact = await account.stripe.paymentIntents.list({ created: 1_700_000_100 });
      assert.deepEqual(exact.data.map((intent) => intent.id), [ids[1]]);
      const none = await account.stripe.paymentIntents.list({ created: { lt: 1_600_000_000 } });
      assert.deepEqual(none.data, []);
    });

    it('rejects a limit outside 1-100', async () => {
      const error = await stripeError(account.stripe.paymentIntents.list({ limit: 101 }));
      assert.equal(error.statusCode, 400);
      assert.equal(error.param, 'limit');
    });
  });

  describe('expand', () => {
    it('expands latest_charge, customer and payment_method', async () => {
      const customer = await stripe.customers.create({ email: 'expand@example.com' });
      const intent = await stripe.paymentIntents.create({
        amount: 2000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true,
        expand: ['latest_charge', 'customer', 'payment_method'],
      });
      const charge = asCharge(intent.latest_charge);
      assert.equal(charge.object, 'charge');
      assert.equal(charge.payment_intent, intent.id);
      const expandedCustomer = intent.customer as Stripe.Customer;
      assert.equal(expandedCustomer.id, customer.id);
      assert.equal(expandedCustomer.email, 'expand@example.com');
      const paymentMethod = intent.payment_method as Stripe.PaymentMethod;
      assert.equal(paymentMethod.object, 'payment_method');
      assert.equal(paymentMethod.card?.last4, '4242');

      const retrieved = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
      assert.equal(asCharge(retrieved.latest_charge).id, charge.id);
      const plain = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(plain.latest_charge, charge.id);
    });

    it('expands data.latest_charge on lists', async () => {
      const account = await server.createAccount('Expand list account');
      const paid = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const unpaid = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const list = await account.stripe.paymentIntents.list({ expand: ['data.latest_charge'] });
      assert.deepEqual(list.data.map((intent) => intent.id), [unpaid.id, paid.id]);
      assert.equal(list.data[0].latest_charge, null);
      const charge = asCharge(list.data[1].latest_charge);
      assert.equal(charge.id, paid.latest_charge);
      assert.equal(charge.status, 'succeeded');
    });

    it('rejects an expansion the object does not have', async () => {
      const created = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await expectInvalidRequest(stripe.paymentIntents.retrieve(created.id, { expand: ['amount'] }), 'invalid_expand', 'expand[0]');
      await expectInvalidRequest(stripe.paymentIntents.list({ expand: ['latest_charge'] }), 'invalid_expand', 'expand[0]');
    });
  });

  describe('automatic capture', () => {
    it('succeeds with a captured, paid charge and consistent amounts', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 4321, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, description: 'Automatic', expand: ['latest_charge'],
      });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.amount, 4321);
      assert.equal(intent.amount_received, 4321);
      assert.equal(intent.amount_capturable, 0);
      assert.equal(intent.last_payment_error, null);
      assert.equal(intent.next_action, null);

      const charge = asCharge(intent.latest_charge);
      assert.match(charge.id, /^ch_/);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.paid, true);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount, 4321);
      assert.equal(charge.amount_captured, 4321);
      assert.equal(charge.amount_refunded, 0);
      assert.equal(charge.refunded, false);
      assert.equal(charge.currency, 'usd');
      assert.equal(charge.payment_intent, intent.id);
      assert.equal(charge.payment_method, intent.payment_method);
      assert.equal(charge.description, 'Automatic');
      assert.equal(charge.failure_code, null);
      assert.equal(charge.outcome?.type, 'authorized');
      assert.equal(charge.outcome?.network_status, 'approved_by_network');
      assert.equal(charge.payment_method_details?.type, 'card');
      assert.equal(charge.payment_method_details?.card?.brand, 'visa');
      assert.equal(charge.payment_method_details?.card?.last4, '4242');

      const stored = await server.db.query('SELECT status, captured, amount_captured FROM charges WHERE payment_intent_id = $1', [intent.id]);
      assert.deepEqual(stored.rows, [{ status: 'succeeded', captured: true, amount_captured: 4321 }]);
    });

    it('succeeds with cards of other brands', async () => {
      const cards: [string, string, string][] = [
        ['pm_card_mastercard', 'mastercard', '4444'],
        ['pm_card_amex', 'amex', '0005'],
        ['pm_card_discover', 'discover', '1117'],
        ['pm_card_diners', 'diners', '0004'],
        ['pm_card_jcb', 'jcb', '0505'],
        ['pm_card_unionpay', 'unionpay', '0005'],
        ['pm_card_visa_debit', 'visa', '5556'],
      ];
      for (const [paymentMethod, brand, last4] of cards) {
        const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: paymentMethod, confirm: true, expand: ['latest_charge'] });
        assert.equal(intent.status, 'succeeded', paymentMethod);
        const card = asCharge(intent.latest_charge).payment_method_details?.card;
        assert.equal(card?.brand, brand, paymentMethod);
        assert.equal(card?.last4, last4, paymentMethod);
      }
    });
  });

  describe('manual capture', () => {
    it('authorizes to requires_capture, then captures in full', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true, expand: ['latest_charge'] });
      assert.equal(intent.status, 'requires_capture');
      assert.equal(intent.capture_method, 'manual');
      assert.equal(intent.amount_capturable, 5000);
      assert.equal(intent.amount_received, 0);
      const authorized = asCharge(intent.latest_charge);
      assert.equal(authorized.status, 'succeeded');
      assert.equal(authorized.paid, true);
      assert.equal(authorized.captured, false);
      assert.equal(authorized.amount_captured, 0);
      assert.equal(authorized.outcome?.type, 'authorized');

      const captured = await stripe.paymentIntents.capture(intent.id, {}, { idempotencyKey: `capture-${intent.id}` });
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 5000);
      assert.equal(captured.amount_capturable, 0);
      const charge = await stripe.charges.retrieve(authorized.id);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 5000);
      assert.equal(charge.amount_refunded, 0);
      assert.equal(charge.refunded, false);
    });

    it('captures part of the authorization and releases the rest', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
      const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3000, expand: ['latest_charge'] });
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount, 5000);
      assert.equal(captured.amount_received, 3000);
      assert.equal(captured.amount_capturable, 0);
      const charge = asCharge(captured.latest_charge);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount, 5000);
      assert.equal(charge.amount_captured, 3000);
      // Stripe reports the released, uncaptured remainder as refunded, without the charge being fully refunded.
      assert.equal(charge.amount_refunded, 2000);
      assert.equal(charge.refunded, false);
      const stored = await server.db.query('SELECT amount_captured, released, amount_refunded FROM charges WHERE id = $1', [charge.id]);
      assert.deepEqual(stored.rows[0], { amount_captured: 3000, released: true, amount_refunded: 0 });
    });

    it('rejects capturing more than is capturable, with param amount_to_capture', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
      const error = await stripeError(stripe.paymentIntents.capture(intent.id, { amount_to_capture: 5001 }));
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.statusCode, 400);
      assert.equal(error.param, 'amount_to_capture');
      assert.equal(error.code, 'amount_too_large');
      const unchanged = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(unchanged.status, 'requires_capture');
      assert.equal(unchanged.amount_capturable, 5000);
    });

    it('captures with capture_method set at confirmation', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa' });
      const confirmed = await stripe.paymentIntents.confirm(intent.id, { capture_method: 'manual' });
      assert.equal(confirmed.status, 'requires_capture');
      assert.equal(confirmed.capture_method, 'manual');
      assert.equal(confirmed.amount_capturable, 2000);
    });
  });

  describe('cancel and unexpected states', () => {
    it('cancels from requires_payment_method with a cancellation reason', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'requested_by_customer' });
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.cancellation_reason, 'requested_by_customer');
      assert.equal(typeof canceled.canceled_at, 'number');
    });

    it('cancels from requires_capture and reports the authorization as refunded', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
      const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'fraudulent', expand: ['latest_charge'] });
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.cancellation_reason, 'fraudulent');
      assert.equal(canceled.amount_capturable, 0);
      assert.equal(canceled.amount_received, 0);
      const charge = asCharge(canceled.latest_charge);
      assert.equal(charge.captured, false);
      assert.equal(charge.amount_captured, 0);
      assert.equal(charge.amount_refunded, 3000);
      assert.equal(charge.refunded, true);
    });

    it('rejects an unknown cancellation reason with param cancellation_reason', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const error = await stripeError(stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'bored' as Stripe.PaymentIntentCancelParams.CancellationReason }));
      assert.equal(error.statusCode, 400);
      assert.equal(error.param, 'cancellation_reason');
    });

    it('answers payment_intent_unexpected_state for operations the state does not allow', async () => {
      const succeeded = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      assert.equal(succeeded.status, 'succeeded');
      const cancelError = await expectUnexpectedState(stripe.paymentIntents.cancel(succeeded.id));
      assert.equal((cancelError.raw as { payment_intent?: { id: string; status: string } }).payment_intent?.status, 'succeeded');
      await expectUnexpectedState(stripe.paymentIntents.capture(succeeded.id));
      await expectUnexpectedState(stripe.paymentIntents.confirm(succeeded.id, { payment_method: 'pm_card_visa' }));
      await expectUnexpectedState(stripe.paymentIntents.update(succeeded.id, { amount: 5000 }));
      // Descriptive fields stay editable after success, as at Stripe.
      const described = await stripe.paymentIntents.update(succeeded.id, { description: 'after the fact', metadata: { note: 'ok' } });
      assert.equal(described.description, 'after the fact');
      assert.deepEqual(described.metadata, { note: 'ok' });

      const canceled = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa' });
      await stripe.paymentIntents.cancel(canceled.id);
      await expectUnexpectedState(stripe.paymentIntents.confirm(canceled.id));
      await expectUnexpectedState(stripe.paymentIntents.cancel(canceled.id));
      await expectUnexpectedState(stripe.paymentIntents.capture(canceled.id));

      const unconfirmed = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa' });
      await expectUnexpectedState(stripe.paymentIntents.capture(unconfirmed.id));

      const charges = await stripe.charges.list({ payment_intent: canceled.id });
      assert.equal(charges.data.length, 0, 'a refused confirm records no attempt');
    });
  });

  describe('declines', () => {
    const declines: { paymentMethod: string; code: string; declineCode: string; outcomeType: string }[] = [
      { paymentMethod: 'pm_card_chargeDeclined', code: 'card_declined', declineCode: 'generic_decline', outcomeType: 'issuer_declined' },
      { paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds', code: 'card_declined', declineCode: 'insufficient_funds', outcomeType: 'issuer_declined' },
      { paymentMethod: 'pm_card_chargeDeclinedLostCard', code: 'card_declined', declineCode: 'lost_card', outcomeType: 'issuer_declined' },
      { paymentMethod: 'pm_card_chargeDeclinedStolenCard', code: 'card_declined', declineCode: 'stolen_card', outcomeType: 'issuer_declined' },
      { paymentMethod: 'pm_card_chargeDeclinedExpiredCard', code: 'expired_card', declineCode: 'expired_card', outcomeType: 'issuer_declined' },
      { paymentMethod: 'pm_card_chargeDeclinedIncorrectCvc', code: 'incorrect_cvc', declineCode: 'incorrect_cvc', outcomeType: 'issuer_declined' },
      { paymentMethod: 'pm_card_chargeDeclinedProcessingError', code: 'processing_error', declineCode: 'processing_error', outcomeType: 'issuer_declined' },
      { paymentMethod: 'pm_card_chargeDeclinedFraudulent', code: 'card_declined', declineCode: 'fraudulent', outcomeType: 'blocked' },
      { paymentMethod: 'pm_card_chargeDeclinedVelocityLimitExceeded', code: 'card_declined', declineCode: 'card_velocity_exceeded', outcomeType: 'issuer_declined' },
    ];

    for (const decline of declines) {
      it(`${decline.paymentMethod} declines with ${decline.code}/${decline.declineCode}, then a good card succeeds`, async () => {
        const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: decline.paymentMethod });
        const error = await stripeError(stripe.paymentIntents.confirm(intent.id));
        assert.ok(error instanceof Stripe.errors.StripeCardError, `expected StripeCardError, got ${error.type}`);
        assert.equal(error.type, 'StripeCardError');
        assert.equal(error.statusCode, 402);
        assert.equal(error.code, decline.code);
        assert.equal(error.decline_code, decline.declineCode);
        assert.match(String(error.charge), /^ch_/);

        const raw = error.raw as { type: string; payment_intent?: Stripe.PaymentIntent; payment_method?: Stripe.PaymentMethod };
        assert.equal(raw.type, 'card_error');
        assert.ok(raw.payment_intent, 'the error carries the payment intent');
        assert.equal(raw.payment_intent.id, intent.id);
        assert.equal(raw.payment_intent.status, 'requires_payment_method');
        assert.equal(raw.payment_intent.last_payment_error?.code, decline.code);
        assert.equal(raw.payment_intent.last_payment_error?.decline_code, decline.declineCode);
        assert.equal(raw.payment_intent.latest_charge, error.charge);
        assert.equal(raw.payment_method?.object, 'payment_method');

        const failedCharge = await stripe.charges.retrieve(String(error.charge));
        assert.equal(failedCharge.status, 'failed');
        assert.equal(failedCharge.paid, false);
        assert.equal(failedCharge.captured, false);
        assert.equal(failedCharge.amount_captured, 0);
        assert.equal(failedCharge.failure_code, decline.code);
        assert.ok(failedCharge.failure_message);
        assert.equal(failedCharge.outcome?.type, decline.outcomeType);
        assert.equal(failedCharge.outcome?.reason, decline.declineCode);

        const afterDecline = await stripe.paymentIntents.retrieve(intent.id);
        assert.equal(afterDecline.status, 'requires_payment_method');
        assert.equal(afterDecline.amount_received, 0);
        assert.equal(afterDecline.last_payment_error?.type, 'card_error');
        assert.equal(afterDecline.last_payment_error?.code, decline.code);

        const retried = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
        assert.equal(retried.status, 'succeeded');
        assert.equal(retried.amount_received, 2000);
        assert.equal(retried.last_payment_error, null);
        assert.notEqual(retried.latest_charge, failedCharge.id);

        const charges = await stripe.charges.list({ payment_intent: intent.id });
        assert.deepEqual(charges.data.map((charge) => charge.id), [retried.latest_charge, failedCharge.id]);
        assert.deepEqual(charges.data.map((charge) => charge.status), ['succeeded', 'failed']);
      });
    }

    it('declines the same way when confirming at creation', async () => {
      const error = await stripeError(stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_chargeDeclinedInsufficientFunds', confirm: true }));
      assert.ok(error instanceof Stripe.errors.StripeCardError);
      assert.equal(error.statusCode, 402);
      assert.equal(error.code, 'card_declined');
      assert.equal(error.decline_code, 'insufficient_funds');
      const raw = error.raw as { payment_intent?: Stripe.PaymentIntent };
      assert.equal(raw.payment_intent?.status, 'requires_payment_method');
      const stored = await server.db.query('SELECT status FROM payment_intents WHERE id = $1', [raw.payment_intent?.id]);
      assert.equal(stored.rows[0].status, 'requires_payment_method');
    });

    it('declines off-session payments that need authentication with authentication_required', async () => {
      const error = await stripeError(stripe.paymentIntents.create({
        amount: 2000, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true, off_session: true,
      }));
      assert.ok(error instanceof Stripe.errors.StripeCardError);
      assert.equal(error.statusCode, 402);
      assert.equal(error.code, 'authentication_required');
      assert.equal(error.decline_code, 'authentication_required');
      const raw = error.raw as { payment_intent?: Stripe.PaymentIntent };
      assert.equal(raw.payment_intent?.status, 'requires_payment_method');
      assert.equal(raw.payment_intent?.next_action, null);
      assert.equal(raw.payment_intent?.last_payment_error?.code, 'authentication_required');

      const later = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_authenticationRequired' });
      const confirmError = await stripeError(stripe.paymentIntents.confirm(later.id, { off_session: true }));
      assert.ok(confirmError instanceof Stripe.errors.StripeCardError);
      assert.equal(confirmError.code, 'authentication_required');
      assert.equal((await stripe.paymentIntents.retrieve(later.id)).status, 'requires_payment_method');
    });
  });

  describe('currency and amount rules', () => {
    it('accepts zero-decimal JPY down to its minimum of 50', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 50, currency: 'jpy', payment_method: 'pm_card_visa', confirm: true, expand: ['latest_charge'] });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.currency, 'jpy');
      assert.equal(intent.amount_received, 50);
      assert.equal(asCharge(intent.latest_charge).amount, 50);
      await expectInvalidRequest(stripe.paymentIntents.create({ amount: 49, currency: 'jpy' }), 'amount_too_small', 'amount');
    });

    it('rejects amounts below the currency minimum with amount_too_small', async () => {
      const error = await expectInvalidRequest(stripe.paymentIntents.create({ amount: 49, currency: 'usd' }), 'amount_too_small', 'amount');
      assert.match(error.message, /0\.50/);
      const atMinimum = await stripe.paymentIntents.create({ amount: 50, currency: 'usd' });
      assert.equal(atMinimum.amount, 50);
    });

    it('rejects amounts above 99999999 with param amount', async () => {
      const atMaximum = await stripe.paymentIntents.create({ amount: 99_999_999, currency: 'usd' });
      assert.equal(atMaximum.amount, 99_999_999);
      const error = await stripeError(stripe.paymentIntents.create({ amount: 100_000_000, currency: 'usd' }));
      assert.ok(error instanceof Stripe.errors.StripeInvalidRequestError);
      assert.equal(error.statusCode, 400);
      assert.equal(error.param, 'amount');
    });

    it('rejects an unknown currency with param currency', async () => {
      await expectInvalidRequest(stripe.paymentIntents.create({ amount: 1000, currency: 'xyz' }), 'invalid_currency', 'currency');
      const error = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'dollars' }));
      assert.equal(error.statusCode, 400);
      assert.equal(error.param, 'currency');
    });

    it('normalises an upper-case currency to lower case', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'EUR' });
      assert.equal(intent.currency, 'eur');
      const stored = await server.db.query('SELECT currency FROM payment_intents WHERE id = $1', [intent.id]);
      assert.equal(stored.rows[0].currency, 'eur');
    });

    it('requires amount and currency', async () => {
      const error = await stripeError(server.account.stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams));
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'parameter_missing');
      assert.equal(error.param, 'amount');
    });
  });

  describe('events', () => {
    let account: TestAccount;
    before(async () => {
      account = await server.createAccount('Events account');
    });

    async function eventsFor(type: string, objectId: string): Promise<Stripe.Event[]> {
      const list = await account.stripe.events.list({ type, limit: 100 });
      assert.ok(list.data.every((event) => event.type === type));
      return list.data.filter((event) => (event.data.object as { id?: string }).id === objectId);
    }

    it('records created, succeeded and charge.succeeded for an automatic payment', async () => {
      const intent = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const created = await eventsFor('payment_intent.created', intent.id);
      assert.equal(created.length, 1);
      assert.equal((created[0].data.object as Stripe.PaymentIntent).object, 'payment_intent');
      const succeeded = await eventsFor('payment_intent.succeeded', intent.id);
      assert.equal(succeeded.length, 1);
      assert.equal((succeeded[0].data.object as Stripe.PaymentIntent).status, 'succeeded');
      assert.equal(succeeded[0].livemode, false);
      assert.match(succeeded[0].id, /^evt_/);
      const chargeSucceeded = await eventsFor('charge.succeeded', String(intent.latest_charge));
      assert.equal(chargeSucceeded.length, 1);
      assert.equal((chargeSucceeded[0].data.object as Stripe.Charge).payment_intent, intent.id);
    });

    it('records payment_failed and charge.failed for a decline', async () => {
      const error = await stripeError(account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }));
      const intentId = (error.raw as { payment_intent: { id: string } }).payment_intent.id;
      const failed = await eventsFor('payment_intent.payment_failed', intentId);
      assert.equal(failed.length, 1);
      const failedIntent = failed[0].data.object as Stripe.PaymentIntent;
      assert.equal(failedIntent.status, 'requires_payment_method');
      assert.equal(failedIntent.last_payment_error?.decline_code, 'generic_decline');
      const chargeFailed = await eventsFor('charge.failed', String(error.charge));
      assert.equal(chargeFailed.length, 1);
      assert.equal((chargeFailed[0].data.object as Stripe.Charge).failure_code, 'card_declined');
      assert.equal((await eventsFor('payment_intent.succeeded', intentId)).length, 0);
    });

    it('records amount_capturable_updated, charge.captured and succeeded for a manual capture', async () => {
      const intent = await account.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true });
      const capturable = await eventsFor('payment_intent.amount_capturable_updated', intent.id);
      assert.equal(capturable.length, 1);
      assert.equal((capturable[0].data.object as Stripe.PaymentIntent).amount_capturable, 2000);
      assert.equal((await eventsFor('payment_intent.succeeded', intent.id)).length, 0);

      await account.stripe.paymentIntents.capture(intent.id, { amount_to_capture: 1500 });
      const captured = await eventsFor('charge.captured', String(intent.latest_charge));
      assert.equal(captured.length, 1);
      assert.equal((captured[0].data.object as Stripe.Charge).amount_captured, 1500);
      assert.equal((captured[0].data.object as Stripe.Charge).captured, true);
      const succeeded = await eventsFor('payment_intent.succeeded', intent.id);
      assert.equal(succeeded.length, 1);
      assert.equal((succeeded[0].data.object as Stripe.PaymentIntent).amount_received, 1500);
    });

    it('records payment_intent.canceled', async () => {
      const intent = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await account.stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'duplicate' });
      const canceled = await eventsFor('payment_intent.canceled', intent.id);
      assert.equal(canceled.length, 1);
      assert.equal((canceled[0].data.object as Stripe.PaymentIntent).cancellation_reason, 'duplicate');
    });

    it('filters events with a type wildcard', async () => {
      const intent = await account.stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const list = await account.stripe.events.list({ type: 'payment_intent.*', limit: 100 });
      assert.ok(list.data.length > 0);
      assert.ok(list.data.every((event) => event.type.startsWith('payment_intent.')));
      const types = list.data.filter((event) => (event.data.object as { id?: string }).id === intent.id).map((event) => event.type);
      assert.deepEqual(types, ['payment_intent.succeeded', 'payment_intent.created']);
    });
  });
});
