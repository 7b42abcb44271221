import assert from 'node:assert/strict';
import http from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import Razorpay from 'razorpay';
import { validatePaymentVerification, validateWebhookSignature } from 'razorpay/dist/utils/razorpay-utils.js';
import { closeNow, listenOnLoopback } from '../../../test/helpers/loopback-server.ts';
import { razorpaySdk, type RazorpaySdkError } from '../../../test/helpers/razorpay-sdk.ts';
import { until } from '../../../test/helpers/until.ts';
import { startRazorpaySandbox, type RazorpaySandbox } from './server.ts';

/*
 * The Razorpay sandbox driven by the official `razorpay` Node SDK (orders, S2S UPI, captures, refunds, errors), its
 * payer pages over HTTP, its webhooks checked with the SDK's validateWebhookSignature, payment signatures with
 * validatePaymentVerification, and fault injection.
 */

const keyId = 'rzp_test_SandboxTestKey';
const keySecret = 'sandbox_test_key_secret';
const webhookSecret = 'sandbox_test_webhook_secret';
const payer = { email: 'payer@example.com', contact: '+919900000000' };

interface Delivery {
  body: string;
  signature: string;
  eventId: string;
}

/** A merchant's webhook endpoint: records every POST and answers as told (200 by default). */
class Receiver {
  readonly deliveries: Delivery[] = [];
  failures: number[] = [];
  readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.deliveries.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(request.headers['x-razorpay-signature']), eventId: String(request.headers['x-razorpay-event-id']) });
      response.writeHead(this.failures.shift() ?? 200).end();
    });
  });

  events(): { event: string; contains: string[]; payload: Record<string, { entity: Record<string, unknown> }> }[] {
    return this.deliveries.map((delivery) => JSON.parse(delivery.body));
  }
}

async function sdkError(promise: Promise<unknown>): Promise<RazorpaySdkError> {
  try {
    await promise;
  } catch (error) {
    return error as RazorpaySdkError;
  }
  assert.fail('the call succeeded');
}

describe('Razorpay sandbox through the official razorpay SDK', () => {
  let sandbox: RazorpaySandbox;
  let razorpay: Razorpay;
  const receiver = new Receiver();

  before(async () => {
    const webhookUrl = `${await listenOnLoopback(receiver.server)}/razorpay/webhooks`;
    sandbox = await startRazorpaySandbox({ keyId, keySecret, webhookSecret, webhookUrl, webhookRetryDelaysMs: [10, 10], captureMode: 'manual' });
    razorpay = razorpaySdk(sandbox.url, keyId, keySecret);
  });
  after(async () => {
    await sandbox.close();
    await closeNow(receiver.server);
  });
  afterEach(() => sandbox.setFaults({ outage: false, errorRate: 0, status5xxRate: 0, timeoutRate: 0, webhookDuplicate: false }));

  async function order(amount = 50_000, receipt?: string) {
    return razorpay.orders.create({ amount, currency: 'INR', ...(receipt ? { receipt } : {}), notes: { cart: 'c_1' } });
  }

  function upi(orderId: string, upiDetails: { flow: string; vpa?: string }, amount = 50_000) {
    return razorpay.payments.createUpi({ amount, currency: 'INR', order_id: orderId, method: 'upi', ...payer, ip: '203.0.113.7', referer: 'https://shop.example/', user_agent: 'Mozilla/5.0', notes: { attempt: 'a_1' }, upi: upiDetails });
  }

  it('creates and reads orders in paise, lists them by receipt, and refuses bad input in Razorpay’s error shape', async () => {
    const created = await order(50_000, 'rcpt_1');
    assert.match(created.id, /^order_[A-Za-z0-9]{14}$/);
    assert.deepEqual(
      { entity: created.entity, amount: created.amount, amount_paid: created.amount_paid, amount_due: created.amount_due, currency: created.currency, receipt: created.receipt, status: created.status, attempts: created.attempts, notes: created.notes },
      { entity: 'order', amount: 50_000, amount_paid: 0, amount_due: 50_000, currency: 'INR', receipt: 'rcpt_1', status: 'created', attempts: 0, notes: { cart: 'c_1' } },
    );
    assert.equal((await razorpay.orders.fetch(created.id)).id, created.id);
    // The deprecated `payment_capture` still chooses the capture, like `payment.capture`.
    const legacy = await razorpay.orders.create({ amount: 100, currency: 'INR', payment_capture: true } as never);
    assert.equal(sandbox.records().orders.find((record) => record.id === legacy.id)?.capture, 'automatic');
    const listed = await razorpay.orders.all({ receipt: 'rcpt_1' });
    assert.deepEqual(listed.items.map((item) => item.id), [created.id]);

    const tooSmall = await sdkError(order(99));
    assert.equal(tooSmall.statusCode, 400);
    assert.deepEqual(tooSmall.error, { code: 'BAD_REQUEST_ERROR', description: 'The amount must be atleast INR 1.00', field: 'amount', source: 'business', step: 'payment_initiation', reason: 'input_validation_failed', metadata: {} });
    const stringAmount = await sdkError(razorpay.orders.create({ amount: '5000', currency: 'INR' }));
    assert.deepEqual([stringAmount.error.description, stringAmount.error.field], ['The amount must be an integer.', 'amount']);
    const unknownField = await sdkError(razorpay.orders.create({ amount: 100, currency: 'INR', colour: 'red' } as never));
    assert.equal(unknownField.error.description, 'colour is/are not required and should not be sent');
    const missing = await sdkError(razorpay.orders.fetch('order_DoesNotExist00'));
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.error.description, 'The id provided does not exist');
    const unauthenticated = await sdkError(razorpaySdk(sandbox.url, keyId, 'wrong-secret').orders.fetch(created.id));
    assert.equal(unauthenticated.statusCode, 401);
    assert.equal(unauthenticated.error.description, 'Authentication failed');
  });

  it('UPI collect: success@razorpay authorizes, capture needs the authorized amount, the paid order takes no more payments, refunds partly then fully', async () => {
    const created = await order();
    const initiated = await upi(created.id, { flow: 'collect', vpa: 'success@razorpay' });
    assert.match(initiated.razorpay_payment_id, /^pay_[A-Za-z0-9]{14}$/);
    const paymentId = initiated.razorpay_payment_id;
    const authorized = await razorpay.payments.fetch(paymentId);
    assert.equal(authorized.status, 'authorized');
    assert.equal(authorized.method, 'upi');
    assert.equal(authorized.vpa, 'success@razorpay');
    assert.equal(authorized.captured, false);
    assert.equal((await razorpay.orders.fetch(created.id)).status, 'attempted');
    assert.deepEqual((await razorpay.orders.fetchPayments(created.id)).items.map((item: { id: string }) => item.id), [paymentId]);

    const wrongAmount = await sdkError(razorpay.payments.capture(paymentId, 40_000, 'INR'));
    assert.equal(wrongAmount.error.description, 'Capture amount must be equal to the amount authorized');
    assert.equal(wrongAmount.error.field, 'amount');
    const captured = await razorpay.payments.capture(paymentId, 50_000, 'INR');
    assert.equal(captured.status, 'captured');
    assert.equal(captured.captured, true);
    assert.equal(captured.fee, 1_000);
    const paidOrder = await razorpay.orders.fetch(created.id);
    assert.deepEqual([paidOrder.status, paidOrder.amount_paid, paidOrder.amount_due], ['paid', 50_000, 0]);
    assert.equal((await sdkError(razorpay.payments.capture(paymentId, 50_000, 'INR'))).error.description, 'This payment has already been captured');
    const paidAgain = await sdkError(upi(created.id, { flow: 'collect', vpa: 'success@razorpay' }));
    assert.deepEqual([paidAgain.error.description, paidAgain.error.field], ['Order has already been paid.', 'order_id']);

    const partial = await razorpay.payments.refund(paymentId, { amount: 20_000, notes: { reason: 'one item' } });
    assert.match(partial.id, /^rfnd_/);
    assert.deepEqual([partial.amount, partial.status, partial.payment_id], [20_000, 'processed', paymentId]);
    const afterPartial = await razorpay.payments.fetch(paymentId);
    assert.deepEqual([afterPartial.status, afterPartial.amount_refunded, afterPartial.refund_status], ['captured', 20_000, 'partial']);
    const tooMuch = await sdkError(razorpay.payments.refund(paymentId, { amount: 30_001 }));
    assert.equal(tooMuch.error.description, 'The refund amount provided is greater than amount captured');
    const rest = await razorpay.payments.refund(paymentId, {});
    assert.equal(rest.amount, 30_000);
    const refunded = await razorpay.payments.fetch(paymentId);
    assert.deepEqual([refunded.status, refunded.amount_refunded, refunded.refund_status], ['refunded', 50_000, 'full']);
    assert.deepEqual((await razorpay.payments.fetchMultipleRefund(paymentId)).items.map((item) => item.id), [rest.id, partial.id]);
    assert.equal((await razorpay.refunds.fetch(partial.id)).amount, 20_000);
    assert.equal((await razorpay.payments.fetchRefund(paymentId, rest.id)).id, rest.id);
    assert.equal((await sdkError(razorpay.payments.refund(paymentId, {}))).error.description, 'The payment has been fully refunded already');
  });

  it('UPI collect: failure@razorpay fails with Razorpay’s error fields; a bad VPA or amount is refused', async () => {
    const created = await order();
    const { razorpay_payment_id: paymentId } = await upi(created.id, { flow: 'collect', vpa: 'failure@razorpay' });
    const failed = await razorpay.payments.fetch(paymentId);
    assert.deepEqual(
      [failed.status, failed.error_code, failed.error_reason, failed.error_source, failed.error_step, failed.error_description],
      ['failed', 'GATEWAY_ERROR', 'payment_declined', 'issuer_bank', 'payment_debit_request', 'Payment failed. Please try again with another bank account.'],
    );
    assert.equal((await sdkError(razorpay.payments.capture(paymentId, 50_000, 'INR'))).statusCode, 400);
    const badVpa = await sdkError(upi(created.id, { flow: 'collect', vpa: 'not a vpa' }));
    assert.deepEqual([badVpa.error.description, badVpa.error.field], ['Invalid VPA. Please enter a valid Virtual Payment Address', 'vpa']);
    const wrongAmount = await sdkError(upi(created.id, { flow: 'collect', vpa: 'success@razorpay' }, 100));
    assert.equal(wrongAmount.error.field, 'amount');
  });

  it('UPI collect to another VPA waits for the payer: the UPI app page approves, the admin endpoint declines', async () => {
    const first = await order();
    const { razorpay_payment_id: approvedId } = await upi(first.id, { flow: 'collect', vpa: 'payer@okhdfcbank' });
    assert.equal((await razorpay.payments.fetch(approvedId)).status, 'created');
    const page = await fetch(`${sandbox.url}/sandbox/razorpay/upi/${approvedId}`);
    assert.match(await page.text(), /Approve and enter UPI PIN/);
    const approved = await fetch(`${sandbox.url}/sandbox/razorpay/upi/${approvedId}`, { method: 'POST', body: new URLSearchParams({ action: 'approve' }) });
    assert.match(await approved.text(), /Payment approved/);
    assert.equal((await razorpay.payments.fetch(approvedId)).status, 'authorized');

    const second = await order();
    const { razorpay_payment_id: declinedId } = await upi(second.id, { flow: 'collect', vpa: 'payer@okicici' });
    const declined = await fetch(`${sandbox.url}/sandbox/admin/payments/${declinedId}/upi`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'decline', reason: 'insufficient_funds' }) });
    assert.equal(declined.status, 200);
    const payment = await razorpay.payments.fetch(declinedId);
    assert.deepEqual([payment.status, payment.error_reason, payment.error_description], ['failed', 'insufficient_funds', 'Transaction failed due to insufficient funds.']);
    const again = await fetch(`${sandbox.url}/sandbox/admin/payments/${declinedId}/upi`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
    assert.equal(again.status, 409);
  });

  it('UPI intent: answers a upi://pay link; the approval hands over a signature validatePaymentVerification accepts', async () => {
    const created = await order(12_345);
    const initiated = await upi(created.id, { flow: 'intent' }, 12_345);
    assert.ok(initiated.link);
    const link = new URL(initiated.link);
    assert.equal(link.protocol, 'upi:');
    assert.deepEqual([link.searchParams.get('am'), link.searchParams.get('cu'), link.searchParams.get('tr')], ['123.45', 'INR', initiated.razorpay_payment_id.slice(4)]);
    const response = await fetch(`${sandbox.url}/sandbox/admin/payments/${initiated.razorpay_payment_id}/upi`, { method: 'POST', body: JSON.stringify({ action: 'approve' }) });
    const handed = (await response.json()) as { razorpay_payment_id: string; razorpay_order_id: string; razorpay_signature: string };
    assert.deepEqual([handed.razorpay_payment_id, handed.razorpay_order_id], [initiated.razorpay_payment_id, created.id]);
    assert.equal(validatePaymentVerification({ order_id: handed.razorpay_order_id, payment_id: handed.razorpay_payment_id }, handed.razorpay_signature, keySecret), true);
    assert.equal(validatePaymentVerification({ order_id: created.id, payment_id: 'pay_SomeOtherPay00' }, handed.razorpay_signature, keySecret), false);
    assert.equal((await razorpay.payments.fetch(initiated.razorpay_payment_id)).status, 'authorized');
    const notCaptured = await sdkError(razorpay.payments.refund(initiated.razorpay_payment_id, {}));
    assert.equal(notCaptured.error.description, 'The payment status should be captured for action to be taken');
  });

  it('card checkout page: the test bank approves (signed callback fields) or declines (error fields)', async () => {
    const created = await razorpay.orders.create({ amount: 99_900, currency: 'INR', payment: { capture: 'automatic' } } as never);
    const page = await fetch(`${sandbox.url}/v1/checkout/embedded`, { method: 'POST', body: new URLSearchParams({ key_id: keyId, order_id: created.id, name: 'Shop', 'prefill[email]': payer.email, 'prefill[contact]': payer.contact }) });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Pay, bank approves/);
    const card = { key_id: keyId, card_number: '4111 1111 1111 1111', expiry_month: '12', expiry_year: '35', cvv: '123', name: 'Payer', ...payer };
    const scripted = await fetch(`${sandbox.url}/sandbox/razorpay/checkout/${created.id}/pay`, { method: 'POST', body: new URLSearchParams({ ...card, callback_url: 'javascript:alert(1)', outcome: 'success' }) });
    assert.equal(scripted.status, 400, 'a callback URL must be http(s)');
    const declined = await fetch(`${sandbox.url}/sandbox/razorpay/checkout/${created.id}/pay`, { method: 'POST', body: new URLSearchParams({ ...card, outcome: 'failure' }) });
    assert.match(await declined.text(), /name="error\[reason\]">authentication_failed</);
    const paid = await fetch(`${sandbox.url}/sandbox/razorpay/checkout/${created.id}/pay`, { method: 'POST', body: new URLSearchParams({ ...card, callback_url: 'https://shop.example/razorpay/callback', outcome: 'success' }) });
    const html = await paid.text();
    const value = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';
    assert.match(html, /action="https:\/\/shop.example\/razorpay\/callback"/);
    assert.equal(value('razorpay_order_id'), created.id);
    assert.equal(validatePaymentVerification({ order_id: created.id, payment_id: value('razorpay_payment_id') }, value('razorpay_signature'), keySecret), true);
    const payment = await razorpay.payments.fetch(value('razorpay_payment_id'), { 'expand[]': 'card' });
    assert.deepEqual([payment.status, payment.method, payment.card?.last4, payment.card?.network], ['captured', 'card', '1111', 'Visa']);
    assert.equal(JSON.stringify(sandbox.records()).includes('4111111111111111'), false, 'the card number is never kept');
    assert.equal((await razorpay.orders.fetch(created.id)).status, 'paid');
  });

  it('sends signed webhooks (validateWebhookSignature) with Razorpay’s event shape, and retries failed deliveries', async () => {
    await sandbox.webhooksIdle();
    receiver.deliveries.length = 0;
    receiver.failures = [500];
    const created = await order(20_000);
    const { razorpay_payment_id: paymentId } = await upi(created.id, { flow: 'collect', vpa: 'success@razorpay' }, 20_000);
    await razorpay.payments.capture(paymentId, 20_000, 'INR');
    await razorpay.payments.refund(paymentId, { amount: 5_000 });
    await sandbox.webhooksIdle();
    const events = receiver.events();
    // Deliveries run concurrently, so they arrive in no fixed order; the one answered 500 arrived again on retry.
    assert.deepEqual([...new Set(events.map((event) => event.event))].sort(), ['order.paid', 'payment.authorized', 'payment.captured', 'refund.created', 'refund.processed']);
    const deliveriesPerEvent = new Map<string, number>();
    for (const delivery of receiver.deliveries) deliveriesPerEvent.set(delivery.eventId, (deliveriesPerEvent.get(delivery.eventId) ?? 0) + 1);
    assert.deepEqual([...deliveriesPerEvent.values()].sort(), [1, 1, 1, 1, 2], 'a retry repeats the event id');
    for (const delivery of receiver.deliveries) {
      assert.equal(validateWebhookSignature(delivery.body, delivery.signature, webhookSecret), true);
      assert.equal(Razorpay.validateWebhookSignature(`${delivery.body} `, delivery.signature, webhookSecret), false);
    }
    const orderPaid = events.find((event) => event.event === 'order.paid')!;
    assert.deepEqual(orderPaid.contains, ['payment', 'order']);
    assert.equal(orderPaid.payload.order.entity.status, 'paid');
    assert.equal(orderPaid.payload.payment.entity.id, paymentId);
    const raw = JSON.parse(receiver.deliveries[0].body) as Record<string, unknown>;
    assert.equal(raw.entity, 'event');
    assert.match(String(raw.account_id), /^acc_/);
    assert.equal(typeof raw.created_at, 'number');
    const refundProcessed = events.find((event) => event.event === 'refund.processed')!;
    assert.deepEqual([refundProcessed.contains, refundProcessed.payload.refund.entity.amount], [['refund', 'payment'], 5_000]);
    assert.ok(sandbox.records().webhooks.every((record) => record.delivered));
  });

  it('injects faults: an outage answers 503 without acting; a 500 after processing did act, which a lookup by receipt shows', async () => {
    const before = sandbox.records().orders.length;
    sandbox.setFaults({ outage: true });
    const down = await sdkError(order(10_000, 'rcpt_outage'));
    assert.equal(down.statusCode, 503);
    assert.equal(down.error.code, 'SERVER_ERROR');
    assert.equal(sandbox.records().orders.length, before);
    sandbox.setFaults({ outage: false, status5xxRate: 1 });
    const ambiguous = await sdkError(order(10_000, 'rcpt_ambiguous'));
    assert.equal(ambiguous.statusCode, 500);
    sandbox.setFaults({ status5xxRate: 0 });
    // Razorpay has no idempotency key on orders: the caller resolves the ambiguity by asking for its receipt.
    const found = await razorpay.orders.all({ receipt: 'rcpt_ambiguous' });
    assert.equal(found.count, 1);
    assert.equal(sandbox.records().orders.length, before + 1);
    const admin = await fetch(`${sandbox.url}/sandbox/admin/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 2 }) });
    assert.equal(admin.status, 400);
  });

  it('delivers each event twice under the webhookDuplicate fault, with one event id', async () => {
    await sandbox.webhooksIdle();
    receiver.deliveries.length = 0;
    sandbox.setFaults({ webhookDuplicate: true });
    const created = await order(10_000);
    await upi(created.id, { flow: 'collect', vpa: 'failure@razorpay' }, 10_000);
    await until('both deliveries', () => (receiver.deliveries.length >= 2 ? true : undefined));
    await sandbox.webhooksIdle();
    assert.deepEqual(receiver.events().map((event) => event.event), ['payment.failed', 'payment.failed']);
    assert.equal(receiver.deliveries[0].eventId, receiver.deliveries[1].eventId);
  });
});
