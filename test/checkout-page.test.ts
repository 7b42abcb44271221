import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import Stripe from 'stripe';
import { startPayPalSandbox, type PayPalSandbox } from '../src/sandbox/paypal/server.ts';
import { checkoutFormToken, payingCard, postCheckoutForm, submitCheckoutPage } from './helpers/checkout-page.ts';
import { launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { closedPage } from '../src/api/routes/checkout-page.ts';
import { checkoutTexts } from '../src/checkout/page-texts.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';

// The hosted Checkout page as a shopper uses it, in Debian's Chromium: pay and land on the merchant's success_url,
// a decline and a retry, 3-D Secure passed and failed, keyboard only, no serious accessibility violation; and
// through raw HTTP what a browser cannot easily do: a double submit pays once, a forged form is refused.

const require = createRequire(import.meta.url);
const expiry = payingCard.card_expiry;

describe('the hosted Checkout page', () => {
  let server: TestServer;
  let stripe: Stripe;
  let browser: Browser;
  let merchant: MerchantSite;
  let merchantUrl: string;
  let price: Stripe.Price;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    price = await stripe.prices.create({ currency: 'usd', unit_amount: 2500, product_data: { name: 'Concert ticket' } });
    // The merchant's site: its success and cancel pages, on another origin.
    merchant = await startMerchantSite({ heading: (path) => (path.startsWith('/thanks') ? 'Thanks for your order' : 'Your cart') });
    merchantUrl = merchant.url;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server.close();
  });

  async function newSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}): Promise<Stripe.Checkout.Session> {
    return stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 2 }],
      success_url: `${merchantUrl}/thanks?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${merchantUrl}/cart`,
      ...extra,
    });
  }

  async function fillCard(page: Page, number: string): Promise<void> {
    await page.getByLabel('Card number').fill(number);
    await page.getByLabel('Expiration (MM / YY)').fill(expiry);
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByLabel('Name on card').fill('Jenny Rosen');
  }

  async function completedEvents(sessionId: string): Promise<number> {
    const result = await server.db.query("SELECT count(*)::int AS n FROM events WHERE type = 'checkout.session.completed' AND data->'object'->>'id' = $1", [sessionId]);
    return result.rows[0].n;
  }

  it('takes a card payment and sends the shopper to success_url; the session completes once', async () => {
    const session = await newSession({ customer_email: 'jenny@example.com' });
    const page = await browser.newPage();
    await page.goto(session.url!);
    assert.equal(await page.title(), 'Pay Test account');
    await page.getByText('Concert ticket').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), 'jenny@example.com');
    await fillCard(page, '4242 4242 4242 4242');
    const pay = page.getByRole('button', { name: /^Pay / });
    assert.match(await pay.innerText(), /50\.00/);
    await pay.click();
    await page.waitForURL(`${merchantUrl}/thanks?session_id=${session.id}`);
    await page.getByRole('heading', { name: 'Thanks for your order' }).waitFor();
    await page.close();

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');
    assert.equal(done.url, null);
    assert.equal(done.customer_details?.email, 'jenny@example.com');
    assert.equal(done.customer_details?.name, 'Jenny Rosen');
    const intent = done.payment_intent as Stripe.PaymentIntent;
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount, 5000);
    assert.equal(intent.currency, 'usd');
    assert.equal(await completedEvents(session.id), 1);
    // The page, visited again, says it is paid and never shows a form.
    const again = await fetch(session.url!);
    const text = await again.text();
    assert.match(text, /Payment complete/);
    assert.doesNotMatch(text, /card_number/);
  });

  it('shows a decline in an alert and lets the shopper retry with another card on the same PaymentIntent', async () => {
    const session = await newSession({ customer_email: 'sam@example.com' });
    const page = await browser.newPage();
    await page.goto(session.url!);
    await fillCard(page, '4000 0000 0000 0002');
    await page.getByRole('button', { name: /^Pay/ }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /declined/i);
    // The card number is never written back into the page.
    assert.equal(await page.getByLabel('Card number').inputValue(), '');
    assert.equal(await page.getByLabel('Email').inputValue(), 'sam@example.com');
    const declined = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(declined.status, 'open');
    const firstIntent = declined.payment_intent as string;
    assert.equal((await stripe.paymentIntents.retrieve(firstIntent)).status, 'requires_payment_method');
    await fillCard(page, '4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.waitForURL(/\/thanks\?session_id=/);
    await page.close();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_intent, firstIntent);
    assert.equal((await stripe.paymentIntents.retrieve(firstIntent)).status, 'succeeded');
  });

  it('passes 3-D Secure and returns to success_url; a failed challenge brings the form back', async () => {
    const session = await newSession({ customer_email: 'three@example.com' });
    const page = await browser.newPage();
    await page.goto(session.url!);
    await fillCard(page, '4000 0000 0000 3220');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.getByRole('button', { name: 'Fail authentication' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'open');
    await fillCard(page, '4000 0000 0000 3220');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.getByRole('button', { name: 'Complete authentication' }).click();
    await page.waitForURL(/\/thanks\?session_id=/);
    await page.close();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');
  });

  it('can be completed with the keyboard alone, and has no serious accessibility violation', async () => {
    const session = await newSession({ billing_address_collection: 'required', phone_number_collection: { enabled: true } });
    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const audit = (await page.evaluate('axe.run(document).then((r) => ({ passes: r.passes.map((p) => p.id), violations: r.violations.map((v) => ({ id: v.id, impact: v.impact })) }))')) as { passes: string[]; violations: { id: string; impact: string }[] };
    assert.ok(audit.passes.includes('label'), `axe checked the labels: ${audit.passes.join(', ')}`);
    const serious = audit.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    assert.deepEqual(serious, []);
    // Tab from the top of the page into each field in order, typing as a shopper would.
    await page.getByLabel('Email').focus();
    const typed: [string, string][] = [
      ['Email', 'keys@example.com'], ['Card number', '4242424242424242'], ['Expiration (MM / YY)', expiry], ['Security code (CVC)', '123'], ['Name on card', 'Kay Board'],
      ['Address line 1', '1 Market St'], ['Address line 2 (optional)', ''], ['City', 'San Francisco'], ['Postal code', '94105'], ['State or region (optional)', 'CA'],
      ['Country (two-letter code)', 'US'], ['Phone number', '+1 415 555 0100'],
    ];
    for (const [index, [label, value]] of typed.entries()) {
      if (index > 0) await page.keyboard.press('Tab');
      const focused = await page.evaluate('document.activeElement?.labels?.[0]?.textContent ?? ""');
      assert.equal(focused, label);
      if (value) await page.keyboard.type(value);
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/thanks\?session_id=/);
    await page.close();
    const done = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(done.status, 'complete');
    assert.equal(done.customer_details?.address?.city, 'San Francisco');
    assert.equal(done.customer_details?.phone, '+1 415 555 0100');
  });

  it('fits a phone (390 px) without sideways scrolling, the order above the form; wide screens side by side', async () => {
    const session = await newSession({ customer_email: 'jenny@example.com', shipping_address_collection: { allowed_countries: ['US', 'CA', 'GB'] } });
    await stripe.checkout.sessions.expire((await newSession()).id);
    const shots = process.env.PAYRAIL_WRITE_SCREENSHOTS === '1' ? new URL('../docs/images/', import.meta.url) : undefined;
    for (const [name, viewport] of [['desktop', { width: 1200, height: 900 }], ['mobile', { width: 390, height: 844 }]] as const) {
      const page = await browser.newPage({ viewport });
      await page.goto(session.url!);
      const layout = (await page.evaluate(`(() => {
        const summary = document.querySelector('section').getBoundingClientRect();
        const form = document.querySelector('form').getBoundingClientRect();
        return { scrollWidth: document.documentElement.scrollWidth, summaryTop: summary.top, formTop: form.top, summaryLeft: summary.left, formLeft: form.left };
      })()`)) as { scrollWidth: number; summaryTop: number; formTop: number; summaryLeft: number; formLeft: number };
      assert.ok(layout.scrollWidth <= viewport.width, `${name}: the page is ${layout.scrollWidth} px wide in a ${viewport.width} px window`);
      if (name === 'mobile') assert.ok(layout.summaryTop < layout.formTop, 'on a phone the order comes first, then the form');
      else assert.ok(layout.summaryLeft < layout.formLeft && Math.abs(layout.summaryTop - layout.formTop) < 80, 'on a wide screen the order and the form sit side by side');
      if (shots) await page.screenshot({ path: new URL(`checkout-${name}.png`, shots).pathname, fullPage: name === 'mobile' });
      await page.close();
    }
  });

  it('wears the account\'s branding colours (settings[branding]), with readable button text', async () => {
    const branded = await server.createAccount('Branded shop');
    const account = await branded.stripe.accounts.update(branded.accountId, { settings: { branding: { primary_color: '#FFD500', secondary_color: '#0a2540' } } });
    assert.deepEqual(account.settings?.branding, { icon: null, logo: null, primary_color: '#ffd500', secondary_color: '#0a2540' });
    const refused = await stripeErrorOf(branded.stripe.accounts.update(branded.accountId, { settings: { branding: { primary_color: 'red;}body{display:none' } } }));
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.param, 'settings[branding][primary_color]');
    const brandedPrice = await branded.stripe.prices.create({ currency: 'usd', unit_amount: 1000, product_data: { name: 'Poster' } });
    const session = await branded.stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: brandedPrice.id, quantity: 1 }], success_url: `${merchantUrl}/thanks` });
    const page = await browser.newPage();
    await page.goto(session.url!);
    const colours = (await page.evaluate(`(() => {
      const button = getComputedStyle(document.querySelector('button[type=submit]'));
      return { background: button.backgroundColor, text: button.color, page: getComputedStyle(document.body).backgroundColor };
    })()`)) as { background: string; text: string; page: string };
    await page.close();
    assert.equal(colours.background, 'rgb(255, 213, 0)');
    assert.equal(colours.text, 'rgb(26, 31, 54)', 'dark text on a yellow button');
    assert.equal(colours.page, 'rgb(10, 37, 64)');
    // Back to Payrail's own colours with ''.
    const reset = await branded.stripe.accounts.update(branded.accountId, { settings: { branding: { primary_color: '' } } });
    assert.equal(reset.settings?.branding.primary_color, null);
  });

  it('pays once when the form is submitted twice at the same time', async () => {
    const session = await newSession();
    const fields = { ...payingCard, email: 'twice@example.com' };
    // The page was loaded once (in one tab, or in three) and its form sent three times at once.
    const token = await checkoutFormToken(session.url!);
    const answers = await Promise.all([postCheckoutForm(session.url!, token, fields), postCheckoutForm(session.url!, token, fields), postCheckoutForm(session.url!, token, fields)]);
    for (const answer of answers) {
      // Each submission ends on the success page, on "paid", or (while the other's payment is still in flight) on
      // "in progress", which refreshes to the session's page: none charges again, none fails.
      assert.ok(answer.status === 303 || (answer.status === 200 && /Payment complete|Payment in progress/.test(answer.text)), `${answer.status} ${answer.text.slice(0, 200)}`);
    }
    const done = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(done.status, 'complete');
    const charges = await server.db.query(
      "SELECT count(*)::int AS n FROM charges c JOIN payment_intents p ON p.id = c.payment_intent_id WHERE p.account_id = $1 AND p.amount = 5000 AND c.status = 'succeeded' AND p.id = $2",
      [server.account.accountId, done.payment_intent],
    );
    assert.equal(charges.rows[0].n, 1);
    const succeeded = await server.db.query("SELECT count(*)::int AS n FROM payment_intents WHERE account_id = $1 AND status = 'succeeded' AND receipt_email = 'twice@example.com'", [server.account.accountId]);
    assert.equal(succeeded.rows[0].n, 1);
    assert.equal(await completedEvents(session.id), 1);
  });

  it('speaks the session\'s locale, or the browser\'s language with locale auto', async () => {
    const german = await newSession({ locale: 'de' });
    const page = await (await fetch(german.url!)).text();
    assert.match(page, /<html lang="de">/);
    assert.match(page, /Kartennummer/);
    assert.match(page, /Bezahlen/);
    const token = await checkoutFormToken(german.url!);
    const refused = await postCheckoutForm(german.url!, token, { email: 'not-an-email', card_number: '4242', card_expiry: '', card_cvc: '', name: '' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Geben Sie eine gültige E-Mail-Adresse ein\./);
    assert.match(refused.text, /Ihre Kartennummer ist unvollständig\./);
    assert.match(refused.text, /Bitte korrigieren Sie die markierten Felder\./);
    // A decline in the page's language, by Stripe's decline code.
    const declined = await postCheckoutForm(german.url!, await checkoutFormToken(german.url!), { ...payingCard, card_number: '4000 0000 0000 9995', email: 'hans@example.com' });
    assert.equal(declined.status, 402);
    assert.match(declined.text, /Ihre Karte ist nicht ausreichend gedeckt\./);
    const auto = await newSession({ locale: 'auto' });
    const french = await (await fetch(auto.url!, { headers: { 'Accept-Language': 'fr-CH, fr;q=0.9, en;q=0.8' } })).text();
    assert.match(french, /<html lang="fr">/);
    assert.match(french, /Payer par carte/);
    const japanese = await (await fetch(auto.url!, { headers: { 'Accept-Language': 'ja' } })).text();
    assert.match(japanese, /カード番号/);
  });

  it('has a payment in progress look again on the hosted page only (an embedded session has no page at that address)', async () => {
    const hosted = await newSession();
    const row = (await server.db.query('SELECT * FROM checkout_sessions WHERE id = $1', [hosted.id])).rows[0];
    const speech = { locale: 'en' as const, t: checkoutTexts('en') };
    assert.match(closedPage(speech, row), new RegExp(`http-equiv="refresh" content="3;url=/c/pay/${hosted.id}"`));
    const embedded = closedPage(speech, { ...row, ui_mode: 'embedded' });
    assert.match(embedded, /Payment in progress/);
    assert.doesNotMatch(embedded, /http-equiv="refresh"/);
  });

  it('refuses a form without its token, and shows an expired session as expired', async () => {
    const session = await newSession();
    const forged = await fetch(session.url!, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...payingCard, email: 'x@example.com', csrf_token: 'forged' }).toString() });
    assert.equal(forged.status, 403);
    assert.equal((await stripe.checkout.sessions.retrieve(session.id)).payment_intent, null);
    const form = await fetch(session.url!);
    assert.equal(form.headers.get('x-frame-options'), 'DENY');
    assert.match(form.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.match(form.headers.get('content-security-policy') ?? '', new RegExp(`form-action 'self' ${merchantUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await stripe.checkout.sessions.expire(session.id);
    const expired = await submitCheckoutPage(session.url!, { ...payingCard, email: 'x@example.com' }).catch((error: Error) => ({ status: 0, location: null, text: error.message }));
    assert.match(expired.text, /no form token|expired/);
    const page = await fetch(session.url!);
    assert.match(await page.text(), /Session expired/);
    const unknown = await fetch(`${server.baseUrl}/c/pay/cs_${'x'.repeat(24)}`);
    assert.equal(unknown.status, 404);
  });
});

describe('the hosted Checkout page with PayPal (the PayPal connector and its sandbox)', () => {
  let server: TestServer;
  let sandbox: PayPalSandbox;
  let browser: Browser;
  let merchant: MerchantSite;
  let merchantUrl: string;

  before(async () => {
    server = await startTestServer();
    sandbox = await startPayPalSandbox({ clientId: 'checkout-paypal-client', clientSecret: 'checkout-paypal-secret', webhookId: 'WHCHECKOUTPAYPAL', webhookRetryDelaysMs: [] });
    const configuration = await server.account.stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'paypal', credentials: { client_id: 'checkout-paypal-client', client_secret: 'checkout-paypal-secret', webhook_id: 'WHCHECKOUTPAYPAL' }, settings: { base_url: sandbox.url },
    });
    assert.match(String(configuration.id), /^pcc_/);
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
    merchant = await startMerchantSite({ heading: () => 'Thanks for your order' });
    merchantUrl = merchant.url;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await sandbox.close();
    await server.close();
  });

  it('sends the shopper to PayPal to approve, and back to success_url with the session complete', async () => {
    const stripe = server.account.stripe;
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'eur', unit_amount: 3900, product_data: { name: 'Vinyl record' } }, quantity: 1 }],
      success_url: `${merchantUrl}/thanks?session_id={CHECKOUT_SESSION_ID}`,
    });
    // Without payment_method_types the session offers what the account's connectors take: cards, and PayPal here.
    assert.deepEqual(session.payment_method_types, ['card', 'paypal']);
    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.getByLabel('Email').fill('paypal-buyer@example.com');
    await page.getByRole('button', { name: 'Pay with PayPal' }).click();
    // PayPal's approval page (the sandbox's), then back through Payrail to the merchant.
    await page.locator('#approve').click();
    await page.waitForURL(`${merchantUrl}/thanks?session_id=${session.id}`);
    await page.close();
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');
    const intent = done.payment_intent as Stripe.PaymentIntent;
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount, 3900);
    const method = await stripe.paymentMethods.retrieve(intent.payment_method as string);
    assert.equal(method.type, 'paypal');
  });
});

