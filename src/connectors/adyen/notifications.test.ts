import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdyenConnector } from './connector.ts';
import { adyenEventKey, adyenNotifications, authorisationDecline } from './notifications.ts';
import { refusalDeclines } from './declines.ts';
import { AdyenWebhookError, calculateHmacSignature, parseAdyenWebhook, type AdyenNotificationItem } from './webhook.ts';
import { signNotificationItem, type NotificationItem } from '../../sandbox/adyen/webhooks.ts';
import type { ProviderNotification } from '../connector.ts';

const key = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const attemptId = 'ch_0123456789abcdefghijklmn';
const paymentPsp = 'JVBXGSDM53RZNN82';
/** A Payrail refund id, as the refund's own `reference` when an account echoes it as merchantReference. */
const refundId = 're_payrail00000000000000001';

/** A payment's AUTHORISATION item, as Adyen sends it for the payment Payrail created with `reference` = attempt id. */
function authorisation(overrides: Partial<AdyenNotificationItem> = {}): AdyenNotificationItem {
  return {
    pspReference: paymentPsp,
    merchantAccountCode: 'PayrailECOM',
    merchantReference: attemptId,
    amount: { value: 1050, currency: 'USD' },
    eventCode: 'AUTHORISATION',
    success: 'true',
    eventDate: '2025-01-01T10:00:00+01:00',
    ...overrides,
  };
}

/** A modification's item: its own pspReference, the payment's as originalReference. */
function modification(eventCode: string, overrides: Partial<AdyenNotificationItem> = {}): AdyenNotificationItem {
  return authorisation({ pspReference: 'QFQTPCQ8HXSKGK82', originalReference: paymentPsp, eventCode, ...overrides });
}

function signed(item: AdyenNotificationItem): AdyenNotificationItem {
  return { ...item, additionalData: { ...item.additionalData, hmacSignature: calculateHmacSignature(item, key) } };
}

function body(...items: AdyenNotificationItem[]): Buffer {
  return Buffer.from(JSON.stringify({ live: 'false', notificationItems: items.map((item) => ({ NotificationRequestItem: signed(item) })) }));
}

/** Parses (verifying the HMAC) and maps, as the connector does. */
function notificationsOf(...items: AdyenNotificationItem[]): ProviderNotification[] {
  return adyenNotifications(parseAdyenWebhook(body(...items), key));
}

function only(...items: AdyenNotificationItem[]): ProviderNotification {
  const notifications = notificationsOf(...items);
  assert.equal(notifications.length, 1);
  return notifications[0];
}

describe('Adyen notifications: authorisations', () => {
  it('maps a successful AUTHORISATION to an authorized authorization of the attempt, found by the payment pspReference', () => {
    assert.deepEqual(only(authorisation()), {
      kind: 'authorization',
      eventKey: `AUTHORISATION:${paymentPsp}:true`,
      attemptId,
      processorReference: paymentPsp,
      result: { status: 'authorized' },
    });
  });

  it('maps a refused AUTHORISATION to the Decline of its refusal reason', () => {
    const [balance, cvc, fraud, unknown] = notificationsOf(
      authorisation({ success: 'false', reason: 'Not enough balance' }),
      // Adyen's refusalReasonCode wins over the generic reason text.
      authorisation({ success: 'false', reason: 'Refused', additionalData: { refusalReasonCode: '24' } }),
      // FRAUD is Adyen's own risk decision: blocked, never sent to the network.
      authorisation({ success: 'false', reason: 'FRAUD' }),
      authorisation({ success: 'false', reason: 'Issuer said no in a new way' }),
    );
    assert.deepEqual(balance, {
      kind: 'authorization',
      eventKey: `AUTHORISATION:${paymentPsp}:false`,
      attemptId,
      processorReference: paymentPsp,
      result: { status: 'declined', decline: refusalDeclines['12'] },
    });
    assert.ok(cvc.kind === 'authorization' && cvc.result.status === 'declined');
    assert.deepEqual(cvc.result.decline, { code: 'incorrect_cvc', declineCode: 'incorrect_cvc', message: "Your card's security code is incorrect.", blocked: false, networkStatus: 'declined_by_network' });
    assert.ok(fraud.kind === 'authorization' && fraud.result.status === 'declined');
    assert.deepEqual(fraud.result.decline, refusalDeclines['20']);
    assert.equal(fraud.result.decline.blocked, true);
    assert.equal(fraud.result.decline.networkStatus, 'not_sent_to_network');
    assert.ok(unknown.kind === 'authorization' && unknown.result.status === 'declined');
    assert.deepEqual(unknown.result.decline, { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.', blocked: false, networkStatus: 'declined_by_network' });
  });

  it('recovers the refusal from the decline code when the reason text does not name it', () => {
    // Several refusal codes share `fraudulent`; without a reason the first (14, an issuer decline) stands for them.
    assert.deepEqual(authorisationDecline('fraudulent', null), refusalDeclines['14']);
    assert.deepEqual(authorisationDecline('fraudulent', 'Issuer Suspected Fraud'), refusalDeclines['31']);
    // A reason whose decline code is not the event's does not override it (the refusalReasonCode decided).
    assert.deepEqual(authorisationDecline('incorrect_cvc', 'Refused'), refusalDeclines['24']);
    assert.deepEqual(authorisationDecline('authentication_required', '3D Not Authenticated'), refusalDeclines['11']);
    assert.deepEqual(authorisationDecline('not_a_stripe_code', null), refusalDeclines['2']);
    assert.deepEqual(authorisationDecline(null, null), refusalDeclines['2']);
  });
});

describe('Adyen notifications: modifications', () => {
  it('maps CAPTURE and CAPTURE_FAILED to the capture of the attempt (the capture reference), found by originalReference', () => {
    const notifications = notificationsOf(modification('CAPTURE'), modification('CAPTURE', { success: 'false', reason: 'Insufficient balance on payment' }), modification('CAPTURE_FAILED'));
    assert.deepEqual(notifications, [
      { kind: 'capture', eventKey: `CAPTURE:QFQTPCQ8HXSKGK82:${paymentPsp}:true`, attemptId, processorReference: paymentPsp, status: 'succeeded' },
      { kind: 'capture', eventKey: `CAPTURE:QFQTPCQ8HXSKGK82:${paymentPsp}:false`, attemptId, processorReference: paymentPsp, status: 'failed' },
      { kind: 'capture', eventKey: `CAPTURE_FAILED:QFQTPCQ8HXSKGK82:${paymentPsp}:false`, attemptId, processorReference: paymentPsp, status: 'failed' },
    ]);
  });

  it('maps CANCELLATION to a void, failed when Adyen says it did not happen', () => {
    assert.deepEqual(notificationsOf(modification('CANCELLATION'), modification('CANCELLATION', { success: 'false' })), [
      { kind: 'void', eventKey: `CANCELLATION:QFQTPCQ8HXSKGK82:${paymentPsp}:true`, attemptId, processorReference: paymentPsp, status: 'succeeded' },
      { kind: 'void', eventKey: `CANCELLATION:QFQTPCQ8HXSKGK82:${paymentPsp}:false`, attemptId, processorReference: paymentPsp, status: 'failed' },
    ]);
  });

  it("maps REFUND, REFUND_FAILED and REFUNDED_REVERSED to the refund by its own pspReference (and merchantReference when it is a Payrail refund id), with Stripe's failure reasons", () => {
    const refund = (eventCode: string, overrides: Partial<AdyenNotificationItem> = {}) => modification(eventCode, { pspReference: 'RFND000000000001', merchantReference: refundId, ...overrides });
    assert.deepEqual(notificationsOf(refund('REFUND'), refund('REFUND', { success: 'false', reason: 'Modification in different currency than authorisation' }), refund('REFUND_FAILED'), refund('REFUNDED_REVERSED')), [
      { kind: 'refund', eventKey: `REFUND:RFND000000000001:${paymentPsp}:true`, refundId, processorReference: 'RFND000000000001', status: 'succeeded', reason: null, paymentReference: paymentPsp, amount: 1050 },
      { kind: 'refund', eventKey: `REFUND:RFND000000000001:${paymentPsp}:false`, refundId, processorReference: 'RFND000000000001', status: 'failed', reason: 'declined', paymentReference: paymentPsp, amount: 1050 },
      { kind: 'refund', eventKey: `REFUND_FAILED:RFND000000000001:${paymentPsp}:false`, refundId, processorReference: 'RFND000000000001', status: 'failed', reason: 'declined', paymentReference: paymentPsp, amount: 1050 },
      { kind: 'refund', eventKey: `REFUNDED_REVERSED:RFND000000000001:${paymentPsp}:false`, refundId, processorReference: 'RFND000000000001', status: 'failed', reason: 'unknown', paymentReference: paymentPsp, amount: 1050 },
    ]);
  });

  it('reports every other event code as other, without the reason (which can hold card digits)', () => {
    const chargeback = only(modification('CHARGEBACK', { reason: '011546:1111:03/2030' }));
    assert.equal(chargeback.kind, 'other');
    assert.equal(chargeback.eventKey, `CHARGEBACK:QFQTPCQ8HXSKGK82:${paymentPsp}:true`);
    assert.ok(chargeback.kind === 'other' && chargeback.description.includes('CHARGEBACK') && chargeback.description.includes(paymentPsp));
    assert.ok(chargeback.kind === 'other' && !chargeback.description.includes('1111') && !chargeback.description.includes('03/2030'));
    assert.equal(only(authorisation({ eventCode: 'TECHNICAL_CANCEL' })).kind, 'other');
    assert.equal(only(modification('CANCEL_OR_REFUND')).kind, 'other');
  });
});

describe('Adyen notifications: keys and batches', () => {
  it('gives a redelivered item the same key, and distinct notifications distinct keys', () => {
    const batch = notificationsOf(authorisation(), authorisation(), authorisation({ success: 'false' }), modification('CAPTURE'), modification('CAPTURE_FAILED'), modification('CAPTURE', { pspReference: 'SECONDCAPTURE001' }));
    const keys = batch.map((notification) => notification.eventKey);
    assert.equal(keys[0], keys[1]);
    assert.equal(new Set(keys).size, 5);
    // The key ignores what Adyen may change between deliveries (eventDate) and keeps what identifies the item.
    const parsed = parseAdyenWebhook(body(authorisation({ eventDate: '2025-01-02T00:00:00+01:00' })), key).events[0];
    assert.equal(adyenEventKey(parsed), keys[0]);
  });

  it('maps a batch to one notification per item, in order', () => {
    const batch = notificationsOf(modification('REFUND', { merchantReference: 're_a' }), authorisation(), modification('CANCELLATION'));
    assert.deepEqual(batch.map((notification) => notification.kind), ['refund', 'authorization', 'void']);
  });
});

describe('AdyenConnector.parseWebhook', () => {
  const connector = new AdyenConnector({ baseUrl: 'http://127.0.0.1:9', apiKey: 'test_api_key', merchantAccount: 'PayrailECOM', hmacKeyHex: key, timeoutMs: 1_000, returnUrl: 'https://payrail.example/return' });

  /** Items exactly as the Adyen sandbox sends them, signed by the sandbox's own signer. */
  function sandboxBody(...items: Omit<NotificationItem, 'additionalData'>[]): Buffer {
    const notificationItems = items.map((item) => ({ NotificationRequestItem: { ...item, additionalData: { hmacSignature: signNotificationItem(item, key) } } }));
    return Buffer.from(JSON.stringify({ live: 'false', notificationItems }));
  }

  it('verifies every item and returns Payrail notifications; refuses a batch with a forged item', async () => {
    const common = { merchantAccountCode: 'PayrailECOM', amount: { value: 700, currency: 'JPY' }, eventDate: '2025-01-01T10:00:00+01:00' };
    const payload = sandboxBody(
      { ...common, eventCode: 'AUTHORISATION', success: 'true', pspReference: paymentPsp, merchantReference: attemptId, paymentMethod: 'visa', operations: ['CANCEL', 'CAPTURE', 'REFUND'] },
      { ...common, eventCode: 'CAPTURE', success: 'true', pspReference: 'CAPTURE000000001', originalReference: paymentPsp, merchantReference: attemptId },
      { ...common, eventCode: 'REFUND', success: 'true', pspReference: 'REFUND0000000001', originalReference: paymentPsp, merchantReference: 're_connector000000000000000' },
    );
    assert.deepEqual(await connector.parseWebhook({}, payload), [
      { kind: 'authorization', eventKey: `AUTHORISATION:${paymentPsp}:true`, attemptId, processorReference: paymentPsp, result: { status: 'authorized' } },
      { kind: 'capture', eventKey: `CAPTURE:CAPTURE000000001:${paymentPsp}:true`, attemptId, processorReference: paymentPsp, status: 'succeeded' },
      { kind: 'refund', eventKey: `REFUND:REFUND0000000001:${paymentPsp}:true`, refundId: 're_connector000000000000000', processorReference: 'REFUND0000000001', status: 'succeeded', reason: null, paymentReference: paymentPsp, amount: 700 },
    ]);
    const forged = Buffer.from(payload.toString('utf8').replace('"re_connector000000000000000"', '"re_someoneelse0000000000000"'));
    await assert.rejects(connector.parseWebhook({}, forged), (error: unknown) => error instanceof AdyenWebhookError && error.reason === 'signature_invalid');
  });
});
