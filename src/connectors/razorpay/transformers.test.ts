import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuthorizeInput } from '../connector.ts';
import { attemptIdOf, checkoutRedirect, fromPayment, fromRefund, placeholderContact, placeholderEmail, toOrderRequest, toUpiPaymentRequest } from './transformers.ts';
import { razorpayNotifications, RazorpayWebhookError, signatureValid } from './webhook.ts';

const upi = (vpa: string | null, options: Record<string, unknown> = {}, billing: { email?: string; phone?: string } = {}): AuthorizeInput => ({
  attemptId: 'pa_1', amount: 50_000, currency: 'inr', capture: true,
  localMethod: { type: 'upi', details: vpa === null ? {} : { vpa }, billingDetails: { email: billing.email ?? null, name: null, phone: billing.phone ?? null, country: 'IN' }, options },
});

describe('Razorpay transformers', () => {
  it('an order of the attempt: paise as they are, upper-case currency, receipt and notes naming the attempt', () => {
    assert.deepEqual(toOrderRequest(upi('a@okhdfc')), { amount: 50_000, currency: 'INR', receipt: 'pa_1', notes: { payrail_attempt: 'pa_1' }, payment: { capture: 'automatic' } });
    assert.throws(() => toOrderRequest({ ...upi('a@okhdfc'), attemptId: `pa_${'x'.repeat(40)}` }), /receipt/);
  });

  it('a UPI collect request carries the VPA; an intent none; placeholders stand for a missing e-mail and phone', () => {
    const collect = toUpiPaymentRequest(upi('asha@okhdfc', {}, { email: 'asha@example.in', phone: '+919876543210' }), 'order_1');
    assert.deepEqual(collect.upi, { flow: 'collect', vpa: 'asha@okhdfc' });
    assert.equal(collect.email, 'asha@example.in');
    assert.equal(collect.contact, '+919876543210');
    assert.equal(collect.order_id, 'order_1');
    const intent = toUpiPaymentRequest(upi('asha@okhdfc', { flow: 'intent' }), 'order_1');
    assert.deepEqual(intent.upi, { flow: 'intent' });
    assert.equal(intent.email, placeholderEmail);
    assert.equal(intent.contact, placeholderContact);
    assert.throws(() => toUpiPaymentRequest(upi(null), 'order_1'), /VPA/);
  });

  it('maps every payment status: created is processing, captured is paid, failed declines by error_reason, unknown is ambiguous', () => {
    assert.deepEqual(fromPayment({ id: 'pay_1', status: 'created' }, true), { status: 'processing', processorReference: 'pay_1' });
    assert.deepEqual(fromPayment({ id: 'pay_1', status: 'authorized' }, true), { status: 'processing', processorReference: 'pay_1' });
    assert.deepEqual(fromPayment({ id: 'pay_1', status: 'authorized', vpa: 'a@b' }, false), { status: 'authorized', captured: false, processorReference: 'pay_1', riskScore: 0, methodDetails: { vpa: 'a@b' } });
    for (const status of ['captured', 'refunded']) {
      assert.deepEqual(fromPayment({ id: 'pay_1', status, upi: { vpa: 'a@b' } }, true), { status: 'authorized', captured: true, processorReference: 'pay_1', riskScore: 0, methodDetails: { vpa: 'a@b' } });
    }
    const failed = fromPayment({ id: 'pay_1', status: 'failed', error_reason: 'insufficient_funds' }, true);
    assert.equal(failed.status === 'declined' && failed.decline.declineCode, 'insufficient_funds');
    const other = fromPayment({ id: 'pay_1', status: 'failed', error_reason: 'something_new' }, true);
    assert.equal(other.status === 'declined' && other.decline.declineCode, 'generic_decline');
    assert.deepEqual(fromPayment({ id: 'pay_1', status: 'on_hold' }, true), { status: 'pending' });
    assert.deepEqual(fromPayment({ status: 'captured' }, true), { status: 'pending' });
  });

  it('cards: the checkout redirect posts the key id, order and callback; a paid card payment carries no UPI details; a failed one is card_declined', () => {
    const redirect = checkoutRedirect('https://api.razorpay.com', 'rzp_test_1', 'order_1', 'https://payrail.example/payrail/return/pa_1', { attemptId: 'pa_1' });
    assert.deepEqual(redirect, { type: 'redirect_to_url', url: 'https://api.razorpay.com/v1/checkout/embedded', method: 'POST', data: { key_id: 'rzp_test_1', order_id: 'order_1', callback_url: 'https://payrail.example/payrail/return/pa_1', name: 'Payrail', description: 'Payment pa_1' } });
    assert.deepEqual(fromPayment({ id: 'pay_1', status: 'captured', method: 'card' }, true), { status: 'authorized', captured: true, processorReference: 'pay_1', riskScore: 0 });
    const declined = fromPayment({ id: 'pay_1', status: 'failed', method: 'card', error_reason: 'authentication_failed' }, true);
    assert.equal(declined.status === 'declined' && declined.decline.code, 'card_declined');
    assert.deepEqual(toOrderRequest({ ...upi('a@b'), capture: false }).payment, { capture: 'manual' });
  });

  it('refunds: processed succeeded, failed failed, anything else pending', () => {
    assert.deepEqual(fromRefund({ id: 'rfnd_1', status: 'processed' }), { status: 'succeeded', processorReference: 'rfnd_1' });
    assert.deepEqual(fromRefund({ id: 'rfnd_1', status: 'failed' }), { status: 'failed', reason: 'declined' });
    assert.deepEqual(fromRefund({ id: 'rfnd_1', status: 'pending' }), { status: 'pending', processorReference: 'rfnd_1' });
  });

  it('the attempt of an entity: its notes, else its receipt; Razorpay\'s empty notes are an empty array', () => {
    assert.equal(attemptIdOf({ notes: { payrail_attempt: 'pa_2' }, receipt: 'pa_3' }), 'pa_2');
    assert.equal(attemptIdOf({ notes: [], receipt: 'pa_3' }), 'pa_3');
    assert.equal(attemptIdOf({ notes: [] }), null);
  });
});

describe('Razorpay webhooks', () => {
  const secret = 'whsecret';
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex');
  const event = (name: string, payload: Record<string, unknown>) => JSON.stringify({ entity: 'event', event: name, contains: Object.keys(payload), payload: Object.fromEntries(Object.entries(payload).map(([key, entity]) => [key, { entity }])) });

  it('verifies X-Razorpay-Signature over the raw bytes, in constant time', () => {
    const body = Buffer.from(event('payment.failed', {}));
    assert.equal(signatureValid(body, sign(body.toString()), secret), true);
    assert.equal(signatureValid(body, sign(`${body.toString()} `), secret), false);
    assert.equal(signatureValid(body, undefined, secret), false);
    assert.equal(signatureValid(body, 'not-hex', secret), false);
    assert.throws(() => razorpayNotifications({ 'x-razorpay-signature': sign('x') }, body, secret), RazorpayWebhookError);
    const notJson = Buffer.from('not json');
    assert.throws(() => razorpayNotifications({ 'x-razorpay-signature': sign('not json') }, notJson, secret), (error: unknown) => error instanceof RazorpayWebhookError && error.reason === 'body_invalid');
  });

  it('maps payment.captured, order.paid, payment.failed and refund.processed; keys by event id and name', () => {
    const parse = (name: string, payload: Record<string, unknown>) => {
      const body = event(name, payload);
      return razorpayNotifications({ 'x-razorpay-signature': sign(body), 'x-razorpay-event-id': 'evt_1' }, Buffer.from(body), secret);
    };
    const payment = { id: 'pay_1', status: 'captured', captured: true, vpa: 'a@b', notes: { payrail_attempt: 'pa_1' } };
    assert.deepEqual(parse('payment.captured', { payment }), [{ kind: 'authorization', eventKey: 'evt_1:payment.captured', attemptId: 'pa_1', processorReference: 'pay_1', result: { status: 'authorized', methodDetails: { vpa: 'a@b' } } }]);
    const [paid] = parse('order.paid', { payment: { ...payment, notes: [] }, order: { id: 'order_1', receipt: 'pa_1', notes: [] } });
    assert.equal(paid.kind === 'authorization' && paid.attemptId, 'pa_1');
    const [authorized] = parse('payment.authorized', { payment: { ...payment, status: 'authorized', captured: false } });
    assert.equal(authorized.kind, 'other', 'an authorization of an automatic-capture payment waits for its capture');
    const [failed] = parse('payment.failed', { payment: { id: 'pay_1', status: 'failed', error_reason: 'incorrect_pin', notes: { payrail_attempt: 'pa_1' } } });
    assert.ok(failed.kind === 'authorization' && failed.result.status === 'declined' && failed.result.decline.declineCode === 'incorrect_pin');
    assert.deepEqual(parse('refund.processed', { refund: { id: 'rfnd_1', status: 'processed', receipt: 're_1', notes: { payrail_refund: 're_1' } } }), [
      { kind: 'refund', eventKey: 'evt_1:refund.processed', refundId: 're_1', processorReference: 'rfnd_1', status: 'succeeded', reason: null },
    ]);
    assert.equal(parse('refund.created', { refund: { id: 'rfnd_1', status: 'processed', notes: [] } })[0].kind === 'refund' && (parse('refund.created', { refund: { id: 'rfnd_1' } })[0] as { status: string }).status, 'pending');
    assert.equal(parse('settlement.processed', {})[0].kind, 'other');
  });
});
