import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { StripeConnector } from './connector.ts';
import { stripeNotifications } from './notifications.ts';
import { parseStripeWebhook, signatureHeader, StripeWebhookError } from './webhook.ts';
import type { ProviderNotification } from '../connector.ts';

const secret = 'whsec_test_notifications_0123456789';
const now = 1_760_000_000;
const attemptId = 'ch_0123456789abcdefghijklmn';

function event(type: string, object: Record<string, unknown>, id = 'evt_1NotificationTest'): Buffer {
  return Buffer.from(JSON.stringify({ id, object: 'event', api_version: '2025-10-29.clover', created: now - 5, livemode: false, type, data: { object } }));
}

function intent(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'pi_1Payrail', object: 'payment_intent', status, amount: 1000, currency: 'usd', metadata: { payrail_attempt: attemptId }, ...extra };
}

function refund(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 're_1Stripe', object: 'refund', status, amount: 400, currency: 'usd', payment_intent: 'pi_1Payrail', metadata: { payrail_refund: 're_payrail', payrail_attempt: attemptId }, ...extra };
}

/** Verifies and maps a body, as the connector does. */
function notificationsOf(body: Buffer): ProviderNotification[] {
  return stripeNotifications(parseStripeWebhook({ 'Stripe-Signature': signatureHeader(body, [secret], now) }, body, [secret], now));
}

describe('Stripe notifications: PaymentIntent events', () => {
  it('maps payment_intent.succeeded to an authorized authorization and a succeeded capture, with distinct keys', () => {
    assert.deepEqual(notificationsOf(event('payment_intent.succeeded', intent('succeeded'))), [
      { kind: 'authorization', eventKey: 'evt_1NotificationTest:authorization', attemptId, processorReference: 'pi_1Payrail', result: { status: 'authorized' } },
      { kind: 'capture', eventKey: 'evt_1NotificationTest:capture', attemptId, processorReference: 'pi_1Payrail', status: 'succeeded' },
    ]);
  });

  it('maps payment_intent.amount_capturable_updated to an authorized authorization only', () => {
    assert.deepEqual(notificationsOf(event('payment_intent.amount_capturable_updated', intent('requires_capture'))), [
      { kind: 'authorization', eventKey: 'evt_1NotificationTest', attemptId, processorReference: 'pi_1Payrail', result: { status: 'authorized' } },
    ]);
  });

  it("maps payment_intent.payment_failed to a declined authorization with Stripe's decline", () => {
    const failed = intent('requires_payment_method', { last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'stolen_card', message: 'Your card was declined.' } });
    const [notification, ...rest] = notificationsOf(event('payment_intent.payment_failed', failed));
    assert.equal(rest.length, 0);
    assert.ok(notification.kind === 'authorization' && notification.result.status === 'declined');
    assert.deepEqual([notification.eventKey, notification.attemptId, notification.processorReference], ['evt_1NotificationTest', attemptId, 'pi_1Payrail']);
    assert.equal(notification.result.decline.code, 'card_declined');
    assert.equal(notification.result.decline.declineCode, 'stolen_card');
    assert.equal(notification.result.decline.message, 'Your card was declined.');
  });

  it('maps payment_intent.canceled to a succeeded void', () => {
    assert.deepEqual(notificationsOf(event('payment_intent.canceled', intent('canceled', { cancellation_reason: 'requested_by_customer' }))), [
      { kind: 'void', eventKey: 'evt_1NotificationTest', attemptId, processorReference: 'pi_1Payrail', status: 'succeeded' },
    ]);
  });

  it('reports processing and requires_action as other, and an intent that contradicts its event type as other', () => {
    for (const [type, status] of [['payment_intent.processing', 'processing'], ['payment_intent.requires_action', 'requires_action'], ['payment_intent.succeeded', 'processing'], ['payment_intent.payment_failed', 'succeeded'], ['payment_intent.amount_capturable_updated', 'requires_payment_method']]) {
      const notifications = notificationsOf(event(type, intent(status)));
      assert.deepEqual(notifications, [{ kind: 'other', eventKey: 'evt_1NotificationTest', description: `Stripe ${type} pi_1Payrail` }], `${type} with ${status}`);
    }
  });

  it('leaves attemptId null when the intent does not carry payrail_attempt (found by processorReference instead)', () => {
    const [notification] = notificationsOf(event('payment_intent.amount_capturable_updated', intent('requires_capture', { metadata: {} })));
    assert.ok(notification.kind === 'authorization');
    assert.deepEqual([notification.attemptId, notification.processorReference], [null, 'pi_1Payrail']);
  });
});

describe('Stripe notifications: refunds', () => {
  it("maps refund events to the Payrail refund with its status and Stripe's failure reason", () => {
    const cases: [string, Record<string, unknown>, { status: string; reason: string | null }][] = [
      ['refund.created', refund('pending'), { status: 'pending', reason: null }],
      ['refund.updated', refund('succeeded'), { status: 'succeeded', reason: null }],
      ['refund.failed', refund('failed', { failure_reason: 'expired_or_canceled_card' }), { status: 'failed', reason: 'expired_or_canceled_card' }],
      // A failure reason outside Stripe's documented list is `unknown`; a canceled refund was the merchant's request.
      ['refund.failed', refund('failed', { failure_reason: 'something_new' }), { status: 'failed', reason: 'unknown' }],
      ['refund.updated', refund('canceled'), { status: 'failed', reason: 'merchant_request' }],
      ['charge.refund.updated', refund('requires_action'), { status: 'pending', reason: null }],
    ];
    for (const [type, object, expected] of cases) {
      assert.deepEqual(notificationsOf(event(type, object)), [{ kind: 'refund', eventKey: 'evt_1NotificationTest', refundId: 're_payrail', processorReference: 're_1Stripe', ...expected }], `${type} ${String(object.status)}`);
    }
  });

  it('leaves refundId null for a refund Payrail did not make (no payrail_refund)', () => {
    const [notification] = notificationsOf(event('refund.created', refund('succeeded', { metadata: {} })));
    assert.ok(notification.kind === 'refund');
    assert.deepEqual([notification.refundId, notification.processorReference, notification.status], [null, 're_1Stripe', 'succeeded']);
  });

  it('reports charge.refunded and unknown event types as other', () => {
    assert.deepEqual(notificationsOf(event('charge.refunded', { id: 'ch_1Stripe', object: 'charge', payment_intent: 'pi_1Payrail', amount_refunded: 400, refunded: false })), [
      { kind: 'other', eventKey: 'evt_1NotificationTest', description: 'Stripe charge.refunded pi_1Payrail' },
    ]);
    assert.deepEqual(notificationsOf(event('customer.created', { id: 'cus_1', object: 'customer', email: 'jenny@example.com' })), [
      { kind: 'other', eventKey: 'evt_1NotificationTest', description: 'Stripe customer.created' },
    ]);
  });
});

describe('StripeConnector.parseWebhook', () => {
  const connector = new StripeConnector({ baseUrl: 'http://127.0.0.1:9', apiKey: 'sk_test_notifications', webhookSecrets: [secret], timeoutMs: 1_000, returnUrl: null, nowSeconds: () => now });

  it('verifies a body signed by the official library and returns Payrail notifications; refuses a tampered one', async () => {
    const body = event('payment_intent.succeeded', intent('succeeded'), 'evt_1Connector');
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body.toString('utf8'), secret, timestamp: now });
    const notifications = await connector.parseWebhook({ 'stripe-signature': header, 'content-type': 'application/json' }, body);
    assert.deepEqual(notifications.map((notification) => [notification.kind, notification.eventKey]), [
      ['authorization', 'evt_1Connector:authorization'],
      ['capture', 'evt_1Connector:capture'],
    ]);
    const tampered = Buffer.from(body.toString('utf8').replace('"amount":1000', '"amount":1001'));
    await assert.rejects(connector.parseWebhook({ 'stripe-signature': header }, tampered), (error: unknown) => error instanceof StripeWebhookError && error.reason === 'signature_invalid');
  });
});
