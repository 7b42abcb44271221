import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type Stripe from 'stripe';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { browserTestTimeoutMs, launchChromium, startMerchantSite, within, type MerchantSite } from './helpers/browser.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// payrail.js's confirmIdealPayment and confirmSepaDebitPayment in Chromium, from a merchant page on its own origin,
// through the built-in test processor: iDEAL goes to the bank's (test) page in the whole window and comes back to the
// merchant's return_url with Stripe's query parameters; SEPA resolves { paymentIntent } processing with the mandate
// accepted online in this browser (the request's IP address and user agent), then the bank's answer arrives.

/**
 * The merchant's page: each button confirms the intent whose client secret is in the address with one method, and
 * writes the outcome where the test reads it.
 */
function merchantPage(payrailBase: string, publishableKey: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay</title><script src="${payrailBase}/v1/payrail.js"></script></head>
<body><h1>Checkout</h1><button id="ideal">Pay with iDEAL</button><button id="sepa">Pay by SEPA debit</button><p id="outcome" role="status"></p><p id="error" role="alert"></p>
<script>
  const params = new URLSearchParams(location.search);
  const payrail = Payrail(${JSON.stringify(publishableKey)});
  const show = ({ paymentIntent, error }) => {
    if (error) document.getElementById('error').textContent = error.code + ': ' + error.message;
    else document.getElementById('outcome').textContent = paymentIntent.status + ' ' + paymentIntent.id;
  };
  document.getElementById('ideal').addEventListener('click', async () => {
    show(await payrail.confirmIdealPayment(params.get('secret'), {
      payment_method: { ideal: { bank: 'rabobank' }, billing_details: { name: 'Jan de Vries' } },
      return_url: location.origin + '/return?order=11',
    }));
  });
  document.getElementById('sepa').addEventListener('click', async () => {
    show(await payrail.confirmSepaDebitPayment(params.get('secret'), {
      payment_method: { sepa_debit: { iban: params.get('iban') }, billing_details: { name: 'Jenny Rosen', email: 'jenny@example.com' } },
    }));
  });
</script></body></html>`;
}

describe('payrail.js confirmIdealPayment and confirmSepaDebitPayment (Chromium, test processor)', { timeout: browserTestTimeoutMs }, () => {
  let server: TestServer;
  let stripe: Stripe;
  let browser: Browser;
  let merchant: MerchantSite;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    merchant = await startMerchantSite({
      heading: () => 'Back at the shop',
      html: (path) => (path.startsWith('/pay') ? merchantPage(server.baseUrl, server.account.publishableKey) : undefined),
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await merchant?.close();
    await server?.close();
  });

  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);

  it('confirmIdealPayment: the bank\'s page in the whole window, then return_url with Stripe\'s parameters; the fail button fails it', async () => {
    const pay = async (answer: 'Authorize' | 'Fail') => {
      const intent = await createIntent({ amount: 2500, currency: 'eur', payment_method_types: ['ideal'] });
      const page = await browser.newPage();
      try {
        await page.goto(`${merchant.url}/pay?secret=${encodeURIComponent(intent.client_secret!)}`);
        await page.getByRole('button', { name: 'Pay with iDEAL' }).click();
        await page.getByRole('heading', { name: 'iDEAL test payment' }).waitFor({ timeout: 60_000 });
        await page.getByRole('button', { name: `${answer} test payment` }).click();
        await page.getByRole('heading', { name: 'Back at the shop' }).waitFor({ timeout: 60_000 });
        const landed = new URL(page.url());
        assert.equal(landed.pathname, '/return');
        assert.equal(landed.searchParams.get('order'), '11');
        assert.equal(landed.searchParams.get('payment_intent'), intent.id);
        assert.equal(landed.searchParams.get('payment_intent_client_secret'), intent.client_secret);
        assert.equal(landed.searchParams.get('redirect_status'), answer === 'Authorize' ? 'succeeded' : 'failed');
      } finally {
        await within('closing the page', page.close());
      }
      return stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    };
    const [paid, failed] = await Promise.all([pay('Authorize'), pay('Fail')]);
    assert.equal(paid.status, 'succeeded');
    assert.deepEqual((paid.latest_charge as Stripe.Charge).payment_method_details?.ideal?.bank, 'rabobank');
    assert.equal((await stripe.refunds.create({ payment_intent: paid.id, amount: 500 })).status, 'succeeded');
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
  });

  it('confirmSepaDebitPayment: processing with the mandate accepted in this browser; the bank then debits or refuses', async () => {
    const pay = async (iban: string) => {
      const intent = await createIntent({ amount: 4000, currency: 'eur', payment_method_types: ['sepa_debit'] });
      const page = await browser.newPage();
      try {
        await page.goto(`${merchant.url}/pay?secret=${encodeURIComponent(intent.client_secret!)}&iban=${iban}`);
        await page.getByRole('button', { name: 'Pay by SEPA debit' }).click();
        await page.getByText(`processing ${intent.id}`).waitFor({ timeout: 60_000 });
        const userAgent = await page.evaluate('navigator.userAgent') as string;
        return { intent, userAgent };
      } finally {
        await within('closing the page', page.close());
      }
    };
    const [good, bad] = await Promise.all([pay('AT611904300234573201'), pay('DE62370400440532013001')]);
    const processing = await stripe.paymentIntents.retrieve(good.intent.id, { expand: ['latest_charge'] });
    const mandate = await stripe.mandates.retrieve((processing.latest_charge as Stripe.Charge).payment_method_details?.sepa_debit?.mandate ?? '');
    assert.equal(mandate.customer_acceptance.type, 'online');
    assert.equal(mandate.customer_acceptance.online?.user_agent, good.userAgent, 'the browser\'s own user agent');
    assert.match(mandate.customer_acceptance.online?.ip_address ?? '', /127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);

    // A merchant's server cannot claim the shopper's browser: infer_from_client is a publishable key's only.
    const serverSide = await createIntent({ amount: 4000, currency: 'eur', payment_method_types: ['sepa_debit'] });
    const refused = await stripe.paymentIntents.confirm(serverSide.id, {
      payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: 'AT611904300234573201' }, billing_details: { name: 'Jenny Rosen', email: 'jenny@example.com' } },
      mandate_data: { customer_acceptance: { type: 'online', online: { infer_from_client: true } } },
    } as Stripe.PaymentIntentConfirmParams).then(() => undefined, (error: Stripe.errors.StripeError) => error);
    assert.equal(refused?.statusCode, 400);
    assert.equal(refused?.param, 'mandate_data[customer_acceptance][online][infer_from_client]');

    await resolveStuckAttempts(server.deps, 0);
    const debited = await stripe.paymentIntents.retrieve(good.intent.id);
    assert.equal(debited.status, 'succeeded');
    assert.equal((await stripe.refunds.create({ payment_intent: debited.id })).status, 'succeeded');
    const refusedDebit = await stripe.paymentIntents.retrieve(bad.intent.id);
    assert.equal(refusedDebit.status, 'requires_payment_method');
    // Stripe documents no failure code for its plain failing test IBANs: generic_could_not_process (docs/payment-methods.md).
    assert.equal(refusedDebit.last_payment_error?.decline_code, 'generic_could_not_process');
  });
});
