import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import Stripe from 'stripe';
import { payingCard } from './helpers/checkout-page.ts';
import { launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';

// Embedded Checkout (ui_mode=embedded) in Debian's Chromium: a merchant's page on its own origin mounts the session
// with payrail.js's initEmbeddedCheckout, the shopper pays inside the frame and the merchant's page goes to the
// session's return_url; 3-D Secure and a bank's page (iDEAL) leave the frame and come back to return_url. Through the SDK
// and raw HTTP: the session's shape, its refusals, and who may open or frame the page.

describe('Embedded Checkout', () => {
  let server: TestServer;
  let stripe: Stripe;
  let browser: Browser;
  let merchant: MerchantSite;
  let merchantUrl: string;
  let price: Stripe.Price;
  /** The client secret the merchant's server hands its checkout page. */
  let currentSecret = '';

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    price = await stripe.prices.create({ currency: 'usd', unit_amount: 1800, product_data: { name: 'Museum pass' } });
    merchant = await startMerchantSite({
      text: (path) => (path === '/client-secret' ? currentSecret : undefined),
      heading: () => 'Order received',
      // The merchant's checkout page, as Stripe's embedded quick-start writes it.
      html: (path) => (path.startsWith('/return') ? undefined : `<!doctype html><html lang="en"><head><title>Checkout</title><script src="${server.baseUrl}/v1/payrail.js"></script></head>
<body><h1>Checkout</h1><div id="checkout"></div>
<script>
  const payrail = Payrail(${JSON.stringify(server.account.publishableKey)});
  payrail.initEmbeddedCheckout({ fetchClientSecret: () => fetch('/client-secret').then((r) => r.text()) }).then((checkout) => checkout.mount('#checkout'));
</script></body></html>`),
    });
    merchantUrl = merchant.url;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server.close();
  });

  async function embeddedSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}): Promise<Stripe.Checkout.Session> {
    return stripe.checkout.sessions.create({
      mode: 'payment',
      ui_mode: 'embedded',
      line_items: [{ price: price.id, quantity: 1 }],
      return_url: `${merchantUrl}/return?session_id={CHECKOUT_SESSION_ID}`,
      customer_email: 'embedded@example.com',
      ...extra,
    });
  }

  async function fillCardInFrame(page: Page, number: string): Promise<void> {
    const frame = page.frameLocator('#checkout iframe');
    await frame.getByLabel('Card number').fill(number);
    await frame.getByLabel('Expiration (MM / YY)').fill(payingCard.card_expiry);
    await frame.getByLabel('Security code (CVC)').fill('123');
    await frame.getByLabel('Name on card').fill('Jenny Rosen');
    await frame.getByRole('button', { name: /^Pay / }).click();
  }

  it('creates an embedded session with a client secret and no url, and refuses hosted-only parameters', async () => {
    const session = await embeddedSession();
    assert.equal(session.ui_mode, 'embedded');
    assert.equal(session.url, null);
    assert.match(session.client_secret ?? '', new RegExp(`^${session.id}_secret_[0-9A-Za-z]{24}$`));
    assert.equal(session.return_url, `${merchantUrl}/return?session_id={CHECKOUT_SESSION_ID}`);
    assert.equal(session.redirect_on_completion, 'always');
    const hosted = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], success_url: `${merchantUrl}/ok` });
    assert.equal(hosted.client_secret, null);
    for (const [params, param] of [
      [{ success_url: `${merchantUrl}/ok` }, 'success_url'],
      [{ return_url: undefined }, 'return_url'],
    ] as const) {
      const error = await stripeErrorOf(embeddedSession(params as Partial<Stripe.Checkout.SessionCreateParams>));
      assert.equal(error.statusCode, 400);
      assert.equal(error.param, param);
    }
    const hostedWithReturn = await stripeErrorOf(stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], return_url: `${merchantUrl}/r` }));
    assert.equal(hostedWithReturn.param, 'return_url');
  });

  it('opens only with its client secret, framed only by the origin it was mounted for', async () => {
    const session = await embeddedSession();
    const origin = encodeURIComponent(merchantUrl);
    const page = await fetch(`${server.baseUrl}/c/embed/${session.id}?client_secret=${session.client_secret}&origin=${origin}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-frame-options'), null);
    const policy = page.headers.get('content-security-policy') ?? '';
    assert.match(policy, new RegExp(`frame-ancestors ${merchantUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};`));
    assert.match(policy, /script-src 'nonce-/);
    await page.arrayBuffer();
    const wrongSecret = `${session.id}_secret_${'A'.repeat(24)}`;
    const other = await embeddedSession();
    for (const path of [
      `/c/embed/${session.id}?client_secret=${wrongSecret}&origin=${origin}`, `/c/embed/${session.id}?origin=${origin}`,
      `/c/embed/${other.id}?client_secret=${session.client_secret}&origin=${origin}`, `/c/embed/${session.id}?client_secret=${session.client_secret}`,
      `/c/embed/${session.id}?client_secret=${session.client_secret}&origin=javascript:alert(1)`, `/c/pay/${session.id}`,
    ]) {
      const refused = await fetch(`${server.baseUrl}${path}`);
      assert.equal(refused.status, 404, path);
      await refused.arrayBuffer();
    }
  });

  it('takes the payment inside the merchant\'s page and sends it to return_url', async () => {
    const session = await embeddedSession();
    currentSecret = session.client_secret!;
    const page = await browser.newPage();
    await page.goto(`${merchantUrl}/checkout`);
    await page.frameLocator('#checkout iframe').getByText('Museum pass').waitFor();
    // The frame reports its height: the whole form shows without an inner scroll bar.
    await page.waitForFunction("document.querySelector('#checkout iframe').style.height !== '760px'");
    await fillCardInFrame(page, '4242 4242 4242 4242');
    await page.waitForURL(`${merchantUrl}/return?session_id=${session.id}`);
    await page.getByRole('heading', { name: 'Order received' }).waitFor();
    await page.close();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');
  });

  it('leaves the frame for 3-D Secure and comes back to return_url', async () => {
    const session = await embeddedSession();
    currentSecret = session.client_secret!;
    const page = await browser.newPage();
    await page.goto(`${merchantUrl}/checkout`);
    await fillCardInFrame(page, '4000 0000 0000 3220');
    await page.getByRole('button', { name: 'Complete authentication' }).click();
    await page.waitForURL(`${merchantUrl}/return?session_id=${session.id}`);
    await page.close();
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'complete');
  });

  it('leaves the frame for a bank\'s page (iDEAL) and comes back to return_url', async () => {
    const session = await embeddedSession({
      line_items: [{ price_data: { currency: 'eur', unit_amount: 1800, product_data: { name: 'Museum pass' } }, quantity: 1 }],
      payment_method_types: ['card', 'ideal'],
    } as Partial<Stripe.Checkout.SessionCreateParams>);
    currentSecret = session.client_secret!;
    const page = await browser.newPage();
    await page.goto(`${merchantUrl}/checkout`);
    const frame = page.frameLocator('#checkout iframe');
    await frame.getByRole('radio', { name: 'iDEAL' }).check();
    await frame.getByLabel('Bank (optional)').selectOption('ing');
    await frame.getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('button', { name: 'Authorize test payment' }).click();
    await page.waitForURL(`${merchantUrl}/return?session_id=${session.id}`);
    await page.close();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');
  });
});
