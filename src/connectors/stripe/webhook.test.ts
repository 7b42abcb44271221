import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { computeSignature, parseStripeWebhook, signatureHeader, signatureToleranceSeconds, StripeWebhookError, verifySignature } from './webhook.ts';

const secret = 'whsec_test_current_secret_0123456789';
const previous = 'whsec_test_previous_secret_9876543210';
const now = 1_760_000_000;

function event(type: string, object: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ id: 'evt_1', object: 'event', api_version: '2025-10-29.clover', created: now - 5, livemode: false, type, data: { object } }));
}

const succeededIntent = { id: 'pi_1', object: 'payment_intent', status: 'succeeded', amount: 1000, metadata: { payrail_attempt: 'ch_attempt' } };

function rejects(action: () => unknown, reason: StripeWebhookError['reason']): void {
  assert.throws(action, (error: unknown) => error instanceof StripeWebhookError && error.reason === reason);
}

describe('Stripe-Signature verification', () => {
  it('accepts a valid signature and agrees with the official library', () => {
    const body = event('payment_intent.succeeded', succeededIntent);
    const header = signatureHeader(body, [secret], now);
    assert.doesNotThrow(() => verifySignature(body, header, [secret], now));
    // The official library computes the same header for the same payload, secret and time.
    assert.equal(Stripe.webhooks.generateTestHeaderString({ payload: body.toString('utf8'), secret, timestamp: now }), header);
    const fresh = Math.floor(Date.now() / 1000);
    const official = Stripe.webhooks.constructEvent(body, signatureHeader(body, [secret], fresh), secret);
    assert.equal(official.id, 'evt_1');
  });

  it('rejects a tampered body, a wrong secret and a missing or malformed header', () => {
    const body = event('payment_intent.succeeded', succeededIntent);
    const header = signatureHeader(body, [secret], now);
    rejects(() => verifySignature(Buffer.from(body.toString('utf8').replace('1000', '1001')), header, [secret], now), 'signature_invalid');
    rejects(() => verifySignature(body, header, ['whsec_other'], now), 'signature_invalid');
    // The timestamp is signed: moving it breaks the signature.
    rejects(() => verifySignature(body, header.replace(`t=${now}`, `t=${now + 1}`), [secret], now), 'signature_invalid');
    rejects(() => verifySignature(body, undefined, [secret], now), 'signature_missing');
    rejects(() => verifySignature(body, '', [secret], now), 'signature_missing');
    rejects(() => verifySignature(body, `v1=${computeSignature(body, secret, now)}`, [secret], now), 'signature_invalid');
    rejects(() => verifySignature(body, `t=${now}`, [secret], now), 'signature_invalid');
    rejects(() => verifySignature(body, `t=${now},v1=zz`, [secret], now), 'signature_invalid');
    // Stripe's test-only v0 scheme is not a signature Payrail trusts.
    rejects(() => verifySignature(body, `t=${now},v0=${computeSignature(body, secret, now)}`, [secret], now), 'signature_invalid');
  });

  it('rejects a signature outside the tolerance, in either direction', () => {
    const body = event('payment_intent.succeeded', succeededIntent);
    const signedAt = now - signatureToleranceSeconds;
    assert.doesNotThrow(() => verifySignature(body, signatureHeader(body, [secret], signedAt), [secret], now));
    rejects(() => verifySignature(body, signatureHeader(body, [secret], signedAt - 1), [secret], now), 'timestamp_outside_tolerance');
    rejects(() => verifySignature(body, signatureHeader(body, [secret], now + signatureToleranceSeconds + 1), [secret], now), 'timestamp_outside_tolerance');
    assert.doesNotThrow(() => verifySignature(body, signatureHeader(body, [secret], now - 3_600), [secret], now, 7_200));
  });

  it('accepts any v1 under any configured secret while secrets are rolled', () => {
    const body = event('payment_intent.succeeded', succeededIntent);
    // Stripe signs with both secrets during a roll; the receiver may know either or both.
    const both = signatureHeader(body, [previous, secret], now);
    assert.doesNotThrow(() => verifySignature(body, both, [secret], now));
    assert.doesNotThrow(() => verifySignature(body, both, [previous], now));
    const onlyOld = signatureHeader(body, [previous], now);
    assert.doesNotThrow(() => verifySignature(body, onlyOld, [secret, previous], now));
    rejects(() => verifySignature(body, onlyOld, [secret], now), 'signature_invalid');
  });
});

describe('Stripe event parsing', () => {
  const headersFor = (body: Buffer) => ({ 'Stripe-Signature': signatureHeader(body, [secret], now), 'content-type': 'application/json' });

  it('parses PaymentIntent events with the intent mapped as authorize maps it', () => {
    const body = event('payment_intent.succeeded', succeededIntent);
    assert.deepEqual(parseStripeWebhook(headersFor(body), body, [secret], now), {
      eventId: 'evt_1',
      type: 'payment_intent.succeeded',
      kind: 'payment_intent',
      created: now - 5,
      livemode: false,
      paymentIntentId: 'pi_1',
      paymentIntentStatus: 'succeeded',
      attemptId: 'ch_attempt',
      authorization: { status: 'authorized', captured: true, processorReference: 'pi_1', riskScore: 0 },
      refund: null,
      amountRefunded: null,
    });
    const capturable = event('payment_intent.amount_capturable_updated', { ...succeededIntent, status: 'requires_capture' });
    assert.deepEqual(parseStripeWebhook(headersFor(capturable), capturable, [secret], now).authorization, { status: 'authorized', captured: false, processorReference: 'pi_1', riskScore: 0 });
    const failed = event('payment_intent.payment_failed', {
      ...succeededIntent,
      status: 'requires_payment_method',
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'stolen_card', message: 'Your card was declined.' },
    });
    const parsed = parseStripeWebhook(headersFor(failed), failed, [secret], now);
    assert.equal(parsed.paymentIntentStatus, 'requires_payment_method');
    assert.ok(parsed.authorization?.status === 'declined');
    assert.equal(parsed.authorization.decline.declineCode, 'stolen_card');
  });

  it('parses refund and charge.refunded events', () => {
    const refund = event('refund.failed', { id: 're_1', object: 'refund', status: 'failed', failure_reason: 'expired_or_canceled_card', payment_intent: 'pi_1', metadata: { payrail_refund: 're_payrail', payrail_attempt: 'ch_attempt' } });
    const parsed = parseStripeWebhook(headersFor(refund), refund, [secret], now);
    assert.equal(parsed.kind, 'refund');
    assert.equal(parsed.paymentIntentId, 'pi_1');
    assert.deepEqual(parsed.refund, { id: 're_1', payrailRefundId: 're_payrail', outcome: { status: 'failed', reason: 'expired_or_canceled_card' } });
    const updated = event('refund.updated', { id: 're_2', object: 'refund', status: 'succeeded', payment_intent: 'pi_1', metadata: {} });
    assert.deepEqual(parseStripeWebhook(headersFor(updated), updated, [secret], now).refund, { id: 're_2', payrailRefundId: null, outcome: { status: 'succeeded', processorReference: 're_2' } });
    const charge = event('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: 'pi_1', amount_refunded: 400, refunded: false });
    const chargeEvent = parseStripeWebhook(headersFor(charge), charge, [secret], now);
    assert.equal(chargeEvent.kind, 'charge_refunded');
    assert.equal(chargeEvent.amountRefunded, 400);
    assert.equal(chargeEvent.paymentIntentId, 'pi_1');
  });

  it('passes other event types through as other, and refuses what is not a Stripe event', () => {
    const other = event('customer.created', { id: 'cus_1', object: 'customer' });
    assert.equal(parseStripeWebhook(headersFor(other), other, [secret], now).kind, 'other');
    const notJson = Buffer.from('not json');
    rejects(() => parseStripeWebhook(headersFor(notJson), notJson, [secret], now), 'malformed');
    const notEvent = Buffer.from(JSON.stringify({ id: 'x', object: 'charge' }));
    rejects(() => parseStripeWebhook(headersFor(notEvent), notEvent, [secret], now), 'malformed');
    const wrongObject = event('payment_intent.succeeded', { id: 're_1', object: 'refund' });
    rejects(() => parseStripeWebhook(headersFor(wrongObject), wrongObject, [secret], now), 'malformed');
    // A forged body is refused before it is parsed.
    rejects(() => parseStripeWebhook({ 'stripe-signature': signatureHeader(notJson, ['whsec_x'], now) }, notJson, [secret], now), 'signature_invalid');
  });
});
