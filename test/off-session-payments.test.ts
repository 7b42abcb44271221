import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { listProviderReferences } from '../src/payment-methods/provider-references-repository.ts';
import { submitChallengePage } from './helpers/challenge.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/*
 * Off-session payments as merchant-initiated transactions, through the official stripe SDK against the built-in test
 * processor, which follows Stripe's test cards: 4000 0025 0000 3155 asks for authentication on one-off payments but
 * not on merchant-initiated ones once it is set up (a SetupIntent, or a payment with setup_future_usage);
 * 4000 0027 6000 3184 asks for it whatever happened before, so an off-session payment of it is declined with Stripe's
 * 402 authentication_required. The Adyen path (tokens, ContAuth) is in test/orchestration-adyen.test.ts.
 */

const returnUrl = 'https://shop.example/after-3ds';
const expYear = new Date().getUTCFullYear() + 3;
const setUpOnceCard = '4000002500003155';
const alwaysAuthenticateCard = '4000002760003184';

describe('off-session payments (merchant-initiated) with the test processor', () => {
  let server: TestServer;
  let stripe: Stripe;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  async function cardFor(customer: string, number: string): Promise<string> {
    const card = await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: expYear, cvc: '123' } });
    await stripe.paymentMethods.attach(card.id, { customer });
    return card.id;
  }

  /** Saves the card through a SetupIntent, passing its 3-D Secure challenge on the test processor's page. */
  async function setUp(customer: string, paymentMethod: string): Promise<Stripe.SetupIntent> {
    const intent = await stripe.setupIntents.create({ customer, payment_method: paymentMethod, confirm: true, usage: 'off_session', return_url: returnUrl });
    assert.equal(intent.status, 'requires_action');
    assert.equal((await submitChallengePage(intent.next_action!.redirect_to_url!.url!, 'complete')).status, 303);
    const done = await stripe.setupIntents.retrieve(intent.id);
    assert.equal(done.status, 'succeeded');
    return done;
  }

  async function attemptOf(intent: Stripe.PaymentIntent): Promise<{ merchant_initiated: boolean; status: string }> {
    const result = await server.db.query<{ merchant_initiated: boolean; status: string }>(
      'SELECT merchant_initiated, status FROM payment_attempts WHERE payment_intent_id = $1 ORDER BY started_at DESC LIMIT 1', [intent.id]);
    return result.rows[0];
  }

  it('declines an off-session payment of a card that was never set up: 402 authentication_required with the PaymentIntent', async () => {
    const customer = await stripe.customers.create({});
    const paymentMethod = await cardFor(customer.id, setUpOnceCard);
    const error = await stripeErrorOf(stripe.paymentIntents.create({ amount: 1500, currency: 'eur', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true }));
    assert.ok(error instanceof Stripe.errors.StripeCardError);
    assert.equal(error.statusCode, 402);
    assert.equal(error.code, 'authentication_required');
    assert.equal(error.decline_code, 'authentication_required');
    const intent = (error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent;
    assert.equal(intent.status, 'requires_payment_method');
    assert.equal(intent.last_payment_error?.code, 'authentication_required');
    assert.equal((await attemptOf(intent)).merchant_initiated, true);
  });

  it('charges a card set up through a SetupIntent off-session without asking for authentication again', async () => {
    const customer = await stripe.customers.create({});
    const paymentMethod = await cardFor(customer.id, setUpOnceCard);
    const setup = await setUp(customer.id, paymentMethod);
    const [reference] = await listProviderReferences(server.db, { accountId: server.account.accountId, livemode: false }, paymentMethod);
    assert.equal(reference.source_attempt_id, setup.latest_attempt);

    const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true });
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount_received, 2500);
    const attempt = await attemptOf(intent);
    assert.equal(attempt.merchant_initiated, true);
    assert.equal(attempt.status, 'authorized');

    // The same card on session is a one-off payment the customer makes: 3-D Secure again, as at Stripe.
    const onSession = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', customer: customer.id, payment_method: paymentMethod, confirm: true, return_url: returnUrl });
    assert.equal(onSession.status, 'requires_action');
    assert.equal((await attemptOf(onSession)).merchant_initiated, false);
  });

  it('still declines a card that asks for authentication on every payment, even once set up', async () => {
    const customer = await stripe.customers.create({});
    const paymentMethod = await cardFor(customer.id, alwaysAuthenticateCard);
    await setUp(customer.id, paymentMethod);
    const error = await stripeErrorOf(stripe.paymentIntents.create({ amount: 900, currency: 'eur', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true }));
    assert.ok(error instanceof Stripe.errors.StripeCardError);
    assert.equal(error.code, 'authentication_required');
    // The merchant brings the customer back on session: the PaymentIntent is confirmed with 3-D Secure.
    const intent = (error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent;
    const again = await stripe.paymentIntents.confirm(intent.id, { payment_method: paymentMethod, return_url: returnUrl });
    assert.equal(again.status, 'requires_action');
    assert.equal((await submitChallengePage(again.next_action!.redirect_to_url!.url!, 'complete')).status, 303);
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
  });

  it('saves a card with setup_future_usage on a payment the customer makes, then charges it off-session', async () => {
    const customer = await stripe.customers.create({});
    const card = await stripe.paymentMethods.create({ type: 'card', card: { number: setUpOnceCard, exp_month: 12, exp_year: expYear, cvc: '123' } });
    const first = await stripe.paymentIntents.create({ amount: 4000, currency: 'eur', customer: customer.id, payment_method: card.id, setup_future_usage: 'off_session', confirm: true, return_url: returnUrl });
    assert.equal(first.status, 'requires_action');
    assert.equal((await submitChallengePage(first.next_action!.redirect_to_url!.url!, 'complete')).status, 303);
    const paid = await stripe.paymentIntents.retrieve(first.id, { expand: ['latest_charge'] });
    assert.equal(paid.status, 'succeeded');
    const charge = paid.latest_charge as Stripe.Charge;
    const networkTransactionId = (charge.payment_method_details?.card as { network_transaction_id?: string | null }).network_transaction_id;
    assert.match(networkTransactionId ?? '', /^\d{15}$/, 'the first payment has the scheme\'s transaction id');
    assert.equal((await stripe.paymentMethods.retrieve(card.id)).customer, customer.id, 'attached to the customer');
    const references = await listProviderReferences(server.db, { accountId: server.account.accountId, livemode: false }, card.id);
    assert.equal(references.length, 1);
    assert.equal(references[0].usage, 'off_session');
    assert.equal(references[0].network_transaction_id, networkTransactionId);
    assert.match(references[0].source_attempt_id, /^pa_/);

    const later = await stripe.paymentIntents.create({ amount: 1200, currency: 'eur', customer: customer.id, payment_method: card.id, off_session: true, confirm: true });
    assert.equal(later.status, 'succeeded');
  });

  it('keeps nothing for a payment without setup_future_usage, nor for a saving payment that is declined', async () => {
    const customer = await stripe.customers.create({});
    const plain = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: expYear, cvc: '123' } });
    const paid = await stripe.paymentIntents.create({ amount: 500, currency: 'eur', customer: customer.id, payment_method: plain.id, confirm: true });
    assert.equal(paid.status, 'succeeded');
    assert.equal((await listProviderReferences(server.db, { accountId: server.account.accountId, livemode: false }, plain.id)).length, 0);

    const declining = await stripe.paymentMethods.create({ type: 'card', card: { number: '4000000000000002', exp_month: 12, exp_year: expYear, cvc: '123' } });
    const error = await stripeErrorOf(stripe.paymentIntents.create({ amount: 500, currency: 'eur', customer: customer.id, payment_method: declining.id, setup_future_usage: 'off_session', confirm: true }));
    assert.ok(error instanceof Stripe.errors.StripeCardError);
    assert.equal((await listProviderReferences(server.db, { accountId: server.account.accountId, livemode: false }, declining.id)).length, 0);
  });
});
