import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type Stripe from 'stripe';
import { sweepCheckoutSessions } from '../src/checkout/sweep.ts';
import { startPayPalSandbox, type PayPalSandbox } from '../src/sandbox/paypal/server.ts';
import { launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// A Checkout Session paid with a delayed-notification method (PayPal paying by eCheck: PayPal completes the order
// but holds the capture PENDING until the bank clears it) completes at once with payment_status unpaid, and sends
// checkout.session.async_payment_succeeded or _failed once when PayPal's webhook ends the payment. The shopper pays
// in Chromium through the PayPal sandbox; the sandbox's bank clears or denies the capture on request.

describe('Checkout Sessions paid with a delayed payment (PayPal eCheck, through its sandbox)', () => {
  let server: TestServer;
  let sandbox: PayPalSandbox;
  let browser: Browser;
  let merchant: MerchantSite;
  let configurationId: string;

  before(async () => {
    server = await startTestServer();
    sandbox = await startPayPalSandbox({ clientId: 'async-paypal-client', clientSecret: 'async-paypal-secret', webhookId: 'WHASYNCPAYPAL', webhookRetryDelaysMs: [] });
    const configuration = await server.account.stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'paypal', credentials: { client_id: 'async-paypal-client', client_secret: 'async-paypal-secret', webhook_id: 'WHASYNCPAYPAL' }, settings: { base_url: sandbox.url },
    });
    configurationId = String(configuration.id);
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
    merchant = await startMerchantSite({ heading: () => 'Thanks for your order' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await sandbox.close();
    await server.close();
  });

  /** Delivers every webhook the sandbox has queued to Payrail's endpoint for the configuration, then stops delivering. */
  async function deliverWebhooks(): Promise<void> {
    sandbox.setWebhookUrl(`${server.baseUrl}/payrail/webhooks/${configurationId}`);
    await sandbox.webhooksIdle();
    sandbox.setWebhookUrl(undefined);
    for (const webhook of sandbox.records().webhooks) {
      if (webhook.attempts > 0) assert.equal(webhook.delivered, true, `webhook ${webhook.eventType} ${webhook.resourceId} was accepted (last status ${webhook.lastStatus})`);
    }
  }

  /** The shopper pays the session's page with PayPal, approving by eCheck, and lands on success_url. */
  async function payByECheck(amount: number): Promise<Stripe.Checkout.Session> {
    const stripe = server.account.stripe;
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: amount, product_data: { name: 'Garden bench' } }, quantity: 1 }],
      success_url: `${merchant.url}/thanks?session_id={CHECKOUT_SESSION_ID}`,
    });
    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.getByLabel('Email').fill('echeck-buyer@example.com');
    await page.getByRole('button', { name: 'Pay with PayPal' }).click();
    await page.locator('#approve-echeck').click();
    // Stripe sends the shopper of a delayed method to success_url at once: the order is placed, the money comes later.
    await page.waitForURL(`${merchant.url}/thanks?session_id=${session.id}`);
    await page.close();
    return session;
  }

  async function eventsOf(sessionId: string): Promise<string[]> {
    const events = await server.account.stripe.events.list({ limit: 100 });
    return events.data
      .filter((event) => (event.data.object as { id?: string }).id === sessionId && event.type.startsWith('checkout.session.'))
      .map((event) => event.type)
      .reverse();
  }

  /** The sandbox's bank clears or refuses the one PENDING capture (the tests run one after another). */
  async function settlePendingCapture(status: 'COMPLETED' | 'DECLINED'): Promise<void> {
    const pending = sandbox.records().captures.filter((capture) => capture.status === 'PENDING');
    assert.equal(pending.length, 1, 'one capture is pending at PayPal');
    const answer = await fetch(`${sandbox.url}/sandbox/admin/captures/${pending[0].id}/settle`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status }) });
    assert.equal(answer.status, 200, await answer.text());
  }

  it('completes unpaid at once, then sends async_payment_succeeded once when PayPal clears the capture', async () => {
    const stripe = server.account.stripe;
    const session = await payByECheck(12_500);
    const completed = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    assert.equal(completed.status, 'complete');
    assert.equal(completed.payment_status, 'unpaid');
    const intent = completed.payment_intent as Stripe.PaymentIntent;
    assert.equal(intent.status, 'processing');
    assert.deepEqual(await eventsOf(session.id), ['checkout.session.completed']);

    // Nothing to tell while the capture is pending (its PAYMENT.CAPTURE.PENDING webhook included).
    await deliverWebhooks();
    await sweepCheckoutSessions(server.deps);
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).payment_status, 'unpaid');

    await settlePendingCapture('COMPLETED');
    await deliverWebhooks();
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
    await sweepCheckoutSessions(server.deps);
    await sweepCheckoutSessions(server.deps);
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(paid.status, 'complete');
    assert.equal(paid.payment_status, 'paid');
    assert.deepEqual(await eventsOf(session.id), ['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
    const [succeeded] = (await stripe.events.list({ type: 'checkout.session.async_payment_succeeded', limit: 10 })).data.filter(
      (event) => (event.data.object as Stripe.Checkout.Session).id === session.id,
    );
    assert.equal((succeeded.data.object as Stripe.Checkout.Session).payment_status, 'paid');
  });

  it('sends async_payment_failed once when PayPal denies the capture; the session stays complete and unpaid', async () => {
    const stripe = server.account.stripe;
    const session = await payByECheck(4_200);
    const intentId = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
    await deliverWebhooks();
    await settlePendingCapture('DECLINED');
    await deliverWebhooks();
    const intent = await stripe.paymentIntents.retrieve(intentId);
    assert.equal(intent.status, 'requires_payment_method');
    assert.ok(intent.last_payment_error, 'the denied capture is the intent\'s last payment error');
    // Two sweeps (or two Payrail processes sweeping side by side) record the failure once.
    await Promise.all([sweepCheckoutSessions(server.deps), sweepCheckoutSessions(server.deps)]);
    const failed = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(failed.status, 'complete');
    assert.equal(failed.payment_status, 'unpaid');
    assert.deepEqual(await eventsOf(session.id), ['checkout.session.completed', 'checkout.session.async_payment_failed']);
  });

  it('refuses to settle a capture that is not pending (the sandbox\'s admin endpoint)', async () => {
    const missing = await fetch(`${sandbox.url}/sandbox/admin/captures/NOPE/settle`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'COMPLETED' }) });
    assert.equal(missing.status, 404);
    const bad = await fetch(`${sandbox.url}/sandbox/admin/captures/NOPE/settle`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'MAYBE' }) });
    assert.equal(bad.status, 400);
    const settled = sandbox.records().captures.find((capture) => capture.status === 'COMPLETED');
    assert.ok(settled);
    const again = await fetch(`${sandbox.url}/sandbox/admin/captures/${settled.id}/settle`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'DECLINED' }) });
    assert.equal(again.status, 409);
  });
});
