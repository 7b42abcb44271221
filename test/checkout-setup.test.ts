import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { payingCard, submitCheckoutPage } from './helpers/checkout-page.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';

// Checkout Sessions in setup mode, as Stripe's: the hosted page saves the shopper's card through a SetupIntent
// (usage off_session) and charges nothing; the session completes when the SetupIntent succeeds, with payment_status
// no_payment_required. Through the official stripe SDK (server side), Chromium and the page's plain form (shopper).

const require = createRequire(import.meta.url);
const expiry = `12 / ${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, '0')}`;

describe('Checkout Sessions in setup mode', () => {
  let server: TestServer;
  let stripe: Stripe;
  let browser: Browser;
  let merchant: MerchantSite;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    merchant = await startMerchantSite({ heading: () => 'Card saved, thanks' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server.close();
  });

  function newSetupSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}): Promise<Stripe.Checkout.Session> {
    return stripe.checkout.sessions.create({
      mode: 'setup',
      currency: 'eur',
      success_url: `${merchant.url}/thanks?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${merchant.url}/cart`,
      ...extra,
    });
  }

  async function fillCard(page: Page, number: string): Promise<void> {
    await page.getByLabel('Card number').fill(number);
    await page.getByLabel('Expiration (MM / YY)').fill(expiry);
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByLabel('Name on card').fill('Sam Saver');
  }

  async function eventsOf(sessionId: string, type: string): Promise<number> {
    const events = await stripe.events.list({ type, limit: 100 });
    return events.data.filter((event) => (event.data.object as { id?: string }).id === sessionId).length;
  }

  it('creates a session that sells nothing: no amounts, no line items, payment_status no_payment_required', async () => {
    const session = await newSetupSession({ setup_intent_data: { description: 'Card for monthly deliveries', metadata: { plan: 'monthly' } } });
    assert.equal(session.mode, 'setup');
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'no_payment_required');
    assert.equal(session.amount_total, null);
    assert.equal(session.amount_subtotal, null);
    assert.equal(session.currency, 'eur');
    assert.equal(session.total_details, null);
    assert.equal(session.submit_type, null);
    assert.equal(session.setup_intent, null);
    assert.equal(session.payment_intent, null);
    assert.deepEqual(session.payment_method_types, ['card']);
    assert.match(session.url!, /\/c\/pay\/cs_/);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    assert.deepEqual(items.data, []);
    // With payment_method_types the currency may be left out, as at Stripe.
    const noCurrency = await stripe.checkout.sessions.create({ mode: 'setup', payment_method_types: ['card'], success_url: `${merchant.url}/thanks` } as Stripe.Checkout.SessionCreateParams);
    assert.equal(noCurrency.currency, null);
  });

  it('refuses what setup mode cannot take, with the parameter named, and writes nothing', async () => {
    const before = (await stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ mode: 'setup', currency: 'eur', line_items: [{ price_data: { currency: 'eur', unit_amount: 100, product_data: { name: 'Nope' } }, quantity: 1 }] }, 'line_items', 'invalid_value'],
      [{ mode: 'setup' }, 'currency', 'parameter_missing'],
      [{ mode: 'setup', currency: 'eur', payment_intent_data: { description: 'x' } }, 'payment_intent_data', 'invalid_value'],
      [{ mode: 'setup', currency: 'eur', submit_type: 'donate' }, 'submit_type', 'invalid_value'],
      [{ mode: 'setup', payment_method_types: ['paypal'] }, 'payment_method_types', 'invalid_value'],
      [{ mode: 'payment', line_items: [{ price_data: { currency: 'eur', unit_amount: 100, product_data: { name: 'Mug' } }, quantity: 1 }], setup_intent_data: { description: 'x' } }, 'setup_intent_data', 'invalid_value'],
      [{ mode: 'subscription', currency: 'eur' }, 'mode', 'invalid_value'],
    ];
    for (const [params, param, code] of cases) {
      const error = await stripeErrorOf(stripe.checkout.sessions.create({ success_url: `${merchant.url}/thanks`, ...params } as unknown as Stripe.Checkout.SessionCreateParams));
      assert.equal(error.statusCode, 400, `${JSON.stringify(params)}: ${error.message}`);
      assert.equal((error.raw as { type?: string }).type, 'invalid_request_error');
      assert.equal(error.param, param, JSON.stringify(params));
      assert.equal(error.code, code, JSON.stringify(params));
    }
    assert.equal((await stripe.checkout.sessions.list({ limit: 100 })).data.length, before);
  });

  it('saves the card in Chromium for the given customer, who can then be charged off-session', async () => {
    const customer = await stripe.customers.create({ email: 'saver@example.com' });
    const session = await newSetupSession({ customer: customer.id, setup_intent_data: { metadata: { plan: 'monthly' } } });
    const page = await browser.newPage();
    await page.goto(session.url!);
    const text = await page.locator('main').innerText();
    assert.match(text, /Save your card/);
    assert.match(text, /You will not be charged now/);
    assert.doesNotMatch(text, /Total due/);
    await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const audit = (await page.evaluate('axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact })))')) as { id: string; impact: string }[];
    assert.deepEqual(audit.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), []);
    await fillCard(page, '4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.waitForURL(`${merchant.url}/thanks?session_id=${session.id}`);
    await page.close();

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent'] });
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'no_payment_required');
    assert.equal(done.payment_intent, null);
    const setupIntent = done.setup_intent as Stripe.SetupIntent;
    assert.equal(setupIntent.status, 'succeeded');
    assert.equal(setupIntent.usage, 'off_session');
    assert.equal(setupIntent.customer, customer.id);
    assert.deepEqual(setupIntent.metadata, { plan: 'monthly' });
    const methods = await stripe.customers.listPaymentMethods(customer.id);
    assert.deepEqual(methods.data.map((method) => method.id), [setupIntent.payment_method]);
    assert.equal(methods.data[0].card?.last4, '4242');
    assert.equal(await eventsOf(session.id, 'checkout.session.completed'), 1);
    // What the card was saved for: a later payment without the shopper.
    const later = await stripe.paymentIntents.create({ amount: 1999, currency: 'eur', customer: customer.id, payment_method: setupIntent.payment_method as string, off_session: true, confirm: true });
    assert.equal(later.status, 'succeeded');
    // The page, visited again, says the card is saved.
    assert.match(await (await fetch(session.url!)).text(), /Card saved/);
  });

  it('shows a decline and saves another card on the same SetupIntent; 3-D Secure on the page of a setup session', async () => {
    const session = await newSetupSession({ customer_creation: 'always', locale: 'de' });
    const declined = await submitCheckoutPage(session.url!, { ...payingCard, card_number: '4000 0000 0000 0002', email: 'twice@example.com' });
    assert.equal(declined.status, 402);
    assert.match(declined.text, /Ihre Karte wurde abgelehnt/);
    assert.match(declined.text, /Karte speichern/);
    const open = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(open.status, 'open');
    const setupIntentId = open.setup_intent as string;
    assert.match(setupIntentId, /^seti_/);
    assert.equal((await stripe.setupIntents.retrieve(setupIntentId)).last_setup_error?.code, 'card_declined');

    const challenged = await submitCheckoutPage(session.url!, { ...payingCard, card_number: '4000 0025 0000 3155', email: 'twice@example.com' });
    assert.equal(challenged.status, 303);
    const page = await browser.newPage();
    await page.goto(challenged.location!);
    await page.getByRole('button', { name: 'Complete authentication' }).click();
    await page.waitForURL(`${merchant.url}/thanks?session_id=${session.id}`);
    await page.close();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(done.status, 'complete');
    assert.equal(done.setup_intent, setupIntentId);
    assert.match(done.customer as string, /^cus_/);
    const setupIntent = await stripe.setupIntents.retrieve(setupIntentId);
    assert.equal(setupIntent.status, 'succeeded');
    assert.equal(setupIntent.customer, done.customer);
  });

  it('expires with its unfinished SetupIntent canceled; an expired session cannot save a card', async () => {
    const session = await newSetupSession();
    const declined = await submitCheckoutPage(session.url!, { ...payingCard, card_number: '4000 0000 0000 0002', email: 'late@example.com' });
    assert.equal(declined.status, 402);
    const setupIntentId = (await stripe.checkout.sessions.retrieve(session.id)).setup_intent as string;
    const expired = await stripe.checkout.sessions.expire(session.id);
    assert.equal(expired.status, 'expired');
    const setupIntent = await stripe.setupIntents.retrieve(setupIntentId);
    assert.equal(setupIntent.status, 'canceled');
    assert.equal(setupIntent.cancellation_reason, 'abandoned');
    assert.equal(await eventsOf(session.id, 'checkout.session.expired'), 1);
    const page = await fetch(session.url!);
    assert.match(await page.text(), /Session expired/);
  });
});
