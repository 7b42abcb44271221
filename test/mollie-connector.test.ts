import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { startMollieSandbox, type MollieSandbox } from '../src/sandbox/mollie/server.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { sandboxFetch, selfSignedCertificate } from './helpers/mollie-sdk.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/*
 * Mollie end to end: the stripe SDK against Payrail with a `mollie` connector configuration pointing at the Mollie
 * sandbox (HTTPS with a certificate made for the run, trusted through `settings[ca_certificate]`). The customer
 * follows `next_action.redirect_to_url` to the sandbox's checkout, picks the outcome, and comes back through Payrail's
 * return page; Mollie's webhook (`id=tr_...`) reaches Payrail's provider webhook route, which fetches the payment.
 */

const apiKey = 'test_PayrailMollieConnector00000000';
const merchantReturnUrl = 'https://shop.example.com/return?order=7';

describe('Mollie connector through Payrail (stripe SDK, Mollie sandbox)', () => {
  let server: TestServer;
  let stripe: Stripe;
  let sandbox: MollieSandbox;
  let configurationId: string;
  let sandboxGet: ReturnType<typeof sandboxFetch>;

  before(async () => {
    const tls = selfSignedCertificate();
    sandboxGet = sandboxFetch(tls.cert);
    server = await startTestServer();
    stripe = server.account.stripe;
    sandbox = await startMollieSandbox({ apiKeys: [apiKey], tls, webhookRetryDelaysMs: [] });
    const created = await stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'mollie', credentials: { api_key: apiKey }, settings: { base_url: sandbox.url, ca_certificate: tls.cert },
    });
    configurationId = created.id as string;
    assert.deepEqual(created.payment_method_types, ['ideal', 'bancontact', 'eps', 'p24', 'klarna', 'blik', 'sepa_debit']);
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
  });
  after(async () => {
    await sandbox?.close();
    await server?.close();
  });
  afterEach(async () => {
    sandbox.setFaults({ status5xxRate: 0 });
    await sandbox.webhooksIdle();
  });

  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);

  async function confirmIdeal(amount: number): Promise<Stripe.PaymentIntent> {
    const intent = await createIntent({ amount, currency: 'eur', payment_method_types: ['ideal'] });
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { payment_method_data: { type: 'ideal', ideal: { bank: 'ing' }, billing_details: { name: 'Jan de Vries' } }, return_url: merchantReturnUrl });
    assert.equal(confirmed.status, 'requires_action');
    assert.equal(confirmed.next_action?.type, 'redirect_to_url');
    return confirmed;
  }

  /** The customer on Mollie's checkout: picks an outcome; answers where Mollie sends the browser (Payrail's return page). */
  async function checkout(intent: Stripe.PaymentIntent, outcome: 'paid' | 'failed' | 'canceled' | 'open'): Promise<URL> {
    const url = intent.next_action!.redirect_to_url!.url!;
    assert.ok(url.startsWith(`${sandbox.url}/sandbox/mollie/checkout/tr_`), url);
    const page = await sandboxGet(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Select the payment status/);
    const answer = await sandboxGet(url, { method: 'POST', body: new URLSearchParams({ outcome }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    assert.equal(answer.status, 303);
    const back = new URL(answer.headers.get('location')!);
    assert.match(back.pathname, /^\/payrail\/return\/pa_/);
    return back;
  }

  /** The browser at Payrail's return page: sent on (303) to the merchant's return_url. */
  async function arrive(back: URL, intent: Stripe.PaymentIntent, redirectStatus: 'succeeded' | 'failed' | 'processing'): Promise<void> {
    const response = await fetch(back, { redirect: 'manual' });
    assert.equal(response.status, 303, await response.text());
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.origin + location.pathname, 'https://shop.example.com/return');
    assert.equal(location.searchParams.get('payment_intent'), intent.id);
    if (redirectStatus !== 'processing') assert.equal(location.searchParams.get('redirect_status'), redirectStatus);
  }

  function molliePaymentOf(intent: Stripe.PaymentIntent) {
    const id = new URL(intent.next_action!.redirect_to_url!.url!).pathname.split('/').at(-1)!;
    const payment = sandbox.records().payments.find((record) => record.id === id);
    assert.ok(payment, `Mollie has payment ${id}`);
    return payment;
  }

  it('iDEAL paid: redirect to the checkout, paid, return -> succeeded with the bank details; amounts as Mollie strings', async () => {
    const intent = await confirmIdeal(2599);
    const payment = molliePaymentOf(intent);
    assert.deepEqual(payment.amount, { currency: 'EUR', value: '25.99' });
    assert.equal(payment.method, 'ideal');
    assert.equal(payment.webhookUrl, `${server.baseUrl}/payrail/webhooks/${configurationId}`);
    await arrive(await checkout(intent, 'paid'), intent, 'succeeded');
    const done = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.amount_received, 2599);
    const charge = done.latest_charge as Stripe.Charge & { payrail_routing?: { connector: string } };
    assert.equal(charge.payrail_routing?.connector, 'mollie');
    assert.equal(charge.payment_method_details?.ideal?.verified_name, 'T. TEST');
    assert.equal(charge.payment_method_details?.ideal?.iban_last4, '0000');
  });

  it('iDEAL failed and canceled at the checkout: requires_payment_method with payment_intent_authentication_failure', async () => {
    for (const outcome of ['failed', 'canceled'] as const) {
      const intent = await confirmIdeal(1000);
      await arrive(await checkout(intent, outcome), intent, 'failed');
      const failed = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(failed.status, 'requires_payment_method', outcome);
      assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
    }
  });

  it('a payment still open on return is processing until Mollie\'s webhook (fetched from Mollie) settles it', async () => {
    const intent = await confirmIdeal(1500);
    await arrive(await checkout(intent, 'open'), intent, 'processing');
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'processing');
    const payment = molliePaymentOf(intent);
    const settled = await sandboxGet(`${sandbox.url}/sandbox/admin/payments/${payment.id}/settle`, { method: 'POST', body: JSON.stringify({ status: 'paid' }), headers: { 'content-type': 'application/json' } });
    assert.equal(settled.status, 200);
    await sandbox.webhooksIdle();
    const webhook = sandbox.records().webhooks.filter((record) => record.resourceId === payment.id);
    assert.ok(webhook.length >= 1 && webhook.every((record) => record.delivered), 'Payrail answered 200 to Mollie\'s webhook');
    const done = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    assert.equal(done.status, 'succeeded');
    assert.equal((done.latest_charge as Stripe.Charge).payment_method_details?.ideal?.verified_name, 'T. TEST');

    // A forged webhook naming a payment this key does not know is refused and changes nothing.
    const forged = await fetch(`${server.baseUrl}/payrail/webhooks/${configurationId}`, { method: 'POST', body: 'id=tr_forged0000', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(forged.status, 400);
  });

  it('partial refunds go to Mollie with their own Idempotency-Key and settle by webhook', async () => {
    const intent = await confirmIdeal(5000);
    await arrive(await checkout(intent, 'paid'), intent, 'succeeded');
    await sandbox.webhooksIdle();
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1250 });
    assert.equal(refund.status, 'pending');
    const atMollie = sandbox.records().refunds.filter((record) => record.paymentId === molliePaymentOf(intent).id);
    assert.deepEqual(atMollie.map((record) => [record.amount.value, record.status]), [['12.50', 'pending']]);
    const settled = await sandboxGet(`${sandbox.url}/sandbox/admin/refunds/${atMollie[0].id}/settle`, { method: 'POST', body: JSON.stringify({ status: 'refunded' }), headers: { 'content-type': 'application/json' } });
    assert.equal(settled.status, 200);
    await sandbox.webhooksIdle();
    assert.equal((await stripe.refunds.retrieve(refund.id)).status, 'succeeded');
    const charge = await stripe.charges.retrieve(refund.charge as string);
    assert.equal(charge.amount_refunded, 1250);
    assert.equal(charge.refunded, false);
  });

  it('Bancontact: redirect, paid, succeeded with the reported details', async () => {
    const intent = await createIntent({ amount: 1200, currency: 'eur', payment_method_types: ['bancontact'] });
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { payment_method_data: { type: 'bancontact', billing_details: { name: 'Jenny Rosen' } }, return_url: merchantReturnUrl });
    assert.equal(molliePaymentOf(confirmed).method, 'bancontact');
    await arrive(await checkout(confirmed, 'paid'), confirmed, 'succeeded');
    const done = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    assert.equal(done.status, 'succeeded');
    const details = (done.latest_charge as Stripe.Charge).payment_method_details?.bancontact;
    assert.equal(details?.verified_name, 'T. TEST');
    assert.equal(details?.bic, 'INGBNL2A');
  });

  it('a create answered with a 500 after Mollie processed it is retried under the same Idempotency-Key: one Mollie payment', async () => {
    const before = sandbox.records().payments.length;
    // Every answer is a 500 after processing: the connector's retries replay the first answer, still a 500.
    sandbox.setFaults({ status5xxRate: 1 });
    const intent = await createIntent({ amount: 3100, currency: 'eur', payment_method_types: ['ideal'] });
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { payment_method_data: { type: 'ideal', billing_details: { name: 'Jan de Vries' } }, return_url: merchantReturnUrl });
    sandbox.setFaults({ status5xxRate: 0 });
    assert.equal(sandbox.records().payments.length, before + 1, 'Mollie made one payment for the request and its retries');
    assert.equal(confirmed.status, 'processing', 'the outcome is unknown: the intent waits for the janitor');
    // The janitor replays the creation under the same key (Mollie answers with the stored payment), then reads it.
    await resolveStuckAttempts(server.deps, 0);
    assert.equal(sandbox.records().payments.length, before + 1, 'the replay made no second payment');
    assert.equal(sandbox.records().payments.at(-1)!.amount.value, '31.00');
    const resolved = await stripe.paymentIntents.retrieve(intent.id);
    // The payment is open at Mollie and the customer was never shown its checkout: it waits for them, with the redirect.
    assert.equal(resolved.status, 'requires_action');
    assert.ok(resolved.next_action?.redirect_to_url?.url?.startsWith(`${sandbox.url}/sandbox/mollie/checkout/tr_`));
  });

  it('refuses a live key in test mode, and a CA certificate that is not one', async () => {
    await expectStripeError(
      stripe.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'mollie', credentials: { api_key: 'live_PayrailMollieConnector00000000' } }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'credentials[api_key]', statusCode: 400 },
    );
    await expectStripeError(
      stripe.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'mollie', credentials: { api_key: apiKey }, settings: { ca_certificate: 'not a certificate' } }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'settings[ca_certificate]', statusCode: 400 },
    );
    await expectStripeError(
      stripe.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'mollie', credentials: { api_key: apiKey }, payment_method_types: ['card'] }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'payment_method_types[0]', statusCode: 400 },
    );
  });
});
