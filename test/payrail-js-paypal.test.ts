import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startPayPalSandbox, type PayPalSandbox } from '../src/sandbox/paypal/server.ts';
import { browserTestTimeoutMs, launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// payrail.js's confirmPayPalPayment in Debian's Chromium, through the PayPal connector and its sandbox: a merchant page
// on its own origin confirms a PaymentIntent with PayPal, the whole page goes to PayPal to approve, and PayPal sends
// the shopper back through Payrail to the merchant's return_url with Stripe's query parameters. Then the same through
// the payment element, which offers PayPal next to the card when the intent accepts it.

/** Bound on any one wait for the page (the machine may be busy with other test files). */
const conditionTimeoutMs = 60_000;

/**
 * Stripe's quick-start page with the payment element: confirmPayment on submit, every change event kept. The client
 * secret and locale come from the address.
 */
function paymentElementPage(payrailBase: string, publishableKey: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title><script src="${payrailBase}/v1/payrail.js"></script></head>
<body><form id="payment-form"><div id="payment-element"></div><button id="submit" type="submit">Pay</button></form><p id="error" role="alert"></p>
<script>
  const params = new URLSearchParams(location.search);
  const payrail = Payrail(${JSON.stringify(publishableKey)});
  const elements = payrail.elements({ clientSecret: params.get('secret'), locale: params.get('locale') || 'en' });
  const paymentElement = elements.create('payment');
  window.seen = { ready: false, changes: [] };
  paymentElement.on('ready', () => { window.seen.ready = true; });
  paymentElement.on('change', (event) => window.seen.changes.push(event));
  paymentElement.mount('#payment-element');
  document.getElementById('payment-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { error } = await payrail.confirmPayment({
      elements,
      confirmParams: { return_url: location.origin + '/return?order=7', payment_method_data: { billing_details: { email: 'tabs@example.com' } } },
    });
    if (error) document.getElementById('error').textContent = error.message;
  });
</script></body></html>`;
}

describe('payrail.js confirmPayPalPayment', { timeout: browserTestTimeoutMs }, () => {
  let server: TestServer;
  let sandbox: PayPalSandbox;
  let browser: Browser;
  let merchant: MerchantSite;
  let merchantUrl: string;
  let clientSecret = '';

  before(async () => {
    server = await startTestServer();
    sandbox = await startPayPalSandbox({ clientId: 'payrailjs-paypal-client', clientSecret: 'payrailjs-paypal-secret', webhookId: 'WHPAYRAILJSPAYPAL', webhookRetryDelaysMs: [] });
    await server.account.stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'paypal', credentials: { client_id: 'payrailjs-paypal-client', client_secret: 'payrailjs-paypal-secret', webhook_id: 'WHPAYRAILJSPAYPAL' }, settings: { base_url: sandbox.url },
    });
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
    merchant = await startMerchantSite({
      heading: () => 'Back at the shop',
      html: (path) => (path.startsWith('/return') ? undefined : path.startsWith('/element') ? paymentElementPage(server.baseUrl, server.account.publishableKey) : `<!doctype html><html lang="en"><head><title>Pay</title><script src="${server.baseUrl}/v1/payrail.js"></script></head>
<body><button id="paypal">Pay with PayPal</button><p id="error" role="alert"></p>
<script>
  const payrail = Payrail(${JSON.stringify(server.account.publishableKey)});
  document.getElementById('paypal').addEventListener('click', async () => {
    const { error } = await payrail.confirmPayPalPayment(${JSON.stringify(clientSecret)}, {
      return_url: location.origin + '/return?order=42',
      payment_method: { billing_details: { email: 'buyer@example.com' } },
    });
    if (error) document.getElementById('error').textContent = error.message;
  });
</script></body></html>`),
    });
    merchantUrl = merchant.url;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await sandbox.close();
    await server.close();
  });

  /**
   * The shopper approves on PayPal's page and lands on the merchant's return_url with Stripe's query parameters; the
   * intent then succeeded with a PayPal PaymentMethod carrying the payer's email.
   */
  async function approveAndReturn(page: import('playwright-core').Page, intent: { id: string; client_secret: string | null }, order: string, email: string): Promise<void> {
    const stripe = server.account.stripe;
    await page.locator('#approve').click();
    await page.waitForURL((url) => url.href.startsWith(`${merchantUrl}/return`));
    const back = new URL(page.url());
    await page.close();
    assert.equal(back.searchParams.get('order'), order);
    assert.equal(back.searchParams.get('payment_intent'), intent.id);
    assert.equal(back.searchParams.get('payment_intent_client_secret'), intent.client_secret);
    assert.equal(back.searchParams.get('redirect_status'), 'succeeded');
    const paid = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(paid.status, 'succeeded');
    const method = await stripe.paymentMethods.retrieve(paid.payment_method as string);
    assert.equal(method.type, 'paypal');
    assert.equal(method.billing_details.email, email);
  }

  it('sends the page to PayPal to approve and brings the shopper back to return_url with the payment succeeded', async () => {
    const stripe = server.account.stripe;
    // Payrail takes payment_method_types (Stripe's API versions before 2026-09-30 did); the SDK's types no longer list it.
    const intent = await stripe.paymentIntents.create({ amount: 4200, currency: 'eur', ...({ payment_method_types: ['paypal'] } as object) });
    clientSecret = intent.client_secret!;
    const page = await browser.newPage();
    await page.goto(`${merchantUrl}/pay`);
    await page.getByRole('button', { name: 'Pay with PayPal' }).click();
    await approveAndReturn(page, intent, '42', 'buyer@example.com');
  });

  describe('the payment element', () => {
    /** Opens the merchant's checkout for an intent and waits for the element's ready event; returns the element's frame. */
    async function openCheckout(secret: string, locale = 'en') {
      const page = await browser.newPage();
      page.setDefaultTimeout(conditionTimeoutMs);
      await page.goto(`${merchantUrl}/element?${new URLSearchParams({ secret, locale })}`);
      await page.waitForFunction('window.seen.ready === true');
      const frame = page.frames().find((candidate) => candidate.url().startsWith(`${server.baseUrl}/v1/elements/frame#`));
      assert.ok(frame, 'the payment element is a frame of Payrail\'s origin');
      return { page, frame };
    }
    const lastChange = (page: import('playwright-core').Page) => page.evaluate('window.seen.changes.at(-1)') as Promise<{ elementType: string; complete: boolean; empty: boolean; value: { type: string } } | undefined>;

    it('offers Card and PayPal as tabs, operated by keyboard alone, and pays through PayPal with confirmPayment', async () => {
      const stripe = server.account.stripe;
      const intent = await stripe.paymentIntents.create({ amount: 3100, currency: 'eur', ...({ payment_method_types: ['card', 'paypal'] } as object) });
      const { page, frame } = await openCheckout(intent.client_secret!);
      const tabs = frame.getByRole('tablist', { name: 'Payment method' });
      assert.equal(await tabs.getByRole('tab').count(), 2);
      const cardTab = frame.getByRole('tab', { name: 'Card' });
      const payPalTab = frame.getByRole('tab', { name: 'PayPal' });
      assert.equal(await cardTab.getAttribute('aria-selected'), 'true', 'the card comes first');
      assert.equal(await payPalTab.getAttribute('aria-selected'), 'false');
      assert.equal(await frame.getByRole('tabpanel', { name: 'Card' }).getByLabel('Card number').isVisible(), true);
      const focusedId = () => frame.evaluate('document.hasFocus() ? document.activeElement.id : null');

      // Keyboard only: Tab reaches the selected tab (one stop for the tab list); the arrows move and select.
      await page.keyboard.press('Tab');
      await frame.waitForFunction('document.activeElement && document.activeElement.id === "tab-card"');
      await page.keyboard.press('ArrowRight');
      assert.equal(await focusedId(), 'tab-paypal');
      assert.equal(await payPalTab.getAttribute('aria-selected'), 'true');
      assert.equal(await cardTab.getAttribute('aria-selected'), 'false');
      assert.equal(await payPalTab.getAttribute('tabindex'), '0', 'the selected tab is the one in the Tab order');
      assert.equal(await cardTab.getAttribute('tabindex'), '-1');
      assert.equal(await frame.getByRole('tabpanel', { name: 'PayPal' }).textContent(), 'After you submit, you will be redirected to PayPal to complete your payment.');
      assert.equal(await frame.getByLabel('Card number').isVisible(), false, 'the card fields are hidden with PayPal selected');
      await page.waitForFunction('window.seen.changes.length > 0 && window.seen.changes.at(-1).value.type === "paypal"');
      assert.deepEqual(await lastChange(page), { elementType: 'payment', empty: false, complete: true, brand: 'unknown', value: { type: 'paypal' } });
      await page.keyboard.press('ArrowLeft');
      assert.equal(await focusedId(), 'tab-card');
      await page.waitForFunction('window.seen.changes.at(-1).value.type === "card"');
      const card = (await lastChange(page))!;
      assert.equal(card.complete, false, 'an empty card is not complete');
      assert.equal(card.value.type, 'card');
      await page.keyboard.press('End');
      assert.equal(await focusedId(), 'tab-paypal');
      await page.keyboard.press('Home');
      assert.equal(await focusedId(), 'tab-card');
      await page.keyboard.press('ArrowLeft');
      assert.equal(await focusedId(), 'tab-paypal', 'the arrows wrap around');
      await page.waitForFunction('window.seen.changes.at(-1).value.type === "paypal"');
      // Tab goes into PayPal's panel (nothing to fill in: the panel itself), then out of the frame to the Pay button.
      await page.keyboard.press('Tab');
      assert.equal(await focusedId(), 'panel-paypal');
      await page.keyboard.press('Tab');
      await page.waitForFunction('document.activeElement && document.activeElement.id === "submit"');
      await page.keyboard.press('Enter');

      await approveAndReturn(page, intent, '7', 'tabs@example.com');
    });

    it('speaks the shopper\'s language, and a card-only intent shows the card fields as before, with no tabs', async () => {
      const stripe = server.account.stripe;
      const both = await stripe.paymentIntents.create({ amount: 1200, currency: 'eur', ...({ payment_method_types: ['card', 'paypal'] } as object) });
      const german = await openCheckout(both.client_secret!, 'de');
      assert.equal(await german.frame.getByRole('tablist', { name: 'Zahlungsmethode' }).isVisible(), true);
      await german.frame.getByRole('tab', { name: 'PayPal' }).click();
      assert.equal(await german.frame.getByRole('tabpanel', { name: 'PayPal' }).textContent(), 'Nach dem Absenden werden Sie zu PayPal weitergeleitet, um Ihre Zahlung abzuschließen.');
      await german.frame.getByRole('tab', { name: 'Karte' }).click();
      assert.equal(await german.frame.getByLabel('Kartennummer').isVisible(), true);
      await german.page.close();

      const cardOnly = await stripe.paymentIntents.create({ amount: 1200, currency: 'eur', ...({ payment_method_types: ['card'] } as object) });
      const { page, frame } = await openCheckout(cardOnly.client_secret!);
      assert.equal(await frame.getByRole('tablist').count(), 0);
      assert.equal(await frame.getByRole('tab').count(), 0);
      assert.equal(await frame.getByLabel('Card number').isVisible(), true);
      await page.close();
    });
  });
});
