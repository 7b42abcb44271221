import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { verifyLedger } from '../src/ledger/verify.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { startRazorpaySandbox, type RazorpaySandbox } from '../src/sandbox/razorpay/server.ts';
import { razorpaySdk } from './helpers/razorpay-sdk.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/*
 * Razorpay end to end: the stripe SDK against Payrail with a `razorpay` connector configuration pointing at the
 * Razorpay sandbox, and a routing profile that sends UPI there. A UPI collect request is `processing` until the
 * payer's UPI app answers (Razorpay's test VPAs answer at once; another VPA waits for the sandbox's UPI app, driven
 * through its admin endpoint); the answer reaches Payrail as a signed webhook (X-Razorpay-Signature). The official
 * razorpay SDK reads the sandbox's side (orders by receipt, payments, refunds).
 */

const keyId = 'rzp_test_PayrailConnec1';
const keySecret = 'razorpay-connector-test-secret';
const webhookSecret = 'razorpay-connector-webhook-secret';
/** Polling bound for outcomes that arrive by webhook: generous, the machine is shared. */
const waitMs = 30_000;

describe('Razorpay connector through Payrail (stripe SDK, Razorpay sandbox)', () => {
  let server: TestServer;
  let stripe: Stripe;
  let sandbox: RazorpaySandbox;
  let configurationId: string;
  let razorpay: ReturnType<typeof razorpaySdk>;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    sandbox = await startRazorpaySandbox({ keyId, keySecret, webhookSecret, webhookRetryDelaysMs: [200, 1000, 3000] });
    razorpay = razorpaySdk(sandbox.url, keyId, keySecret);
    const created = await stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'razorpay', credentials: { key_id: keyId, key_secret: keySecret, webhook_secret: webhookSecret }, settings: { base_url: sandbox.url }, payment_method_types: ['upi', 'card'],
    });
    configurationId = created.id as string;
    assert.deepEqual(created.payment_method_types, ['upi', 'card']);
    assert.deepEqual(Object.keys(created.credentials as object).sort(), ['key_id', 'key_secret', 'webhook_secret']);
    assert.ok(!JSON.stringify(created).includes(keySecret), 'the key secret is write-only');
    sandbox.setWebhookUrl(`${server.baseUrl}/payrail/webhooks/${configurationId}`);
    // The routing profile sends UPI and INR cards to Razorpay (the built-in test processor carries both too).
    await stripe.rawRequest('POST', '/v1/payrail/routing_profile', {
      strategy: 'priority',
      rules: [
        { id: 'upi_to_razorpay', conditions: { payment_method_types: ['upi'] }, action: { type: 'prefer', configurations: [configurationId] }, fallback: false },
        { id: 'inr_cards_to_razorpay', conditions: { payment_method_types: ['card'], currencies: ['inr'] }, action: { type: 'prefer', configurations: [configurationId] }, fallback: false },
      ],
    });
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
  });
  after(async () => {
    await sandbox?.close();
    await server?.close();
  });
  afterEach(async () => {
    sandbox.setFaults({ status5xxRate: 0, errorRate: 0, webhookDuplicate: false });
    await sandbox.webhooksIdle();
  });

  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);
  const payUpi = (vpa: string, amount = 50_000, options: Record<string, unknown> = {}) =>
    createIntent({ amount, currency: 'inr', payment_method_types: ['upi'], confirm: true, payment_method_data: { type: 'upi', upi: { vpa }, billing_details: { email: 'asha@example.in', phone: '+919876543210' } }, ...options });

  async function until(intentId: string, status: Stripe.PaymentIntent.Status): Promise<Stripe.PaymentIntent> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const intent = await stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge.balance_transaction'] });
      if (intent.status === status) return intent;
      if (Date.now() > deadline) assert.fail(`intent ${intentId} is ${intent.status}, not ${status}, after ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The hidden fields and action of the first form of a page. */
  function formOf(html: string): { action: string; fields: Record<string, string> } {
    const decode = (value: string) => value.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code))).replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action, `a form in ${html.slice(0, 300)}`);
    const fields = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [decode(match[1]), decode(match[2])]));
    return { action: decode(action), fields };
  }
  const postForm = (url: string, fields: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });

  /**
   * The payer's browser on a card payment: Payrail's redirect page posts the order to Razorpay's checkout, the payer
   * types the card and the test bank answers, Razorpay's page posts its result to Payrail's return page, which sends
   * the payer on to the merchant's return_url.
   */
  async function payOnCheckout(intent: Stripe.PaymentIntent, outcome: 'success' | 'failure'): Promise<URL> {
    assert.equal(intent.status, 'requires_action');
    const redirect = formOf(await (await fetch(intent.next_action!.redirect_to_url!.url!)).text());
    assert.equal(redirect.action, `${sandbox.url}/v1/checkout/embedded`);
    assert.equal(redirect.fields.key_id, keyId);
    assert.match(redirect.fields.callback_url, /\/payrail\/return\/pa_/);
    const checkout = await postForm(redirect.action, redirect.fields);
    assert.equal(checkout.status, 200);
    const form = formOf(await checkout.text());
    const card = { card_number: '5267 3181 8797 5449', expiry_month: '12', expiry_year: '35', cvv: '123', name: 'Asha Rao', email: 'asha@example.in', contact: '+919876543210', outcome };
    const callback = formOf(await (await postForm(new URL(form.action, sandbox.url).toString(), { ...form.fields, ...card })).text());
    assert.equal(callback.action, redirect.fields.callback_url);
    const back = await postForm(callback.action, callback.fields);
    assert.equal(back.status, 303, await back.text());
    return new URL(back.headers.get('location')!);
  }
  async function payByCard(options: Record<string, unknown> = {}): Promise<Stripe.PaymentIntent> {
    const method = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2034, cvc: '123' } } as Stripe.PaymentMethodCreateParams);
    return createIntent({ amount: 149_900, currency: 'inr', payment_method_types: ['card'], confirm: true, return_url: 'https://shop.example.in/return', payment_method: method.id, ...options });
  }

  it('card approved on Razorpay\'s checkout: requires_action, then succeeded through the return page', async () => {
    const intent = await payByCard();
    const back = await payOnCheckout(intent, 'success');
    assert.equal(back.origin + back.pathname, 'https://shop.example.in/return');
    assert.equal(back.searchParams.get('redirect_status'), 'succeeded');
    const paid = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    assert.equal(paid.status, 'succeeded');
    assert.equal(paid.amount_received, 149_900);
    const charge = paid.latest_charge as Stripe.Charge & { payrail_routing?: { connector: string } };
    assert.equal(charge.payrail_routing?.connector, 'razorpay');
    const payment = await razorpay.payments.fetch(sandbox.records().payments.at(-1)!.id);
    assert.deepEqual([payment.method, payment.status, payment.amount], ['card', 'captured', 149_900]);
  });

  it('card declined by the bank on Razorpay\'s checkout: requires_payment_method with card_declined', async () => {
    const intent = await payByCard();
    const back = await payOnCheckout(intent, 'failure');
    assert.equal(back.searchParams.get('redirect_status'), 'failed');
    const failed = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'card_declined');
  });

  it('card with manual capture: authorized on the checkout (requires_capture), captured through Razorpay\'s capture', async () => {
    const intent = await payByCard({ capture_method: 'manual' });
    await payOnCheckout(intent, 'success');
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'requires_capture');
    const paymentId = sandbox.records().payments.at(-1)!.id;
    assert.equal((await razorpay.payments.fetch(paymentId)).status, 'authorized');
    const captured = await stripe.paymentIntents.capture(intent.id);
    assert.equal(captured.status, 'succeeded');
    assert.equal((await razorpay.payments.fetch(paymentId)).status, 'captured');
  });

  it('UPI collect paid: processing until the signed webhook, then succeeded with payment_method_details.upi and ledger postings', async () => {
    const intent = await payUpi('asha@okhdfcbank');
    assert.equal(intent.status, 'processing');
    assert.equal(intent.next_action, null);
    const paymentId = sandbox.records().payments.at(-1)!.id;
    // Razorpay's side, through its own SDK: one order whose receipt is Payrail's attempt, one UPI collect payment.
    const payment = await razorpay.payments.fetch(paymentId);
    assert.equal(payment.status, 'created');
    assert.equal(payment.method, 'upi');
    assert.equal(payment.amount, 50_000);
    assert.equal(payment.currency, 'INR');
    const order = await razorpay.orders.fetch(payment.order_id);
    assert.equal(order.amount, 50_000);
    assert.match(order.receipt ?? '', /^pa_/);
    // The payer approves in the UPI app: Razorpay captures and signs payment.captured / order.paid to Payrail.
    const approved = await fetch(`${sandbox.url}/sandbox/admin/payments/${paymentId}/upi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'approve' }) });
    assert.equal(approved.status, 200);
    const paid = await until(intent.id, 'succeeded');
    assert.equal(paid.amount_received, 50_000);
    const paidCharge = paid.latest_charge as Stripe.Charge & { payrail_routing?: { connector: string; attempt: string } };
    assert.equal(paidCharge.payrail_routing?.connector, 'razorpay', 'the routing profile sent UPI to Razorpay');
    assert.equal(paidCharge.payrail_routing?.attempt, order.receipt, 'the order\'s receipt is Payrail\'s attempt');
    assert.deepEqual((paidCharge.payment_method_details as unknown as { upi: unknown }).upi, { vpa: 'asha@okhdfcbank' });
    const balance = paidCharge.balance_transaction as Stripe.BalanceTransaction;
    // The ledger's balance transaction of the charge (in the account's settlement currency), fee included.
    assert.equal(balance.source, paidCharge.id);
    assert.equal(balance.type, 'charge');
    assert.ok(balance.amount > 0 && balance.net === balance.amount - balance.fee, `${balance.amount} - ${balance.fee} = ${balance.net}`);
    const report = await verifyLedger(server.db);
    assert.deepEqual(report.problems, [], 'the ledger verifies');
  });

  it('UPI collect to Razorpay\'s test VPAs: success@razorpay succeeds, failure@razorpay fails with payment_method_provider_decline', async () => {
    const good = await payUpi('success@razorpay', 20_000);
    const bad = await payUpi('failure@razorpay', 20_000);
    // The test VPAs answer at once, so the webhook may already have been applied when confirm answers.
    assert.ok(['processing', 'succeeded'].includes(good.status), good.status);
    assert.ok(['processing', 'requires_payment_method'].includes(bad.status), bad.status);
    const succeeded = await until(good.id, 'succeeded');
    assert.deepEqual(((succeeded.latest_charge as Stripe.Charge).payment_method_details as unknown as { upi: unknown }).upi, { vpa: 'success@razorpay' });
    const failed = await until(bad.id, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_method_provider_decline');
    assert.equal(failed.last_payment_error?.decline_code, 'customer_declined');
  });

  it('UPI collect declined in the payer\'s app (insufficient funds): requires_payment_method', async () => {
    const intent = await payUpi('ravi@oksbi', 30_000);
    assert.equal(intent.status, 'processing');
    const paymentId = sandbox.records().payments.at(-1)!.id;
    const declined = await fetch(`${sandbox.url}/sandbox/admin/payments/${paymentId}/upi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'decline', reason: 'insufficient_funds' }) });
    assert.equal(declined.status, 200);
    const failed = await until(intent.id, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_method_provider_decline');
    assert.equal(failed.last_payment_error?.decline_code, 'insufficient_funds');
    const events = await stripe.events.list({ type: 'payment_intent.payment_failed' });
    assert.equal(events.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === intent.id).length, 1);
  });

  it('UPI intent: requires_action with Payrail\'s page of the upi:// link and its QR code; the payer\'s app approves; succeeded', async () => {
    const intent = await payUpi('unused@okaxis', 12_345, { payment_method_options: { upi: { flow: 'intent' } } });
    assert.equal(intent.status, 'requires_action');
    type UpiAction = { hosted_instructions_url: string; expires_at: number; qr_code: { expires_at: number; image_url_png: string; image_url_svg: string } };
    const action = intent.next_action as unknown as { type: string; upi_handle_redirect_or_display_qr_code: UpiAction };
    assert.equal(action.type, 'upi_handle_redirect_or_display_qr_code');
    const shown = action.upi_handle_redirect_or_display_qr_code;
    // As the test processor's: an https page of Payrail's (here the test server's http origin) with the QR code.
    assert.equal(new URL(shown.hosted_instructions_url).origin, server.baseUrl);
    assert.ok(shown.qr_code.expires_at > server.clock.nowSeconds());
    assert.equal((await fetch(shown.qr_code.image_url_png)).headers.get('content-type'), 'image/png');
    const html = await (await fetch(shown.hosted_instructions_url)).text();
    assert.match(html, /Pay with UPI/);
    assert.doesNotMatch(html, /Approve test payment/, 'a real provider\'s payer approves in the UPI app');
    // The link Razorpay answered, offered on the page (and drawn in the QR code).
    const link = new URL((/href="(upi:\/\/[^"]+)"/.exec(html)?.[1] ?? '').replaceAll('&amp;', '&'));
    assert.equal(link.protocol, 'upi:');
    assert.equal(link.searchParams.get('am'), '123.45');
    assert.equal(link.searchParams.get('cu'), 'INR');
    assert.equal((await fetch(shown.hosted_instructions_url, { method: 'POST', body: new URLSearchParams({ action: 'approve' }) })).status, 404, 'no test answers for a real provider');
    const payment = sandbox.records().payments.at(-1)!;
    assert.equal(payment.upiFlow, 'intent');
    assert.equal(payment.vpa, null, 'an intent payment sends no VPA');
    // The payer's UPI app (the sandbox's page) approves.
    const page = await fetch(`${sandbox.url}/sandbox/razorpay/upi/${payment.id}`);
    assert.equal(page.status, 200);
    const approved = await fetch(`${sandbox.url}/sandbox/razorpay/upi/${payment.id}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=approve' });
    assert.equal(approved.status, 200);
    const paid = await until(intent.id, 'succeeded');
    assert.equal(paid.next_action, null);
    assert.deepEqual(((paid.latest_charge as Stripe.Charge).payment_method_details as unknown as { upi: unknown }).upi, { vpa: 'payer@okpayrail' });
  });

  it('refunds in part and in full, each one Razorpay refund whose receipt is Payrail\'s refund id', async () => {
    const intent = await payUpi('success@razorpay', 40_000);
    const paid = await until(intent.id, 'succeeded');
    const paymentId = sandbox.records().payments.find((record) => record.notes.payrail_attempt === sandbox.records().orders.find((order) => order.amount === 40_000)?.receipt)!.id;
    const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 15_000 });
    assert.equal(partial.status, 'succeeded');
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    assert.equal(rest.status, 'succeeded');
    assert.equal(rest.amount, 25_000);
    assert.equal((await stripe.charges.retrieve((paid.latest_charge as Stripe.Charge).id)).amount_refunded, 40_000);
    const refunds = await razorpay.payments.fetchMultipleRefund(paymentId);
    assert.deepEqual(refunds.items.map((refund) => [refund.amount, refund.receipt, refund.status]).sort(), [[15_000, partial.id, 'processed'], [25_000, rest.id, 'processed']].sort());
    assert.equal((await razorpay.payments.fetch(paymentId)).status, 'refunded');
    // The refund.processed webhooks that follow change nothing.
    await sandbox.webhooksIdle();
    assert.equal((await stripe.refunds.retrieve(partial.id)).status, 'succeeded');
    assert.deepEqual((await verifyLedger(server.db)).problems, []);
  });

  it('a configuration takes a key id of its mode, the key secret and the webhook secret; UPI is the default type', async () => {
    const create = (credentials: Record<string, string>) => stripe.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'razorpay', credentials, settings: { base_url: sandbox.url }, enabled: false });
    const refused = async (credentials: Record<string, string>, code: string, param: string) => {
      await assert.rejects(create(credentials), (error: Stripe.errors.StripeError) => error.code === code && error.param === param && error.statusCode === 400);
    };
    await refused({ key_id: 'rzp_live_PayrailConnec1', key_secret: keySecret, webhook_secret: webhookSecret }, 'invalid_value', 'credentials[key_id]');
    await refused({ key_id: 'key_PayrailConnec1', key_secret: keySecret, webhook_secret: webhookSecret }, 'invalid_value', 'credentials[key_id]');
    await refused({ key_id: keyId, key_secret: keySecret }, 'parameter_missing', 'credentials[webhook_secret]');
    await refused({ key_id: keyId, key_secret: keySecret, webhook_secret: webhookSecret, api_key: 'x' }, 'parameter_unknown', 'credentials[api_key]');
    const created = await create({ key_id: keyId, key_secret: keySecret, webhook_secret: webhookSecret });
    assert.deepEqual(created.payment_method_types, ['upi']);
    await assert.rejects(stripe.rawRequest('POST', `/v1/payrail/connector_configurations/${created.id as string}`, { payment_method_types: ['ideal'] }), (error: Stripe.errors.StripeError) => error.param === 'payment_method_types[0]');
    await stripe.rawRequest('DELETE', `/v1/payrail/connector_configurations/${created.id as string}`, {});
  });

  it('Razorpay\'s duplicated webhook deliveries settle the payment once', async () => {
    sandbox.setFaults({ webhookDuplicate: true });
    const intent = await payUpi('success@razorpay', 33_300);
    await until(intent.id, 'succeeded');
    await sandbox.webhooksIdle();
    sandbox.setFaults({ webhookDuplicate: false });
    const succeeded = await stripe.events.list({ type: 'payment_intent.succeeded', limit: 100 });
    assert.equal(succeeded.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === intent.id).length, 1);
    const duplicates = sandbox.records().webhooks.filter((record) => record.duplicate && record.delivered);
    assert.ok(duplicates.length > 0, 'the sandbox delivered duplicates');
  });

  it('a webhook whose X-Razorpay-Signature does not match is refused; a signed one is accepted', async () => {
    const body = JSON.stringify({ entity: 'event', event: 'payment.failed', contains: ['payment'], payload: { payment: { entity: { id: 'pay_Forged000000001', status: 'failed', notes: { payrail_attempt: 'pa_forged' } } } }, created_at: 1 });
    const url = `${server.baseUrl}/payrail/webhooks/${configurationId}`;
    const forged = createHmac('sha256', 'not-the-secret').update(body).digest('hex');
    const variants: Record<string, string>[] = [{ 'x-razorpay-signature': forged }, {}, { 'x-razorpay-signature': 'zz' }];
    for (const headers of variants) {
      const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'webhook_not_verified');
    }
    const signed = createHmac('sha256', webhookSecret).update(body).digest('hex');
    const accepted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': signed, 'x-razorpay-event-id': 'evt_Test0000000001' }, body });
    assert.equal(accepted.status, 200);
  });

  it('an ambiguous answer is resolved by looking the order up by receipt: a retried attempt makes no second order or payment', async () => {
    const ordersBefore = sandbox.records().orders.length;
    // Every API call is processed and then answered with a 500: Payrail cannot know whether the order exists.
    sandbox.setFaults({ status5xxRate: 1 });
    const intent = await payUpi('meera@okicici', 21_000);
    sandbox.setFaults({ status5xxRate: 0 });
    assert.notEqual(intent.status, 'succeeded');
    assert.equal(sandbox.records().orders.length, ordersBefore + 1, 'the first call made one order');
    const order = sandbox.records().orders.at(-1)!;
    assert.equal(order.paymentIds.length, 0, 'the 500 came before any payment');
    // The janitor asks again: finds the order by its receipt and makes its payment, once.
    await resolveStuckAttempts(server.deps, 0);
    await resolveStuckAttempts(server.deps, 0);
    const orders = await razorpay.orders.all({ receipt: order.receipt! } as never);
    assert.equal(orders.items.length, 1, 'one order for the attempt');
    const payments = await razorpay.orders.fetchPayments(order.id);
    assert.equal(payments.items.length, 1, 'one payment for the order');
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'processing');
    await fetch(`${sandbox.url}/sandbox/admin/payments/${payments.items[0].id}/upi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'approve' }) });
    await until(intent.id, 'succeeded');
  });
});
