import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { listProviderReferences } from '../src/payment-methods/provider-references-repository.ts';
import { publishableSetupIntentFields } from '../src/setup-intents/render.ts';
import { submitChallengePage } from './helpers/challenge.ts';
import { expectStripeError, stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// SetupIntents through the official stripe SDK against Payrail's built-in test processor: a card verified and saved
// for later payments, with Stripe's test cards (success, declines, 3-D Secure on setup), the customer attach, events,
// SetupAttempts, idempotent retries, concurrent confirmations verifying once, tenancy, and a shopper's browser with a
// publishable key and the client secret.

const expYear = new Date().getUTCFullYear() + 3;
const returnUrl = 'https://shop.example/setup/return';

async function eventsOf(server: TestServer, objectId: string): Promise<{ type: string; request_id: string | null; idempotency_key: string | null; status: string }[]> {
  const result = await server.db.query<{ type: string; request_id: string | null; idempotency_key: string | null; status: string }>(
    `SELECT type, request_id, idempotency_key, data->'object'->>'status' AS status FROM events WHERE data->'object'->>'id' = $1 ORDER BY seq`,
    [objectId],
  );
  return result.rows;
}

describe('SetupIntents through the official stripe SDK (test processor)', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  it('creates one (usage off_session by default), then confirms it with a card: succeeded, the card attached to the customer, one SetupAttempt', async () => {
    const customer = await stripe.customers.create({ email: 'ada@example.com' });
    const created = await stripe.setupIntents.create({ customer: customer.id, description: 'Save a card', metadata: { order: '7' } });
    assert.match(created.id, /^seti_/);
    assert.match(created.client_secret!, new RegExp(`^${created.id}_secret_[0-9A-Za-z]+$`));
    assert.equal(created.status, 'requires_payment_method');
    assert.equal(created.usage, 'off_session');
    assert.deepEqual(created.payment_method_types, ['card']);
    assert.equal(created.latest_attempt, null);
    assert.deepEqual(created.metadata, { order: '7' });

    const card = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: expYear, cvc: '123' } });
    const updated = await stripe.setupIntents.update(created.id, { payment_method: card.id });
    assert.equal(updated.status, 'requires_confirmation');
    const confirmed = await stripe.setupIntents.confirm(created.id, { expand: ['latest_attempt', 'payment_method'] });
    assert.equal(confirmed.status, 'succeeded');
    assert.equal(confirmed.last_setup_error, null);
    assert.equal(confirmed.next_action, null);
    const method = confirmed.payment_method as Stripe.PaymentMethod;
    assert.equal(method.id, card.id);
    assert.equal(method.customer, customer.id, 'the verified card is attached to the SetupIntent\'s customer');
    const attempt = confirmed.latest_attempt as Stripe.SetupAttempt;
    assert.match(attempt.id, /^setatt_/);
    assert.equal(attempt.status, 'succeeded');
    assert.equal(attempt.setup_intent, created.id);
    assert.equal(attempt.usage, 'off_session');
    assert.equal(attempt.payment_method_details.type, 'card');
    assert.equal(attempt.payment_method_details.card?.last4, '4242');
    assert.equal(attempt.payment_method_details.card?.brand, 'visa');
    assert.equal(attempt.payment_method_details.card?.checks?.cvc_check, 'pass');

    const attempts = await stripe.setupAttempts.list({ setup_intent: created.id });
    assert.deepEqual(attempts.data.map((item) => [item.id, item.status]), [[attempt.id, 'succeeded']]);
    const methods = await stripe.customers.listPaymentMethods(customer.id);
    assert.deepEqual(methods.data.map((item) => item.id), [card.id]);

    // The provider's token and network transaction id are kept for later merchant-initiated payments.
    const references = await listProviderReferences(server.db, { accountId: server.account.accountId, livemode: false }, card.id);
    assert.equal(references.length, 1);
    assert.equal(references[0].connector, 'test_processor');
    assert.equal(references[0].usage, 'off_session');
    assert.equal(references[0].source_attempt_id, attempt.id);
    assert.match(references[0].provider_token!, /^tpm_/);
    assert.match(references[0].network_transaction_id!, /^\d{15}$/);

    // Events, in the order of the changes, each in its request.
    const events = await eventsOf(server, created.id);
    assert.deepEqual(events.map((event) => event.type), ['setup_intent.created', 'setup_intent.succeeded']);
    assert.equal(events[1].status, 'succeeded');
    assert.equal((await eventsOf(server, card.id)).map((event) => event.type).includes('payment_method.attached'), true);

    // Final: no second confirmation, no update of the card, no cancel.
    await expectStripeError(stripe.setupIntents.confirm(created.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'setup_intent_unexpected_state', statusCode: 400 });
    await expectStripeError(stripe.setupIntents.cancel(created.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'setup_intent_unexpected_state', statusCode: 400 });
    // Metadata may still change.
    assert.deepEqual((await stripe.setupIntents.update(created.id, { metadata: { order: '8' } })).metadata, { order: '8' });
  });

  it('creates and confirms at once with a test PaymentMethod id and usage on_session', async () => {
    const intent = await stripe.setupIntents.create({ payment_method: 'pm_card_mastercard', confirm: true, usage: 'on_session', return_url: returnUrl });
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.usage, 'on_session');
    assert.match(intent.payment_method as string, /^pm_/);
    const method = await stripe.paymentMethods.retrieve(intent.payment_method as string);
    assert.equal(method.card?.brand, 'mastercard');
    assert.equal(method.customer, null, 'no customer, nothing to attach to');
  });

  it('a declined card: 402 with the decline as Stripe renders it, last_setup_error, a failed SetupAttempt, setup_intent.setup_failed', async () => {
    const customer = await stripe.customers.create({});
    const intent = await stripe.setupIntents.create({ customer: customer.id });
    const error = await expectStripeError(stripe.setupIntents.confirm(intent.id, { payment_method: 'pm_card_chargeDeclined' }), {
      class: Stripe.errors.StripeCardError, type: 'card_error', code: 'card_declined', statusCode: 402,
    });
    assert.equal(error.decline_code, 'generic_decline');
    const raw = error.raw as { setup_intent?: Stripe.SetupIntent; payment_method?: Stripe.PaymentMethod };
    assert.equal(raw.setup_intent?.id, intent.id);
    assert.equal(raw.setup_intent?.status, 'requires_payment_method');
    assert.equal(raw.payment_method?.card?.last4, '0002');

    const failed = await stripe.setupIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.payment_method, null);
    assert.equal(failed.last_setup_error?.code, 'card_declined');
    assert.equal(failed.last_setup_error?.decline_code, 'generic_decline');
    assert.equal(failed.last_setup_error?.type, 'card_error');
    assert.equal(failed.last_setup_error?.payment_method?.card?.last4, '0002');
    const attempts = await stripe.setupAttempts.list({ setup_intent: intent.id });
    assert.equal(attempts.data[0].status, 'failed');
    assert.equal(attempts.data[0].setup_error?.code, 'card_declined');
    assert.deepEqual((await eventsOf(server, intent.id)).map((event) => event.type), ['setup_intent.created', 'setup_intent.setup_failed']);
    assert.equal((await stripe.customers.listPaymentMethods(customer.id)).data.length, 0, 'a declined card is not attached');

    // Another card then succeeds: two attempts, newest first.
    const retried = await stripe.setupIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    assert.equal(retried.status, 'succeeded');
    assert.equal(retried.last_setup_error, null);
    assert.deepEqual((await stripe.setupAttempts.list({ setup_intent: intent.id })).data.map((attempt) => attempt.status), ['succeeded', 'failed']);

    // The other declines, as for payments.
    for (const [method, code, declineCode] of [['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', 'incorrect_cvc'], ['pm_card_chargeDeclinedStolenCard', 'card_declined', 'stolen_card']] as const) {
      const declined = await stripeErrorOf(stripe.setupIntents.create({ payment_method: method, confirm: true }));
      assert.equal(declined.code, code);
      assert.equal(declined.decline_code, declineCode);
    }
  });

  for (const [name, number] of [['4000 0025 0000 3155 (authentication required on setup)', '4000002500003155'], ['4000 0000 0000 3220 (3-D Secure 2 required)', '4000000000003220']]) {
    it(`${name}: requires_action with a redirect to the challenge page, completed there, then succeeded`, async () => {
      const customer = await stripe.customers.create({});
      const card = await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: expYear, cvc: '123' } });
      const intent = await stripe.setupIntents.create({ customer: customer.id, payment_method: card.id, confirm: true, return_url: returnUrl });
      assert.equal(intent.status, 'requires_action');
      assert.equal(intent.next_action?.type, 'redirect_to_url');
      assert.equal(intent.next_action?.redirect_to_url?.return_url, returnUrl);
      const url = intent.next_action!.redirect_to_url!.url!;
      assert.ok(url.startsWith(`${server.baseUrl}/3ds/`), url);
      assert.equal((await stripe.setupAttempts.list({ setup_intent: intent.id })).data[0].status, 'requires_action');
      assert.equal((await stripe.customers.listPaymentMethods(customer.id)).data.length, 0, 'not attached before it is verified');

      // A POST without the page's token is refused: another site cannot answer the customer's challenge.
      const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=complete', redirect: 'manual' });
      assert.equal(forged.status, 403);

      const answer = await submitChallengePage(url, 'complete');
      assert.equal(answer.status, 303);
      const back = new URL(answer.headers.get('location')!);
      assert.equal(`${back.origin}${back.pathname}`, returnUrl);
      assert.equal(back.searchParams.get('setup_intent'), intent.id);
      assert.equal(back.searchParams.get('setup_intent_client_secret'), intent.client_secret);
      assert.equal(back.searchParams.get('redirect_status'), 'succeeded');

      const done = await stripe.setupIntents.retrieve(intent.id, { expand: ['latest_attempt'] });
      assert.equal(done.status, 'succeeded');
      assert.equal(done.next_action, null);
      const attempt = done.latest_attempt as Stripe.SetupAttempt;
      assert.equal(attempt.payment_method_details.card?.three_d_secure?.result, 'authenticated');
      assert.deepEqual((await stripe.customers.listPaymentMethods(customer.id)).data.map((item) => item.id), [card.id]);
      assert.deepEqual((await eventsOf(server, intent.id)).map((event) => event.type), ['setup_intent.created', 'setup_intent.requires_action', 'setup_intent.succeeded']);
      // The page answers once.
      const again = await fetch(url);
      assert.match(await again.text(), /Authentication finished/);
    });
  }

  it('a failed challenge: requires_payment_method with setup_intent_authentication_failure', async () => {
    const intent = await stripe.setupIntents.create({ payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: returnUrl });
    assert.equal(intent.status, 'requires_action');
    const answer = await submitChallengePage(intent.next_action!.redirect_to_url!.url!, 'fail');
    assert.equal(new URL(answer.headers.get('location')!).searchParams.get('redirect_status'), 'failed');
    const failed = await stripe.setupIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_setup_error?.code, 'setup_intent_authentication_failure');
    assert.equal(failed.last_setup_error?.type, 'card_error');
    assert.deepEqual((await eventsOf(server, intent.id)).map((event) => event.type), ['setup_intent.created', 'setup_intent.requires_action', 'setup_intent.setup_failed']);
  });

  it('request_three_d_secure=any sends any card through the challenge; cancel abandons it', async () => {
    const intent = await stripe.setupIntents.create({ payment_method: 'pm_card_visa', payment_method_options: { card: { request_three_d_secure: 'any' } } });
    assert.equal(intent.payment_method_options?.card?.request_three_d_secure, 'any');
    const waiting = await stripe.setupIntents.confirm(intent.id, { return_url: returnUrl });
    assert.equal(waiting.status, 'requires_action');
    const canceled = await stripe.setupIntents.cancel(intent.id, { cancellation_reason: 'requested_by_customer' });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_reason, 'requested_by_customer');
    assert.equal(canceled.next_action, null);
    assert.equal((await stripe.setupAttempts.list({ setup_intent: intent.id })).data[0].status, 'abandoned');
    // The challenge page no longer completes it.
    const page = await fetch(waiting.next_action!.redirect_to_url!.url!);
    assert.match(await page.text(), /abandoned/);
    assert.deepEqual((await eventsOf(server, intent.id)).map((event) => event.type), ['setup_intent.created', 'setup_intent.requires_action', 'setup_intent.canceled']);
    await expectStripeError(stripe.setupIntents.confirm(intent.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'setup_intent_unexpected_state', statusCode: 400 });
  });

  it('keeps mandate_data, refuses other payment method types, confirm-time parameters without confirm, and a missing card', async () => {
    const intent = await stripe.setupIntents.create({
      payment_method: 'pm_card_visa', confirm: true,
      mandate_data: { customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' } } },
    });
    assert.equal(intent.status, 'succeeded');
    const stored = await server.db.query<{ mandate_data: { customer_acceptance: { type: string; online: { ip_address: string } } } }>('SELECT mandate_data FROM setup_intents WHERE id = $1', [intent.id]);
    assert.equal(stored.rows[0].mandate_data.customer_acceptance.type, 'online');
    assert.equal(stored.rows[0].mandate_data.customer_acceptance.online.ip_address, '203.0.113.7');
    assert.equal(intent.mandate, null, 'a card needs no mandate');

    await expectStripeError(stripe.setupIntents.create({ payment_method_types: ['sofort'] } as Stripe.SetupIntentCreateParams), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'setup_intent_invalid_parameter', param: 'payment_method_types[0]', statusCode: 400,
    });
    await expectStripeError(stripe.setupIntents.create({ return_url: returnUrl }), { class: Stripe.errors.StripeInvalidRequestError, param: 'return_url', statusCode: 400 });
    await expectStripeError(stripe.setupIntents.create({ usage: 'sometimes' as never }), { class: Stripe.errors.StripeInvalidRequestError, param: 'usage', statusCode: 400 });
    const bare = await stripe.setupIntents.create({});
    await expectStripeError(stripe.setupIntents.confirm(bare.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'setup_intent_unexpected_state', param: 'payment_method', statusCode: 400 });
    const paypal = await stripe.paymentMethods.create({ type: 'paypal' });
    await expectStripeError(stripe.setupIntents.confirm(bare.id, { payment_method: paypal.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'setup_intent_invalid_parameter', param: 'payment_method', statusCode: 400 });
    await expectStripeError(stripe.setupIntents.retrieve('seti_doesnotexist'), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(stripe.setupAttempts.list({ setup_intent: 'seti_doesnotexist' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', param: 'setup_intent', statusCode: 404 });
    // A card attached to one customer cannot be set up for another.
    const owner = await stripe.customers.create({});
    const other = await stripe.customers.create({});
    const owned = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: expYear } });
    await stripe.paymentMethods.attach(owned.id, { customer: owner.id });
    await expectStripeError(stripe.setupIntents.create({ customer: other.id, payment_method: owned.id, confirm: true }), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'setup_intent_invalid_parameter', param: 'payment_method', statusCode: 400,
    });
  });

  it('lists by customer, payment_method and created, newest first, with cursors', async () => {
    const customer = await stripe.customers.create({});
    const first = await stripe.setupIntents.create({ customer: customer.id });
    const second = await stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    const page = await stripe.setupIntents.list({ customer: customer.id });
    assert.deepEqual(page.data.map((item) => item.id), [second.id, first.id]);
    const byMethod = await stripe.setupIntents.list({ payment_method: second.payment_method as string });
    assert.deepEqual(byMethod.data.map((item) => item.id), [second.id]);
    const after = await stripe.setupIntents.list({ customer: customer.id, limit: 1, starting_after: second.id });
    assert.deepEqual(after.data.map((item) => item.id), [first.id]);
    const none = await stripe.setupIntents.list({ customer: customer.id, created: { gt: second.created + 1000 } });
    assert.equal(none.data.length, 0);
  });

  it('an idempotent retry of create-and-confirm answers the same and verifies once', async () => {
    const key = `setup-${Math.random()}`;
    const first = await stripe.setupIntents.create({ payment_method: 'pm_card_visa', confirm: true }, { idempotencyKey: key });
    const second = await stripe.setupIntents.create({ payment_method: 'pm_card_visa', confirm: true }, { idempotencyKey: key });
    assert.equal(second.id, first.id);
    assert.equal(second.status, 'succeeded');
    assert.equal((await stripe.setupAttempts.list({ setup_intent: first.id })).data.length, 1);
    const count = await server.db.query<{ count: string }>(`SELECT count(*) FROM setup_intents WHERE account_id = $1 AND id = $2`, [server.account.accountId, first.id]);
    assert.equal(Number(count.rows[0].count), 1);
    const events = await eventsOf(server, first.id);
    assert.deepEqual(events.map((event) => event.type), ['setup_intent.created', 'setup_intent.succeeded']);
    assert.deepEqual(events.map((event) => event.idempotency_key), [key, key]);
    // The same key with other parameters is refused.
    await expectStripeError(stripe.setupIntents.create({ payment_method: 'pm_card_mastercard', confirm: true }, { idempotencyKey: key }), { class: Stripe.errors.StripeIdempotencyError, statusCode: 400 });
  });

  it('concurrent confirmations of one SetupIntent verify once', async () => {
    const intent = await stripe.setupIntents.create({ payment_method: 'pm_card_visa' });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => stripe.setupIntents.confirm(intent.id)));
    const succeeded = results.filter((result) => result.status === 'fulfilled');
    assert.ok(succeeded.length >= 1, 'one confirmation goes through');
    for (const result of results) {
      if (result.status === 'rejected') {
        const error = result.reason as Stripe.errors.StripeError;
        // The others find it processing or succeeded (400), or wait on its lock too long (429): never a 500.
        assert.ok(error.statusCode === 400 || error.statusCode === 429, `${error.statusCode} ${error.code} ${error.message}`);
      }
    }
    assert.equal((await stripe.setupAttempts.list({ setup_intent: intent.id })).data.length, 1, 'one verification');
    assert.equal((await eventsOf(server, intent.id)).filter((event) => event.type === 'setup_intent.succeeded').length, 1);
  });

  it('tenancy: another account sees none of it', async () => {
    const intent = await stripe.setupIntents.create({ payment_method: 'pm_card_visa', confirm: true });
    const other = await server.createAccount('Other merchant');
    await expectStripeError(other.stripe.setupIntents.retrieve(intent.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(other.stripe.setupIntents.confirm(intent.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(other.stripe.setupIntents.update(intent.id, { metadata: { a: 'b' } }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(other.stripe.setupIntents.cancel(intent.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    await expectStripeError(other.stripe.setupAttempts.list({ setup_intent: intent.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
    assert.equal((await other.stripe.setupIntents.list()).data.length, 0);
    // Nor another account's PaymentMethod.
    await expectStripeError(other.stripe.setupIntents.create({ payment_method: intent.payment_method as string, confirm: true }), { class: Stripe.errors.StripeInvalidRequestError, code: 'resource_missing', statusCode: 404 });
  });

  describe('a shopper\'s browser: publishable key and client secret', () => {
    it('retrieves and confirms with the client secret, seeing only the public fields', async () => {
      const publishable = server.stripeFor(server.account.publishableKey);
      const customer = await stripe.customers.create({});
      const intent = await stripe.setupIntents.create({ customer: customer.id, metadata: { secret: 'merchant-only' } });
      const seen = await publishable.setupIntents.retrieve(intent.id, { client_secret: intent.client_secret! });
      assert.deepEqual(Object.keys(seen).sort(), [...publishableSetupIntentFields].sort());
      assert.equal('customer' in seen, false);
      assert.equal('metadata' in seen, false);
      const card = await publishable.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: expYear, cvc: '123' } });
      const confirmed = await publishable.setupIntents.confirm(intent.id, { payment_method: card.id, client_secret: intent.client_secret! } as Stripe.SetupIntentConfirmParams);
      assert.equal(confirmed.status, 'succeeded');
      assert.equal('customer' in confirmed, false);
      assert.equal((await stripe.paymentMethods.retrieve(card.id)).customer, customer.id);
      // A decline's 402 carries the public fields only.
      const declining = await stripe.setupIntents.create({ customer: customer.id });
      const error = await stripeErrorOf(publishable.setupIntents.confirm(declining.id, { payment_method: 'pm_card_chargeDeclined', client_secret: declining.client_secret! } as Stripe.SetupIntentConfirmParams));
      assert.equal(error.statusCode, 402);
      assert.deepEqual(Object.keys((error.raw as { setup_intent: object }).setup_intent).sort(), [...publishableSetupIntentFields].sort());
    });

    it('answers a wrong secret, another SetupIntent\'s secret and another account\'s SetupIntent alike, and refuses a missing secret', async () => {
      const publishable = server.stripeFor(server.account.publishableKey);
      const intent = await stripe.setupIntents.create({});
      const other = await stripe.setupIntents.create({});
      const foreignAccount = await server.createAccount('Another merchant');
      const foreign = await foreignAccount.stripe.setupIntents.create({});
      const attempts: [string, string][] = [
        [intent.id, `${intent.id}_secret_wrong`],
        [intent.id, other.client_secret!],
        [foreign.id, foreign.client_secret!],
        ['seti_doesnotexist', 'seti_doesnotexist_secret_x'],
      ];
      const messages = new Set<string>();
      for (const [id, secret] of attempts) {
        const retrieveError = await stripeErrorOf(publishable.setupIntents.retrieve(id, { client_secret: secret }));
        assert.equal(retrieveError.statusCode, 404);
        assert.equal(retrieveError.code, 'resource_missing');
        messages.add(retrieveError.message.replace(id, '<id>'));
        const confirmError = await stripeErrorOf(publishable.setupIntents.confirm(id, { payment_method: 'pm_card_visa', client_secret: secret } as Stripe.SetupIntentConfirmParams));
        assert.equal(confirmError.statusCode, 404);
      }
      assert.equal(messages.size, 1, 'one answer for every wrong secret');
      const noSecret = await stripeErrorOf(publishable.setupIntents.retrieve(intent.id));
      assert.equal(noSecret.statusCode, 401);
      // Other SetupIntent operations stay closed to a publishable key.
      assert.equal((await stripeErrorOf(publishable.setupIntents.create({}))).statusCode, 401);
      assert.equal((await stripeErrorOf(publishable.setupIntents.cancel(intent.id))).statusCode, 401);
      // Nothing was confirmed.
      assert.equal((await stripe.setupIntents.retrieve(intent.id)).status, 'requires_payment_method');
    });

    it('CORS: a page on any origin may retrieve and confirm, and nothing else', async () => {
      const preflight = async (method: string, path: string) => fetch(`${server.baseUrl}${path}`, {
        method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': method, 'access-control-request-headers': 'authorization' },
      });
      const retrieve = await preflight('GET', '/v1/setup_intents/seti_123');
      assert.equal(retrieve.status, 204);
      assert.equal(retrieve.headers.get('access-control-allow-origin'), '*');
      assert.equal((await preflight('POST', '/v1/setup_intents/seti_123/confirm')).status, 204);
      assert.equal((await preflight('POST', '/v1/setup_intents/seti_123/cancel')).status, 404);
      assert.equal((await preflight('POST', '/v1/setup_intents')).status, 404);
    });
  });
});
