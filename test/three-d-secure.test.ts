import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { stripeErrorOf as stripeError } from './helpers/stripe-errors.ts';
import { challengeFormToken } from './helpers/challenge.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';


const returnUrl = 'https://shop.example.com/checkout/return?order=42';

/** The challenge page address from a `requires_action` intent. */
function challengeUrl(intent: Stripe.PaymentIntent): string {
  assert.equal(intent.status, 'requires_action');
  assert.equal(intent.next_action?.type, 'redirect_to_url');
  const url = intent.next_action?.redirect_to_url?.url;
  assert.ok(url, 'next_action.redirect_to_url.url is set');
  return url;
}

/** The form token of each challenge page, as the customer's browser has it once it has shown the page. */
const formTokens = new Map<string, string>();

/** Opens the challenge page as the customer's browser would and keeps its form token. */
async function openChallenge(url: string): Promise<void> {
  const page = await fetch(url);
  const html = await page.text();
  if (page.status === 200 && /name="csrf_token"/.test(html)) formTokens.set(url, challengeFormToken(html));
}

/**
 * Submits the challenge page form as a browser would (with the token of the page it showed; a page never shown has
 * none), without following the redirect.
 */
async function submitChallenge(url: string, action: string): Promise<Response> {
  if (!formTokens.has(url)) await openChallenge(url);
  const token = formTokens.get(url);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...(token ? { csrf_token: token } : {}), action }).toString(),
    redirect: 'manual',
  });
}

/** Asserts a 303 back to the return_url carrying Stripe's query parameters, and returns them. */
function expectReturnRedirect(response: Response, intent: Stripe.PaymentIntent, redirectStatus: 'succeeded' | 'failed'): URLSearchParams {
  assert.equal(response.status, 303);
  const location = response.headers.get('location');
  assert.ok(location, 'a Location header');
  const target = new URL(location);
  const expected = new URL(returnUrl);
  assert.equal(target.origin + target.pathname, expected.origin + expected.pathname);
  assert.equal(target.searchParams.get('order'), '42', 'the return_url query is kept');
  assert.equal(target.searchParams.get('payment_intent'), intent.id);
  assert.equal(target.searchParams.get('payment_intent_client_secret'), intent.client_secret);
  assert.equal(target.searchParams.get('redirect_status'), redirectStatus);
  return target.searchParams;
}

describe('3-D Secure through the official stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
  });
  after(async () => {
    await server.close();
  });

  async function requireAction(paymentMethod: string, options: Partial<Stripe.PaymentIntentCreateParams> = {}): Promise<Stripe.PaymentIntent> {
    const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: paymentMethod, confirm: true, return_url: returnUrl, ...options });
    assert.equal(intent.status, 'requires_action');
    return intent;
  }

  for (const paymentMethod of ['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required']) {
    it(`${paymentMethod}: confirm asks for a redirect to a Payrail challenge page`, async () => {
      const intent = await requireAction(paymentMethod);
      const url = challengeUrl(intent);
      assert.ok(url.startsWith(`${server.baseUrl}/3ds/auth_`), url);
      assert.equal(intent.next_action?.redirect_to_url?.return_url, returnUrl);
      assert.equal(intent.amount_received, 0);
      assert.equal(intent.last_payment_error, null);

      const retrieved = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(retrieved.status, 'requires_action');
      assert.equal(retrieved.next_action?.redirect_to_url?.url, url);

      const events = await stripe.events.list({ type: 'payment_intent.requires_action', limit: 100 });
      const mine = events.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === intent.id);
      assert.equal(mine.length, 1);
      assert.equal((mine[0].data.object as Stripe.PaymentIntent).status, 'requires_action');

      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.match(html, /<form method="post"/);
      assert.match(html, /name="action" value="complete"/);
      assert.match(html, /name="action" value="fail"/);
      assert.match(html, /25\.00 USD/);

      const response = await submitChallenge(url, 'complete');
      expectReturnRedirect(response, intent, 'succeeded');

      const succeeded = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
      assert.equal(succeeded.status, 'succeeded');
      assert.equal(succeeded.amount_received, 2500);
      assert.equal(succeeded.next_action, null);
      const charge = succeeded.latest_charge as Stripe.Charge;
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.captured, true);
      assert.equal(charge.outcome?.type, 'authorized');
      assert.equal(charge.payment_method_details?.card?.three_d_secure?.result, 'authenticated');

      const chargeEvents = await stripe.events.list({ type: 'payment_intent.succeeded', limit: 100 });
      assert.equal(chargeEvents.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === intent.id).length, 1);
    });
  }

  it('confirms later with a return_url, and completes into requires_capture for manual capture', async () => {
    const created = await stripe.paymentIntents.create({ amount: 4000, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', capture_method: 'manual' });
    const intent = await stripe.paymentIntents.confirm(created.id, { return_url: returnUrl });
    const url = challengeUrl(intent);
    assert.equal(intent.next_action?.redirect_to_url?.return_url, returnUrl);

    expectReturnRedirect(await submitChallenge(url, 'complete'), intent, 'succeeded');
    const authorized = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(authorized.status, 'requires_capture');
    assert.equal(authorized.amount_capturable, 4000);
    assert.equal(authorized.amount_received, 0);

    const captured = await stripe.paymentIntents.capture(intent.id);
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.amount_received, 4000);
  });

  it('a failed challenge sends the intent back to requires_payment_method with payment_intent_authentication_failure', async () => {
    const intent = await requireAction('pm_card_authenticationRequired');
    const url = challengeUrl(intent);
    expectReturnRedirect(await submitChallenge(url, 'fail'), intent, 'failed');

    const failed = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.next_action, null);
    assert.equal(failed.payment_method, null);
    assert.equal(failed.amount_received, 0);
    assert.equal(failed.last_payment_error?.type, 'card_error');
    assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');

    const charge = await stripe.charges.retrieve(String(failed.latest_charge));
    assert.equal(charge.status, 'failed');
    assert.equal(charge.paid, false);

    const events = await stripe.events.list({ type: 'payment_intent.payment_failed', limit: 100 });
    assert.equal(events.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === intent.id).length, 1);

    // The customer can try again with another card.
    const retried = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    assert.equal(retried.status, 'succeeded');
    assert.equal(retried.last_payment_error, null);
  });

  it('pm_card_authenticationRequiredChargeDeclinedInsufficientFunds declines with insufficient_funds after authentication', async () => {
    const intent = await requireAction('pm_card_authenticationRequiredChargeDeclinedInsufficientFunds');
    const url = challengeUrl(intent);
    expectReturnRedirect(await submitChallenge(url, 'complete'), intent, 'failed');

    const declined = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(declined.status, 'requires_payment_method');
    assert.equal(declined.last_payment_error?.type, 'card_error');
    assert.equal(declined.last_payment_error?.code, 'card_declined');
    assert.equal(declined.last_payment_error?.decline_code, 'insufficient_funds');
    const charge = await stripe.charges.retrieve(String(declined.latest_charge));
    assert.equal(charge.status, 'failed');
    assert.equal(charge.failure_code, 'card_declined');
    assert.equal(charge.outcome?.reason, 'insufficient_funds');
  });

  it('pm_card_threeDSecureOptional succeeds with no action', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_threeDSecureOptional', confirm: true, return_url: returnUrl });
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.next_action, null);
    assert.equal(intent.amount_received, 2500);
    const challenges = await server.db.query('SELECT count(*)::int AS count FROM authentication_challenges WHERE payment_intent_id = $1', [intent.id]);
    assert.equal(challenges.rows[0].count, 0);
  });

  it('a challenge cannot be completed twice', async () => {
    const intent = await requireAction('pm_card_authenticationRequired');
    const url = challengeUrl(intent);
    expectReturnRedirect(await submitChallenge(url, 'complete'), intent, 'succeeded');

    // A second submission (a double click, or the back button) changes nothing: not even a failure overrides it.
    const again = await submitChallenge(url, 'fail');
    expectReturnRedirect(again, intent, 'succeeded');
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Authentication finished/);
    assert.doesNotMatch(html, /value="complete"/);

    const after = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(after.status, 'succeeded');
    assert.equal(after.last_payment_error, null);
    const charges = await stripe.charges.list({ payment_intent: intent.id });
    assert.equal(charges.data.length, 1);
    assert.equal(charges.data[0].status, 'succeeded');
    const challenge = await server.db.query('SELECT status FROM authentication_challenges WHERE payment_intent_id = $1', [intent.id]);
    assert.deepEqual(challenge.rows, [{ status: 'succeeded' }]);
  });

  it('a failed challenge cannot be completed afterwards', async () => {
    const intent = await requireAction('pm_card_threeDSecure2Required');
    const url = challengeUrl(intent);
    expectReturnRedirect(await submitChallenge(url, 'fail'), intent, 'failed');
    expectReturnRedirect(await submitChallenge(url, 'complete'), intent, 'failed');
    const after = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(after.status, 'requires_payment_method');
    assert.equal(after.last_payment_error?.code, 'payment_intent_authentication_failure');
  });

  it('cancels while requires_action, abandoning the challenge', async () => {
    const intent = await requireAction('pm_card_authenticationRequired');
    const url = challengeUrl(intent);
    await openChallenge(url);
    const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.cancellation_reason, 'abandoned');
    assert.equal(canceled.next_action, null);

    const charge = await stripe.charges.retrieve(String(canceled.latest_charge));
    assert.equal(charge.status, 'failed');
    const challenge = await server.db.query('SELECT status FROM authentication_challenges WHERE payment_intent_id = $1', [intent.id]);
    assert.deepEqual(challenge.rows, [{ status: 'abandoned' }]);

    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /This authentication is abandoned/);
    // Completing an abandoned challenge does not revive the intent.
    expectReturnRedirect(await submitChallenge(url, 'complete'), intent, 'failed');
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'canceled');
  });

  it('a new confirmation while requires_action replaces the pending challenge', async () => {
    const intent = await requireAction('pm_card_authenticationRequired');
    const firstUrl = challengeUrl(intent);
    await openChallenge(firstUrl);
    const retried = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    assert.equal(retried.status, 'succeeded');
    // The old challenge belongs to an attempt that is no longer the intent's latest: completing it changes nothing.
    expectReturnRedirect(await submitChallenge(firstUrl, 'fail'), intent, 'succeeded');
    const after = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(after.status, 'succeeded');
    assert.equal(after.latest_charge, retried.latest_charge);
  });

  it('rejects a bad action with 400 and unknown challenges with 404 (a form for one can carry no valid token: 403)', async () => {
    const intent = await requireAction('pm_card_authenticationRequired');
    const url = challengeUrl(intent);
    const bad = await submitChallenge(url, 'approve');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Bad request/);
    const empty = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });
    assert.equal(empty.status, 400);
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'requires_action', 'a bad request leaves the challenge pending');

    const unknownId = 'auth_' + 'A'.repeat(24);
    assert.equal((await fetch(`${server.baseUrl}/3ds/${unknownId}`)).status, 404);
    assert.equal((await submitChallenge(`${server.baseUrl}/3ds/${unknownId}`, 'complete')).status, 403);
    assert.equal((await fetch(`${server.baseUrl}/3ds/not-an-id`)).status, 404);
    assert.equal((await submitChallenge(`${server.baseUrl}/3ds/not-an-id`, 'complete')).status, 400);

    // The page still works after the bad requests.
    expectReturnRedirect(await submitChallenge(url, 'complete'), intent, 'succeeded');
  });

  it('declines off-session confirmation instead of asking for authentication', async () => {
    const created = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required' });
    const error = await stripeError(stripe.paymentIntents.confirm(created.id, { off_session: true }));
    assert.ok(error instanceof Stripe.errors.StripeCardError);
    assert.equal(error.statusCode, 402);
    assert.equal(error.code, 'authentication_required');
    const challenges = await server.db.query('SELECT count(*)::int AS count FROM authentication_challenges WHERE payment_intent_id = $1', [created.id]);
    assert.equal(challenges.rows[0].count, 0);
  });
});
