import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import qs from 'qs';
import type { AuthorizeInput } from '../connector.ts';
import {
  declineOf, encodeForm, fromCanceledIntent, fromCapturedIntent, fromPaymentIntent, fromRefund, idempotencyKey, idempotencyKeyLengthMax, intentKinds,
  isSettledIntent, paymentIntentStatuses, processingErrorDecline, refundKinds, refundStatuses, toPaymentIntentParams, toPaymentMethodParams, toRefundParams,
  type StripePaymentIntent,
} from './transformers.ts';

const payment: AuthorizeInput = {
  attemptId: 'ch_0123456789abcdefghijklmn',
  amount: 1099,
  currency: 'eur',
  capture: false,
  card: { number: '4242424242424242', expMonth: 3, expYear: 2031, brand: 'visa' },
};

function intent(status: string, extra: Partial<StripePaymentIntent> = {}): StripePaymentIntent {
  return { id: 'pi_123', object: 'payment_intent', status, ...extra };
}

describe('Stripe form encoding', () => {
  it('encodes nested objects and arrays in bracket notation, as Stripe parses them', () => {
    const encoded = encodeForm({ amount: 1099, confirm: true, card: { number: '4242', exp_month: 3 }, expand: ['latest_charge', 'customer'], skip: undefined, description: null });
    assert.equal(decodeURIComponent(encoded), 'amount=1099&confirm=true&card[number]=4242&card[exp_month]=3&expand[0]=latest_charge&expand[1]=customer&description=');
    // The parser Payrail (and Stripe-compatible servers) use reads it back into the same structure.
    assert.deepEqual(qs.parse(encoded), { amount: '1099', confirm: 'true', card: { number: '4242', exp_month: '3' }, expand: ['latest_charge', 'customer'], description: '' });
  });

  it('escapes reserved characters in keys and values', () => {
    const encoded = encodeForm({ metadata: { 'a&b': 'x=y z+1' } });
    assert.deepEqual(qs.parse(encoded), { metadata: { 'a&b': 'x=y z+1' } });
  });

  it('refuses structures nested deeper than any Stripe parameter', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let level = 0; level < 10; level += 1) deep = { inner: deep };
    assert.throws(() => encodeForm(deep as never), /nested deeper/);
  });

  it('builds the PaymentMethod and PaymentIntent requests from the attempt', () => {
    assert.deepEqual(qs.parse(encodeForm(toPaymentMethodParams(payment))), {
      type: 'card',
      card: { number: '4242424242424242', exp_month: '3', exp_year: '2031' },
      metadata: { payrail_attempt: payment.attemptId },
    });
    assert.deepEqual(qs.parse(encodeForm(toPaymentIntentParams(payment, 'pm_1', { returnUrl: 'https://shop.example/back' }))), {
      amount: '1099',
      currency: 'eur',
      payment_method: 'pm_1',
      payment_method_types: ['card'],
      confirm: 'true',
      capture_method: 'manual',
      return_url: 'https://shop.example/back',
      metadata: { payrail_attempt: payment.attemptId },
      expand: ['latest_charge'],
    });
    const automatic = toPaymentIntentParams({ ...payment, capture: true }, 'pm_1', { returnUrl: null });
    assert.equal(automatic.capture_method, 'automatic');
    assert.equal('return_url' in qs.parse(encodeForm(automatic)), false);
    // Stripe replays only a request with the same parameters: the same attempt must always give the same body.
    assert.equal(encodeForm(toPaymentIntentParams(payment, 'pm_1', { returnUrl: null })), encodeForm(toPaymentIntentParams({ ...payment }, 'pm_1', { returnUrl: null })));
    assert.deepEqual(toRefundParams('pi_1', 500, 're_payrail', 'ch_1'), { payment_intent: 'pi_1', amount: 500, metadata: { payrail_refund: 're_payrail', payrail_attempt: 'ch_1' } });
  });
});

describe('Stripe idempotency keys', () => {
  it('derives one stable key per operation and Payrail id', () => {
    assert.equal(idempotencyKey('authorize', 'ch_1'), 'payrail.ch_1.authorize');
    assert.notEqual(idempotencyKey('authorize', 'ch_1'), idempotencyKey('payment_method', 'ch_1'));
    assert.notEqual(idempotencyKey('capture', 'ch_1'), idempotencyKey('capture', 'ch_2'));
    const long = idempotencyKey('refund', 'x'.repeat(300));
    assert.match(long, /^[0-9a-f]{64}$/);
    assert.ok(long.length <= idempotencyKeyLengthMax);
    assert.equal(long, idempotencyKey('refund', 'x'.repeat(300)));
  });
});

describe('PaymentIntent status mapping', () => {
  it('maps every status, and each to the outcome it means', () => {
    assert.deepEqual(Object.keys(intentKinds).sort(), [...paymentIntentStatuses].sort());
    const charge = { id: 'ch_1', outcome: { type: 'authorized', network_status: 'approved_by_network', risk_score: 23 } };
    assert.deepEqual(fromPaymentIntent(intent('succeeded', { latest_charge: charge })), { status: 'authorized', captured: true, processorReference: 'pi_123', riskScore: 23 });
    assert.deepEqual(fromPaymentIntent(intent('requires_capture')), { status: 'authorized', captured: false, processorReference: 'pi_123', riskScore: 0 });
    assert.deepEqual(fromPaymentIntent(intent('processing')), { status: 'pending' });
    assert.deepEqual(fromPaymentIntent(intent('requires_confirmation')), { status: 'pending' });
    assert.deepEqual(
      fromPaymentIntent(intent('requires_action', { next_action: { type: 'redirect_to_url', redirect_to_url: { url: 'https://hooks.stripe.com/3d_secure_2/x', return_url: 'https://shop/back' } } })),
      { status: 'requires_authentication', processorReference: 'pi_123', nextAction: { type: 'redirect_to_url', url: 'https://hooks.stripe.com/3d_secure_2/x', method: 'GET', data: {} } },
    );
    // Without a return_url Stripe answers use_stripe_sdk, which Payrail cannot follow: no redirect to offer.
    assert.deepEqual(fromPaymentIntent(intent('requires_action', { next_action: { type: 'use_stripe_sdk' } })), { status: 'requires_authentication', processorReference: 'pi_123', nextAction: null });
    const canceled = fromPaymentIntent(intent('canceled'));
    assert.ok(canceled.status === 'declined');
    assert.equal(canceled.decline.declineCode, 'generic_decline');
    assert.equal(canceled.processorReference, 'pi_123');
  });

  it('is pending for anything it does not know, never final', () => {
    assert.deepEqual(fromPaymentIntent(intent('requires_source')), { status: 'pending' });
    assert.deepEqual(fromPaymentIntent({ status: 'succeeded' } as StripePaymentIntent), { status: 'pending' });
    assert.equal(isSettledIntent(intent('requires_source')), false);
    assert.equal(isSettledIntent(intent('processing')), false);
    assert.equal(isSettledIntent(intent('requires_action')), false);
    assert.equal(isSettledIntent(intent('requires_capture')), true);
    assert.equal(isSettledIntent(intent('requires_payment_method')), true);
  });

  it('clamps a risk score into 0-100', () => {
    const output = fromPaymentIntent(intent('succeeded'), { id: 'ch_1', outcome: { risk_score: 140 } });
    assert.ok(output.status === 'authorized');
    assert.equal(output.riskScore, 100);
  });
});

describe('Stripe declines', () => {
  const issuer = { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.', charge: 'ch_1' };

  it('passes code, decline code and message through one to one', () => {
    const output = fromPaymentIntent(intent('requires_payment_method', { last_payment_error: issuer }), { id: 'ch_1', outcome: { type: 'issuer_declined', network_status: 'declined_by_network', risk_score: 12 } });
    assert.deepEqual(output, {
      status: 'declined',
      decline: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.', blocked: false, networkStatus: 'declined_by_network' },
      processorReference: 'pi_123',
      riskScore: 12,
    });
  });

  it('marks a payment blocked by Radar as blocked and never sent to the network', () => {
    const decline = declineOf({ type: 'card_error', code: 'card_declined', decline_code: 'fraudulent', message: 'Your card was declined.' }, { id: 'ch_1', outcome: { type: 'blocked', network_status: 'not_sent_to_network' } });
    assert.equal(decline.blocked, true);
    assert.equal(decline.networkStatus, 'not_sent_to_network');
    assert.equal(decline.declineCode, 'fraudulent');
  });

  it('uses the code as decline code when Stripe gives none, and fills gaps', () => {
    assert.deepEqual(declineOf({ type: 'card_error', code: 'expired_card', message: 'Your card has expired.' }), {
      code: 'expired_card', declineCode: 'expired_card', message: 'Your card has expired.', blocked: false, networkStatus: 'declined_by_network',
    });
    assert.deepEqual(declineOf({ type: 'card_error', code: 'payment_intent_authentication_failure' }).message, 'Your card was declined.');
    // A failed 3-D Secure comes without a decline_code; Payrail names it as its other connectors do.
    assert.equal(declineOf({ type: 'card_error', code: 'payment_intent_authentication_failure' }).declineCode, 'authentication_required');
    assert.deepEqual(declineOf({ type: 'card_error' }), { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.', blocked: false, networkStatus: 'declined_by_network' });
    assert.deepEqual(declineOf(null), processingErrorDecline);
    assert.deepEqual(declineOf({ type: 'api_error' }), processingErrorDecline);
    // An error that is not the issuer's (e.g. invalid_request_error) never reached the network.
    assert.equal(declineOf({ type: 'invalid_request_error', code: 'amount_too_small' }).networkStatus, 'not_sent_to_network');
  });
});

describe('captures, cancels and refunds', () => {
  it('reads a capture and a cancel from the intent they return', () => {
    assert.deepEqual(fromCapturedIntent(intent('succeeded')), { status: 'succeeded', processorReference: 'pi_123' });
    assert.deepEqual(fromCapturedIntent(intent('processing')), { status: 'pending' });
    assert.deepEqual(fromCapturedIntent(intent('canceled')), { status: 'failed', reason: 'stripe_intent_canceled' });
    assert.deepEqual(fromCanceledIntent(intent('canceled')), { status: 'succeeded', processorReference: 'pi_123' });
    assert.deepEqual(fromCanceledIntent(intent('succeeded')), { status: 'failed', reason: 'stripe_intent_succeeded' });
  });

  it('maps every refund status', () => {
    assert.deepEqual(Object.keys(refundKinds).sort(), [...refundStatuses].sort());
    assert.deepEqual(fromRefund({ id: 're_1', status: 'succeeded' }), { status: 'succeeded', processorReference: 're_1' });
    assert.deepEqual(fromRefund({ id: 're_1', status: 'pending' }), { status: 'pending' });
    assert.deepEqual(fromRefund({ id: 're_1', status: 'requires_action' }), { status: 'pending' });
    assert.deepEqual(fromRefund({ id: 're_1', status: 'failed', failure_reason: 'lost_or_stolen_card' }), { status: 'failed', reason: 'lost_or_stolen_card' });
    assert.deepEqual(fromRefund({ id: 're_1', status: 'failed', failure_reason: 'something_new' }), { status: 'failed', reason: 'unknown' });
    assert.deepEqual(fromRefund({ id: 're_1', status: 'failed' }), { status: 'failed', reason: 'unknown' });
    assert.deepEqual(fromRefund({ id: 're_1', status: 'canceled' }), { status: 'failed', reason: 'merchant_request' });
    assert.deepEqual(fromRefund({ id: 're_1', status: 'mystery' }), { status: 'pending' });
  });
});
