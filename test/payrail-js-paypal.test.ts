import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startPayPalSandbox, type PayPalSandbox } from '../src/sandbox/paypal/server.ts';
import { launchChromium, startMerchantSite, type MerchantSite } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// payrail.js's confirmPayPalPayment in Debian's Chromium, through the PayPal connector and its sandbox: a merchant page
// on its own origin confirms a PaymentIntent with PayPal, the whole page goes to PayPal to approve, and PayPal sends
// the shopper back through Payrail to the merchant's return_url with Stripe's query parameters.

describe('payrail.js confirmPayPalPayment', () => {
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
      html: (path) => (path.startsWith('/return') ? undefined : `<!doctype html><html lang="en"><head><title>Pay</title><script src="${server.baseUrl}/v1/payrail.js"></script></head>
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

  it('sends the page to PayPal to approve and brings the shopper back to return_url with the payment succeeded', async () => {
    const stripe = server.account.stripe;
    // Payrail takes payment_method_types (Stripe's API versions before 2026-09-30 did); the SDK's types no longer list it.
    const intent = await stripe.paymentIntents.create({ amount: 4200, currency: 'eur', ...({ payment_method_types: ['paypal'] } as object) });
    clientSecret = intent.client_secret!;
    const page = await browser.newPage();
    await page.goto(`${merchantUrl}/pay`);
    await page.getByRole('button', { name: 'Pay with PayPal' }).click();
    await page.locator('#approve').click();
    await page.waitForURL((url) => url.href.startsWith(`${merchantUrl}/return`));
    const back = new URL(page.url());
    await page.close();
    assert.equal(back.searchParams.get('order'), '42');
    assert.equal(back.searchParams.get('payment_intent'), intent.id);
    assert.equal(back.searchParams.get('payment_intent_client_secret'), intent.client_secret);
    assert.equal(back.searchParams.get('redirect_status'), 'succeeded');
    const paid = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(paid.status, 'succeeded');
    const method = await stripe.paymentMethods.retrieve(paid.payment_method as string);
    assert.equal(method.type, 'paypal');
    assert.equal(method.billing_details.email, 'buyer@example.com');
  });
});
