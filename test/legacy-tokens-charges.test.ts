import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { verifyLedger } from '../src/ledger/verify.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Stripe's older API as shipped integrations (an ERP's Stripe module) use it: card tokens, charges with `source`,
 * capture, refunds and updates of such charges, and the v1 API's lenient booleans. Through the official SDK.
 */

const nextYear = new Date().getUTCFullYear() + 1;

/** Fields of Stripe's `card` object (spec3.json 2024-04-10, components.schemas.card), and its required ones. */
const cardFields = [
  'account', 'address_city', 'address_country', 'address_line1', 'address_line1_check', 'address_line2', 'address_state', 'address_zip',
  'address_zip_check', 'available_payout_methods', 'brand', 'country', 'currency', 'customer', 'cvc_check', 'default_for_currency', 'dynamic_last4',
  'exp_month', 'exp_year', 'fingerprint', 'funding', 'id', 'last4', 'metadata', 'name', 'networks', 'object', 'status', 'tokenization_method',
];
const cardRequired = ['brand', 'exp_month', 'exp_year', 'funding', 'id', 'last4', 'object'];
/** Fields of Stripe's `token` object (spec3.json), and its required ones. */
const tokenFields = ['bank_account', 'card', 'client_ip', 'created', 'id', 'livemode', 'object', 'type', 'used'];
const tokenRequired = ['created', 'id', 'livemode', 'object', 'type', 'used'];

function assertShape(object: object, fields: string[], required: string[], name: string): void {
  for (const key of Object.keys(object)) assert.ok(fields.includes(key), `${name} has no field ${key} at Stripe`);
  for (const key of required) assert.ok(key in object, `${name} lacks required ${key}`);
}

describe('legacy tokens and charges through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  const cardToken = (number = '4242424242424242', extra: Partial<Stripe.TokenCreateParams.Card> = {}, client = stripe) =>
    client.tokens.create({ card: { number, exp_month: '12', exp_year: String(nextYear), cvc: '123', ...extra } as Stripe.TokenCreateParams.Card });

  describe('POST /v1/tokens', () => {
    it('creates a card token shaped as Stripe\'s, with a publishable key too', async () => {
      const publishable = server.stripeFor(server.account.publishableKey);
      const token = await cardToken('4242424242424242', { name: 'Ada Lovelace', address_line1: '1 Main St', address_zip: '94107', address_country: 'US' }, publishable);
      assert.match(token.id, /^tok_/);
      assert.equal(token.object, 'token');
      assert.equal(token.type, 'card');
      assert.equal(token.used, false);
      assert.equal(token.livemode, false);
      assert.equal(typeof token.created, 'number');
      assert.equal(token.client_ip, '127.0.0.1');
      assertShape(token, tokenFields, tokenRequired, 'token');
      const card = token.card!;
      assertShape(card, cardFields, cardRequired, 'card');
      assert.match(card.id, /^card_/);
      assert.equal(card.object, 'card');
      assert.equal(card.brand, 'Visa');
      assert.equal(card.last4, '4242');
      assert.equal(card.funding, 'credit');
      assert.equal(card.country, 'US');
      assert.equal(card.exp_month, 12);
      assert.equal(card.exp_year, nextYear);
      assert.equal(card.name, 'Ada Lovelace');
      assert.equal(card.address_line1, '1 Main St');
      assert.equal(card.address_zip, '94107');
      assert.equal(card.address_country, 'US');
      assert.equal(card.address_line1_check, 'unchecked');
      assert.equal(card.address_zip_check, 'unchecked');
      assert.equal(card.cvc_check, 'unchecked');
      assert.equal(card.customer, null);
      assert.deepEqual(card.metadata, {});
      assert.ok(card.fingerprint);

      const retrieved = await stripe.tokens.retrieve(token.id);
      assert.deepEqual(JSON.parse(JSON.stringify(retrieved)), JSON.parse(JSON.stringify(token)));
    });

    it("keeps tokens to their account: another account's token is no such token", async () => {
      const token = await cardToken();
      const other = await server.createAccount('Other merchant');
      await expectStripeError(other.stripe.tokens.retrieve(token.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
      await expectStripeError(other.stripe.charges.create({ amount: 500, currency: 'usd', source: token.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'source', statusCode: 404 });
      await expectStripeError(other.stripe.customers.create({ source: token.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'source', statusCode: 404 });
      assert.equal((await stripe.tokens.retrieve(token.id)).used, false);
    });

    it('names brands as the legacy card object does', async () => {
      assert.equal((await cardToken('5555555555554444')).card?.brand, 'MasterCard');
      assert.equal((await cardToken('378282246310005', { cvc: '1234' })).card?.brand, 'American Express');
    });

    it('never stores the card number in clear', async () => {
      const token = await cardToken('4000056655665556');
      const rows = await server.db.query(`SELECT row_to_json(p)::text AS text FROM payment_methods p WHERE id = $1`, [token.card!.id]);
      assert.equal(rows.rows.length, 1);
      assert.ok(!rows.rows[0].text.includes('4000056655665556'), 'the number is not in any column');
      const tokens = await server.db.query(`SELECT row_to_json(t)::text AS text FROM tokens t WHERE id = $1`, [token.id]);
      assert.ok(!tokens.rows[0].text.includes('4000056655665556'));
    });

    it('refuses bad card data with Stripe card errors, and a secret-only retrieve with a publishable key', async () => {
      await expectStripeError(cardToken('4242424242424241'), { class: Stripe.errors.StripeCardError, code: 'incorrect_number', param: 'card[number]', statusCode: 402 });
      await expectStripeError(cardToken('4242424242424242', { exp_month: '13' }), { class: Stripe.errors.StripeCardError, code: 'invalid_expiry_month', param: 'card[exp_month]', statusCode: 402 });
      await expectStripeError(stripe.tokens.create({}), { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param: 'card', statusCode: 400 });
      const token = await cardToken();
      await expectStripeError(server.stripeFor(server.account.publishableKey).tokens.retrieve(token.id), { class: Stripe.errors.StripeAuthenticationError, code: 'secret_key_required', statusCode: 401 });
      await expectStripeError(stripe.tokens.retrieve('tok_doesnotexist'), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    });
  });

  describe('POST /v1/charges', () => {
    it('charges a token, as a PaymentIntent payment with its ledger postings, and uses the token up', async () => {
      const token = await cardToken('4242424242424242', { name: 'Grace Hopper' });
      const charge = await stripe.charges.create({
        amount: 2500, currency: 'usd', source: token.id, description: 'Invoice 42', metadata: { invoice: '42' },
        statement_descriptor: 'ERP INVOICE 42', receipt_email: 'buyer@example.com',
      });
      assert.match(charge.id, /^ch_/);
      assert.equal(charge.object, 'charge');
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.paid, true);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount, 2500);
      assert.equal(charge.amount_captured, 2500);
      assert.equal(charge.currency, 'usd');
      assert.equal(charge.description, 'Invoice 42');
      assert.deepEqual(charge.metadata, { invoice: '42' });
      assert.equal(charge.statement_descriptor, 'ERP INVOICE 42');
      assert.equal(charge.receipt_email, 'buyer@example.com');
      assert.equal(charge.payment_method, token.card!.id);
      const source = charge.source as Stripe.Card;
      assert.equal(source.id, token.card!.id);
      assert.equal(source.object, 'card');
      assert.equal(source.brand, 'Visa');
      assert.equal(source.name, 'Grace Hopper');
      assert.equal(source.cvc_check, 'pass', 'the charge checked the CVC');
      assertShape(source, cardFields, cardRequired, 'charge.source');
      assert.equal(charge.payment_method_details?.card?.last4, '4242');

      // Made as a PaymentIntent (documented): the intent is an ordinary one, succeeded with this charge.
      const intent = await stripe.paymentIntents.retrieve(charge.payment_intent as string);
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.latest_charge, charge.id);
      assert.equal(intent.amount_received, 2500);

      // The same ledger postings as a PaymentIntent payment: a balance transaction for the capture, net of the fee.
      const transaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
      assert.equal(transaction.amount, 2500);
      assert.equal(transaction.source, charge.id);
      assert.equal(transaction.net, transaction.amount - transaction.fee);
      const report = await verifyLedger(server.db);
      assert.deepEqual(report.problems, []);

      assert.equal((await stripe.tokens.retrieve(token.id)).used, true);
      await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd', source: token.id }), {
        class: Stripe.errors.StripeInvalidRequestError, code: 'token_already_used', param: 'source', statusCode: 400,
      });
      assert.equal((await stripe.charges.retrieve(charge.id)).id, charge.id);
    });

    it('answers a decline with 402 card_error naming the charge, which is kept as failed', async () => {
      const token = await cardToken('4000000000000002');
      const error = await expectStripeError(stripe.charges.create({ amount: 1000, currency: 'usd', source: token.id }), {
        class: Stripe.errors.StripeCardError, type: 'card_error', code: 'card_declined', statusCode: 402,
      });
      assert.equal(error.decline_code, 'generic_decline');
      const chargeId = (error.raw as { charge?: string }).charge;
      assert.match(chargeId ?? '', /^ch_/);
      assert.equal((error.raw as { payment_intent?: unknown }).payment_intent, undefined, 'a legacy charge error names no PaymentIntent');
      const failed = await stripe.charges.retrieve(chargeId!);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.paid, false);
      assert.equal(failed.failure_code, 'card_declined');
      assert.equal(failed.balance_transaction, null);
      // A declined charge uses the token up too, as at Stripe.
      assert.equal((await stripe.tokens.retrieve(token.id)).used, true);
    });

    it('understands Stripe\'s test tokens, any number of times', async () => {
      const first = await stripe.charges.create({ amount: 700, currency: 'eur', source: 'tok_visa' });
      const second = await stripe.charges.create({ amount: 800, currency: 'eur', source: 'tok_visa' });
      assert.equal(first.status, 'succeeded');
      assert.equal(second.status, 'succeeded');
      assert.notEqual(first.payment_method, second.payment_method);
      assert.equal((first.source as Stripe.Card).brand, 'Visa');
      const mastercard = await stripe.charges.create({ amount: 800, currency: 'usd', source: 'tok_mastercard' });
      assert.equal((mastercard.source as Stripe.Card).brand, 'MasterCard');
      const declined = await expectStripeError(stripe.charges.create({ amount: 900, currency: 'usd', source: 'tok_chargeDeclinedInsufficientFunds' }), {
        class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402,
      });
      assert.equal(declined.decline_code, 'insufficient_funds');
      // A card that needs 3-D Secure cannot be asked for it on a legacy charge: it is declined.
      await expectStripeError(stripe.charges.create({ amount: 900, currency: 'usd', source: 'tok_threeDSecure2Required' }), {
        class: Stripe.errors.StripeCardError, code: 'authentication_required', statusCode: 402,
      });
    });

    it('replays a charge, and a decline, for the same Idempotency-Key without charging again', async () => {
      const token = await cardToken();
      const params = { amount: 1100, currency: 'usd', source: token.id, metadata: { order: 'A1' } };
      const first = await stripe.charges.create(params, { idempotencyKey: 'legacy-charge-1' });
      const replay = await stripe.charges.create(params, { idempotencyKey: 'legacy-charge-1' });
      assert.equal(replay.id, first.id);
      assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
      assert.equal((await stripe.charges.list({ payment_intent: first.payment_intent as string })).data.length, 1);

      const declinedToken = await cardToken('4000000000009995');
      const declineParams = { amount: 1100, currency: 'usd', source: declinedToken.id };
      const declined = await expectStripeError(stripe.charges.create(declineParams, { idempotencyKey: 'legacy-charge-2' }), { class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402 });
      const replayed = await expectStripeError(stripe.charges.create(declineParams, { idempotencyKey: 'legacy-charge-2' }), { class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402 });
      assert.equal((replayed.raw as { charge?: string }).charge, (declined.raw as { charge?: string }).charge);
    });

    it('lets only one of two concurrent charges use a token', async () => {
      const token = await cardToken();
      const outcomes = await Promise.allSettled([1, 2].map(() => stripe.charges.create({ amount: 600, currency: 'usd', source: token.id })));
      const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      assert.equal(succeeded.length, 1);
      assert.equal(refused.length, 1);
      assert.equal((refused[0].reason as Stripe.errors.StripeError).code, 'token_already_used');
    });

    it('records charge.succeeded with the charge\'s own metadata and source', async () => {
      const charge = await stripe.charges.create({ amount: 1300, currency: 'usd', source: 'tok_visa', metadata: { erp_document: 'SO-9' } });
      const events = await stripe.events.list({ type: 'charge.succeeded', limit: 20 });
      const event = events.data.find((candidate) => (candidate.data.object as Stripe.Charge).id === charge.id);
      assert.ok(event);
      const object = event.data.object as Stripe.Charge;
      assert.deepEqual(object.metadata, { erp_document: 'SO-9' });
      assert.equal((object.source as Stripe.Card).id, charge.payment_method);
    });

    it('refuses a charge without source or customer, an unknown token, and a bad amount before using the token', async () => {
      await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param: 'source', statusCode: 400 });
      await expectStripeError(stripe.charges.create({ amount: 100, currency: 'usd', source: 'tok_unknown123' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'source', statusCode: 404 });
      const token = await cardToken();
      await expectStripeError(stripe.charges.create({ amount: 10, currency: 'usd', source: token.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'amount_too_small', statusCode: 400 });
      assert.equal((await stripe.tokens.retrieve(token.id)).used, false, 'a request refused up front does not use the token');
    });

    it('authorizes with capture=false, then captures part and releases the rest', async () => {
      const charge = await stripe.charges.create({ amount: 5000, currency: 'usd', source: (await cardToken()).id, capture: false });
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.captured, false);
      assert.equal(charge.amount_captured, 0);
      assert.equal(charge.balance_transaction, null);

      const captured = await stripe.charges.capture(charge.id, { amount: 3000 });
      assert.equal(captured.captured, true);
      assert.equal(captured.amount_captured, 3000);
      assert.equal(captured.amount_refunded, 2000, 'the uncaptured rest is reported refunded, as at Stripe');
      const transaction = await stripe.balanceTransactions.retrieve(captured.balance_transaction as string);
      assert.equal(transaction.amount, 3000);
      await expectStripeError(stripe.charges.capture(charge.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'charge_already_captured', statusCode: 400 });
      assert.deepEqual((await verifyLedger(server.db)).problems, []);
    });

    it('captures in full without amount, and refuses more than the charge', async () => {
      const charge = await stripe.charges.create({ amount: 1200, currency: 'usd', source: 'tok_visa', capture: false });
      await expectStripeError(stripe.charges.capture(charge.id, { amount: 1300 }), { class: Stripe.errors.StripeInvalidRequestError, code: 'amount_too_large', param: 'amount', statusCode: 400 });
      const captured = await stripe.charges.capture(charge.id);
      assert.equal(captured.amount_captured, 1200);
      assert.equal(captured.amount_refunded, 0);
    });

    it('refunds through POST /v1/refunds and the legacy charge refund endpoints', async () => {
      const charge = await stripe.charges.create({ amount: 3000, currency: 'usd', source: 'tok_visa' });
      const refund = await stripe.refunds.create({ charge: charge.id, amount: 1000 });
      assert.equal(refund.charge, charge.id);
      assert.equal(refund.amount, 1000);

      const legacy = await server.request('POST', `/v1/charges/${charge.id}/refunds`, { key: server.account.secretKey, body: 'amount=500&reason=requested_by_customer', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(legacy.status, 200, legacy.text);
      assert.equal(legacy.json.object, 'refund');
      assert.equal(legacy.json.amount, 500);
      assert.equal(legacy.json.charge, charge.id);

      const rest = await server.request('POST', `/v1/charges/${charge.id}/refund`, { key: server.account.secretKey, body: '', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(rest.status, 200, rest.text);
      assert.equal(rest.json.object, 'charge');
      assert.equal(rest.json.amount_refunded, 3000);
      assert.equal(rest.json.refunded, true);
      const again = await server.request('POST', `/v1/charges/${charge.id}/refund`, { key: server.account.secretKey, body: '', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(again.status, 400);
      assert.equal(again.json.error.code, 'charge_already_refunded');
      assert.deepEqual((await verifyLedger(server.db)).problems, []);
    });
  });

  describe('POST /v1/charges/:id', () => {
    it('updates description, metadata, receipt_email, shipping, fraud_details and transfer_group, recording charge.updated', async () => {
      const charge = await stripe.charges.create({ amount: 1500, currency: 'usd', source: 'tok_visa', metadata: { keep: 'yes', drop: 'x' } });
      const updated = await stripe.charges.update(charge.id, {
        description: 'Order 7',
        metadata: { drop: '', added: '1' },
        receipt_email: 'ap@example.com',
        shipping: { name: 'Dock 4', address: { line1: '2 Harbour Rd', city: 'Hamburg', country: 'DE' }, tracking_number: 'TRK1' },
        fraud_details: { user_report: 'safe' },
        transfer_group: 'ORDER7',
      });
      assert.equal(updated.description, 'Order 7');
      assert.deepEqual(updated.metadata, { keep: 'yes', added: '1' });
      assert.equal(updated.receipt_email, 'ap@example.com');
      assert.deepEqual(updated.shipping, {
        address: { city: 'Hamburg', country: 'DE', line1: '2 Harbour Rd', line2: null, postal_code: null, state: null },
        carrier: null, name: 'Dock 4', phone: null, tracking_number: 'TRK1',
      });
      assert.deepEqual(updated.fraud_details, { user_report: 'safe' });
      assert.equal(updated.transfer_group, 'ORDER7');
      assert.equal(updated.amount, 1500, 'money fields are untouched');
      assert.deepEqual((await stripe.charges.retrieve(charge.id)).shipping, updated.shipping);

      const events = await stripe.events.list({ type: 'charge.updated', limit: 10 });
      const event = events.data.find((candidate) => (candidate.data.object as Stripe.Charge).id === charge.id);
      assert.ok(event, 'charge.updated was recorded');
      assert.equal((event.data.previous_attributes as { description?: unknown }).description, null);

      const cleared = await stripe.charges.update(charge.id, { shipping: '' as never, description: '' });
      assert.equal(cleared.shipping, null);
      assert.equal(cleared.description, null);
      await expectStripeError(stripe.charges.update('ch_missing', { description: 'x' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    });
  });

  describe("the v1 API's lenient parameters", () => {
    it('takes True/False in any case (the Python library sent str(True))', async () => {
      const form = `amount=1000&currency=usd&payment_method=pm_card_visa&confirm=True&off_session=True`;
      const intent = await server.request('POST', '/v1/payment_intents', { key: server.account.secretKey, body: form, contentType: 'application/x-www-form-urlencoded' });
      assert.equal(intent.status, 200, intent.text);
      assert.equal(intent.json.status, 'succeeded');
      const endpoint = await stripe.webhookEndpoints.create({ url: 'https://example.com/hook', enabled_events: ['charge.succeeded'] });
      const disabled = await server.request('POST', `/v1/webhook_endpoints/${endpoint.id}`, { key: server.account.secretKey, body: 'disabled=TRUE', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(disabled.status, 200, disabled.text);
      assert.equal(disabled.json.status, 'disabled');
      const enabled = await server.request('POST', `/v1/webhook_endpoints/${endpoint.id}`, { key: server.account.secretKey, body: 'disabled=False', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(enabled.status, 200, enabled.text);
      assert.equal(enabled.json.status, 'enabled');
      const charge = await server.request('POST', '/v1/charges', { key: server.account.secretKey, body: 'amount=900&currency=usd&source=tok_visa&capture=False', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(charge.status, 200, charge.text);
      assert.equal(charge.json.captured, false);
    });

    it('treats off_session=false without confirm as a no-op, and still refuses off_session=true without it', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', off_session: false });
      assert.equal(intent.status, 'requires_payment_method');
      await expectStripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', off_session: true }), {
        class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_invalid_parameter', param: 'off_session', statusCode: 400,
      });
    });
  });
});
