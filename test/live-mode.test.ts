import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/**
 * Live mode never touches the built-in test processor: Stripe's test cards, test PaymentMethod ids and test tokens
 * are declined as Stripe declines them, a live payment needs a live connector configuration, and the test 3-D Secure
 * page refuses live challenges.
 */

const liveTestCardMessage = 'Your card was declined. Your request was in live mode, but used a known test card.';
const expiry = { exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 };
/** Luhn-valid, and none of Stripe's test cards. */
const realLookingCard = { number: '4532015112830366', ...expiry, cvc: '123' };

async function expectLiveTestCard(call: Promise<unknown>, param: string): Promise<void> {
  const error = await expectStripeError(call, { class: Stripe.errors.StripeCardError, type: 'card_error', code: 'card_declined', param, statusCode: 402 });
  assert.equal(error.decline_code, 'testmode_decline');
  assert.equal(error.message, liveTestCardMessage);
}

describe('live mode and the test processor', () => {
  let server: TestServer;
  let account: TestAccount;
  let live: Stripe;

  before(async () => {
    server = await startTestServer();
    account = await server.createAccount('live merchant');
    live = (await server.liveKeys(account.accountId)).stripe;
  });
  after(async () => {
    await server.close();
  });

  const liveRows = async (table: string) => Number((await server.db.query(`SELECT count(*) AS n FROM ${table} WHERE account_id = $1 AND livemode`, [account.accountId])).rows[0].n);

  it('declines a known test card number in live mode and stores nothing', async () => {
    for (const number of ['4242424242424242', '4242 4242 4242 4242', '4000002760003184', '5555555555554444', '4000000000000002', '378282246310005']) {
      await expectLiveTestCard(live.paymentMethods.create({ type: 'card', card: { number, ...expiry, cvc: '123' } }), 'card[number]');
    }
    assert.equal(await liveRows('payment_methods'), 0);
    // The same numbers are fine in test mode.
    const testMode = await account.stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', ...expiry } });
    assert.equal(testMode.livemode, false);
  });

  it("declines Stripe's test PaymentMethod ids in live mode, on create, confirm and update", async () => {
    await expectLiveTestCard(live.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }), 'payment_method');
    const intent = await live.paymentIntents.create({ amount: 2000, currency: 'usd' });
    await expectLiveTestCard(live.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_threeDSecure2Required' }), 'payment_method');
    await expectLiveTestCard(live.paymentIntents.update(intent.id, { payment_method: 'pm_card_mastercard' }), 'payment_method');
    assert.equal((await live.paymentIntents.retrieve(intent.id)).status, 'requires_payment_method');
    assert.equal(await liveRows('charges'), 0);
  });

  it("declines Stripe's test tokens and test card numbers on the legacy API in live mode", async () => {
    await expectLiveTestCard(live.charges.create({ amount: 2000, currency: 'usd', source: 'tok_visa' }), 'source');
    await expectLiveTestCard(live.tokens.create({ card: { number: '4242424242424242', exp_month: String(expiry.exp_month), exp_year: String(expiry.exp_year), cvc: '123' } }), 'card[number]');
    const customer = await live.customers.create({ name: 'live customer' });
    await expectLiveTestCard(live.customers.createSource(customer.id, { source: 'tok_mastercard' }), 'source');
    assert.equal(await liveRows('charges'), 0);
    assert.equal(await liveRows('payment_methods'), 0);
  });

  it('answers a live payment on an account with no live connector configuration with a 400 naming what is missing', async () => {
    const paymentMethod = await live.paymentMethods.create({ type: 'card', card: realLookingCard });
    const error = await expectStripeError(
      live.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: paymentMethod.id, confirm: true }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'live_connector_configuration_missing', statusCode: 400 },
    );
    assert.match(error.message, /no enabled live-mode connector configuration/);
    assert.match(error.message, /\/v1\/payrail\/connector_configurations/);

    const intent = await live.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: paymentMethod.id });
    await expectStripeError(live.paymentIntents.confirm(intent.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'live_connector_configuration_missing', statusCode: 400 });
    assert.equal((await live.paymentIntents.retrieve(intent.id)).status, 'requires_confirmation');
    assert.equal(await liveRows('charges'), 0, 'no live charge was made');
    const balance = await live.balance.retrieve();
    assert.ok(balance.available.every((amount) => amount.amount === 0) && balance.pending.every((amount) => amount.amount === 0), 'the live balance did not grow');
    assert.equal(balance.livemode, true);
  });

  it('refuses a live test_processor connector configuration, and ignores one stored before the rule', async () => {
    await expectStripeError(live.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'test_processor' }), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'connector', statusCode: 400,
    });
    // A row stored by an older version: routing leaves it out, so the payment still finds no live connector.
    const stored = await account.stripe.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'test_processor' });
    await server.db.query('UPDATE connector_configurations SET livemode = true WHERE id = $1', [stored.id]);
    const paymentMethod = await live.paymentMethods.create({ type: 'card', card: realLookingCard });
    await expectStripeError(live.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: paymentMethod.id, confirm: true }), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'live_connector_configuration_missing', statusCode: 400,
    });
    assert.equal(await liveRows('charges'), 0);
  });

  it('keeps the test 3-D Secure page away from live challenges', async () => {
    const intent = await account.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: 'https://merchant.example/done' });
    assert.equal(intent.status, 'requires_action');
    const url = intent.next_action?.redirect_to_url?.url;
    assert.ok(url);
    const challengeId = new URL(url).pathname.split('/').pop()!;
    // As if a live payment had reached the test processor: the page must neither show nor complete it.
    await server.db.query('UPDATE authentication_challenges SET livemode = true WHERE id = $1', [challengeId]);
    assert.equal((await fetch(url)).status, 404);
    const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=complete', redirect: 'manual' });
    assert.ok(posted.status === 404 || posted.status === 403 || posted.status === 400, `refused, got ${posted.status}`);
    assert.equal((await account.stripe.paymentIntents.retrieve(intent.id)).status, 'requires_action', 'nothing was completed');
  });
});
