import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { validatePaymentVerification } from 'razorpay/dist/utils/razorpay-utils.js';
import { launchChromium } from '../../../test/helpers/browser.ts';
import { closeNow, listenOnLoopback } from '../../../test/helpers/loopback-server.ts';
import { razorpaySdk } from '../../../test/helpers/razorpay-sdk.ts';
import { startRazorpaySandbox, type RazorpaySandbox } from './server.ts';

/*
 * The sandbox's hosted checkout in Chromium, as a payer uses it: the merchant's page posts the order to
 * /v1/checkout/embedded, the payer fills in the card form by its labels and presses the test bank's button, and the
 * browser posts Razorpay's callback fields to the merchant's callback_url.
 */

const keyId = 'rzp_test_CheckoutPage01';
const keySecret = 'checkout_page_key_secret';

describe('Razorpay sandbox checkout page in Chromium', () => {
  let sandbox: RazorpaySandbox;
  let browser: Browser;
  let merchantUrl: string;
  const callbacks: URLSearchParams[] = [];
  const merchant = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      if (request.method === 'POST') callbacks.push(new URLSearchParams(body));
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Shop</title><h1>Thank you</h1>');
    });
  });

  before(async () => {
    sandbox = await startRazorpaySandbox({ keyId, keySecret, webhookSecret: 'unused' });
    merchantUrl = await listenOnLoopback(merchant);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await sandbox.close();
    await closeNow(merchant);
  });

  it('pays an order by card and posts the signed result to the callback URL', async () => {
    const order = await razorpaySdk(sandbox.url, keyId, keySecret).orders.create({ amount: 149_900, currency: 'INR' });
    const page = await browser.newPage();
    const query = new URLSearchParams({ key_id: keyId, order_id: order.id, name: 'Shop', callback_url: `${merchantUrl}/razorpay/callback`, 'prefill[email]': 'payer@example.com', 'prefill[contact]': '+919900000000' });
    await page.goto(`${sandbox.url}/v1/checkout/embedded?${query}`);
    await page.getByRole('heading', { name: 'Pay Shop' }).waitFor();
    await page.getByLabel('Card number').fill('5267 3181 8797 5449');
    await page.getByLabel('Expiry month').fill('12');
    await page.getByLabel('Expiry year').fill('35');
    await page.getByLabel('CVV').fill('123');
    await page.getByRole('button', { name: 'Pay, bank approves' }).click();
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    assert.equal(callbacks.length, 1);
    const [callback] = callbacks;
    assert.equal(callback.get('razorpay_order_id'), order.id);
    assert.equal(validatePaymentVerification({ order_id: order.id, payment_id: callback.get('razorpay_payment_id')! }, callback.get('razorpay_signature')!, keySecret), true);
    const [payment] = sandbox.records().payments;
    assert.deepEqual([payment.status, payment.card?.network, payment.card?.last4], ['captured', 'MasterCard', '5449']);
  });
});
