import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hmacValidator as HmacValidator } from '@adyen/api-library';
import { AdyenWebhookError, calculateHmacSignature, isValidHmacSignature, parseAdyenWebhook, signingString, type AdyenNotificationItem } from './webhook.ts';

const key = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';

function item(overrides: Partial<AdyenNotificationItem> = {}): AdyenNotificationItem {
  return {
    pspReference: 'QFQTPCQ8HXSKGK82',
    originalReference: 'JVBXGSDM53RZNN82',
    merchantAccountCode: 'PayrailECOM',
    merchantReference: 'ch_0123456789abcdefghijklmn',
    amount: { value: 1050, currency: 'USD' },
    eventCode: 'CAPTURE',
    success: 'true',
    eventDate: '2025-01-01T10:00:00+01:00',
    ...overrides,
  };
}

function signed(notification: AdyenNotificationItem, hmacKeyHex = key): AdyenNotificationItem {
  return { ...notification, additionalData: { ...notification.additionalData, hmacSignature: calculateHmacSignature(notification, hmacKeyHex) } };
}

function body(...items: AdyenNotificationItem[]): Buffer {
  return Buffer.from(JSON.stringify({ live: 'false', notificationItems: items.map((NotificationRequestItem) => ({ NotificationRequestItem })) }));
}

describe('Adyen webhook HMAC', () => {
  // Adyen's published test vectors (Adyen/adyen-php-api-library tests/Adyen/Util/HmacSignatureTest.php).
  it("matches Adyen's published signature for an AUTHORISATION item", () => {
    const published = {
      pspReference: '7914073381342284',
      merchantAccountCode: 'TestMerchant',
      merchantReference: 'TestPayment-1407325143704',
      amount: { value: 1130, currency: 'EUR' },
      eventCode: 'AUTHORISATION',
      success: 'true',
    };
    assert.equal(signingString(published), '7914073381342284::TestMerchant:TestPayment-1407325143704:1130:EUR:AUTHORISATION:true');
    assert.equal(calculateHmacSignature(published, 'DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00'), 'Ny9gS2veKo5E4w8/OL6xz1/wvT/hYkAXy1xNc/QvO4I=');
  });

  it("matches Adyen's published signature for a zero-value REFUND item", () => {
    const published = {
      pspReference: '7914073381342284',
      merchantAccountCode: 'TestMerchant',
      merchantReference: 'TestPayment-1407325143704',
      amount: { value: 0, currency: 'EUR' },
      eventCode: 'REFUND',
      success: 'true',
    };
    assert.equal(calculateHmacSignature(published, key), 'J7HhsgZo5KwqdB7LFZJV6rfQgp+RqC2kuYyw/3x3w+8=');
  });

  it("agrees with Adyen's official Node library (@adyen/api-library HmacValidator)", () => {
    const validator = new HmacValidator();
    for (const notification of [item(), item({ originalReference: undefined, eventCode: 'AUTHORISATION' }), item({ amount: { value: 0, currency: 'JPY' }, success: 'false' })]) {
      const ours = calculateHmacSignature(notification, key);
      assert.equal(ours, validator.calculateHmac(notification as never, key));
      assert.equal(validator.validateHMAC({ ...notification, additionalData: { hmacSignature: ours } } as never, key), true);
    }
  });

  it('rejects a tampered field, another key, a missing signature, and a signature of the wrong length', () => {
    const good = signed(item());
    assert.equal(isValidHmacSignature(good, key), true);
    assert.equal(isValidHmacSignature({ ...good, amount: { value: 1051, currency: 'USD' } }, key), false);
    assert.equal(isValidHmacSignature({ ...good, success: 'false' }, key), false);
    assert.equal(isValidHmacSignature(good, 'DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00'), false);
    assert.equal(isValidHmacSignature(item(), key), false);
    assert.equal(isValidHmacSignature({ ...good, additionalData: { hmacSignature: 'c2hvcnQ=' } }, key), false);
  });
});

describe('Adyen webhook parsing', () => {
  it('parses a signed batch into normalized events in Payrail units', () => {
    const parsed = parseAdyenWebhook(
      body(
        signed(item({ eventCode: 'AUTHORISATION', originalReference: undefined, pspReference: 'PSP1', amount: { value: 500, currency: 'JPY' } })),
        signed(item({ eventCode: 'REFUND', merchantReference: 're_123', amount: { value: 150000, currency: 'ISK' } })),
      ),
      key,
    );
    assert.equal(parsed.live, false);
    assert.deepEqual(parsed.events[0], {
      kind: 'authorisation',
      eventCode: 'AUTHORISATION',
      pspReference: 'PSP1',
      originalReference: null,
      merchantReference: 'ch_0123456789abcdefghijklmn',
      merchantAccount: 'PayrailECOM',
      success: true,
      amount: { amount: 500, currency: 'jpy' },
      reason: null,
      declineCode: null,
      eventDate: '2025-01-01T10:00:00+01:00',
    });
    assert.equal(parsed.events[1].kind, 'refund');
    assert.equal(parsed.events[1].originalReference, 'JVBXGSDM53RZNN82');
    assert.equal(parsed.events[1].merchantReference, 're_123');
    // Adyen's ISK has 2 decimals; Payrail's (ISO) has none.
    assert.deepEqual(parsed.events[1].amount, { amount: 1500, currency: 'isk' });
  });

  it('reports failed captures and refunds as their operation with success false', () => {
    const parsed = parseAdyenWebhook(
      body(
        signed(item({ eventCode: 'CAPTURE_FAILED', reason: 'Insufficient balance on payment' })),
        signed(item({ eventCode: 'REFUND_FAILED' })),
        signed(item({ eventCode: 'REFUNDED_REVERSED' })),
        signed(item({ eventCode: 'CANCELLATION' })),
        signed(item({ eventCode: 'CHARGEBACK' })),
      ),
      key,
    );
    assert.deepEqual(
      parsed.events.map((event) => [event.kind, event.eventCode, event.success]),
      [
        ['capture', 'CAPTURE_FAILED', false],
        ['refund', 'REFUND_FAILED', false],
        ['refund', 'REFUNDED_REVERSED', false],
        ['cancellation', 'CANCELLATION', true],
        ['other', 'CHARGEBACK', true],
      ],
    );
    assert.equal(parsed.events[0].reason, 'Insufficient balance on payment');
  });

  it('gives a refused AUTHORISATION its Stripe decline code', () => {
    const parsed = parseAdyenWebhook(
      body(
        signed(item({ eventCode: 'AUTHORISATION', success: 'false', reason: 'Not enough balance' })),
        signed(item({ eventCode: 'AUTHORISATION', success: 'false', reason: 'Refused', additionalData: { refusalReasonCode: '24' } })),
        signed(item({ eventCode: 'AUTHORISATION', success: 'false', reason: 'Issuer said no in a new way' })),
      ),
      key,
    );
    assert.deepEqual(parsed.events.map((event) => event.declineCode), ['insufficient_funds', 'incorrect_cvc', 'generic_decline']);
  });

  it('rejects the whole batch when any item is unsigned or forged', () => {
    const assertRejected = (payload: Buffer, reason: AdyenWebhookError['reason']) =>
      assert.throws(() => parseAdyenWebhook(payload, key), (error: unknown) => error instanceof AdyenWebhookError && error.reason === reason);
    assertRejected(body(signed(item()), item({ pspReference: 'UNSIGNED' })), 'signature_missing');
    assertRejected(body(signed(item()), { ...signed(item()), merchantReference: 'ch_other' }), 'signature_invalid');
    assertRejected(body(signed(item(), 'AB'.repeat(32))), 'signature_invalid');
    assertRejected(Buffer.from('not json'), 'malformed');
    assertRejected(Buffer.from('{"notificationItems":[]}'), 'malformed');
    assertRejected(Buffer.from('{"live":"false"}'), 'malformed');
    assertRejected(body(signed(item({ success: 'maybe' }))), 'malformed');
    assertRejected(body(signed(item({ amount: { value: 1, currency: 'XXX' } }))), 'malformed');
  });
});
