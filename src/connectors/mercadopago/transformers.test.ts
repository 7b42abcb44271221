import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { mercadoPagoNotifications } from './notifications.ts';
import { boletoAddress, expirySeconds, fromPayment, fromRefund, mercadoPagoDate, toDecimalAmount, toPaymentRequest, type MercadoPagoPayment } from './transformers.ts';
import { MercadoPagoWebhookError, signatureManifest, verifiedPaymentId } from './webhook.ts';

const imageUrl = (attemptId: string, format: 'png' | 'svg') => `https://payrail.example/payrail/pix/${attemptId}/qr.${format}`;
const billing = { email: 'maria@example.com', name: 'Maria da Silva', phone: null, country: 'BR' };

describe('Mercado Pago transformers', () => {
  it('writes amounts as decimal reais and dates in Brasília time', () => {
    assert.equal(toDecimalAmount(990, 'brl'), 9.9);
    assert.equal(toDecimalAmount(5, 'brl'), 0.05);
    assert.equal(toDecimalAmount(123_456, 'brl'), 1234.56);
    assert.throws(() => toDecimalAmount(1.5, 'brl'));
    assert.equal(mercadoPagoDate(Date.UTC(2026, 11, 8, 3, 0, 0) / 1000), '2026-12-08T00:00:00.000-03:00');
  });

  it('holds expiry to Mercado Pago\'s limits; a boleto ends 23:59:59 in São Paulo', () => {
    const now = Date.UTC(2026, 11, 7, 12, 0, 0) / 1000;
    assert.equal(expirySeconds('pix', {}, now), now + 86_400);
    assert.equal(expirySeconds('pix', { expires_after_seconds: 60 }, now), now + 1800);
    assert.equal(expirySeconds('pix', { expires_after_seconds: 90 * 86_400 }, now), now + 30 * 86_400);
    // 3 days after 2026-12-07 (São Paulo) ends 2026-12-10T23:59:59-03:00.
    assert.equal(expirySeconds('boleto', {}, now), Date.UTC(2026, 11, 11, 2, 59, 59) / 1000);
    assert.equal(expirySeconds('boleto', { expires_after_days: 60 }, now), Date.UTC(2027, 0, 7, 2, 59, 59) / 1000);
  });

  it('builds a Pix request with the payer, and a boleto request with its CPF/CNPJ and address', () => {
    const pix = toPaymentRequest(
      { attemptId: 'pa_1', amount: 990, currency: 'brl', capture: true, localMethod: { type: 'pix', details: {}, billingDetails: billing, options: { expires_after_seconds: 3600 } } },
      { notificationUrl: 'https://payrail.example/payrail/webhooks/pcc_1', nowSeconds: Date.UTC(2026, 11, 7, 12, 0, 0) / 1000 },
    );
    assert.deepEqual(pix, {
      transaction_amount: 9.9, description: 'Payment pa_1', payment_method_id: 'pix',
      payer: { email: 'maria@example.com', first_name: 'Maria', last_name: 'da Silva' },
      external_reference: 'pa_1', metadata: { payrail_attempt: 'pa_1' }, date_of_expiration: '2026-12-07T10:00:00.000-03:00',
      notification_url: 'https://payrail.example/payrail/webhooks/pcc_1',
    });
    const address = { line1: 'Rua Augusta', line2: null, city: 'São Paulo', state: 'sp', postalCode: '01305-000', country: 'BR' };
    const boleto = toPaymentRequest(
      { attemptId: 'pa_2', amount: 5000, currency: 'brl', capture: true, localMethod: { type: 'boleto', details: { tax_id: '11222333000181' }, billingDetails: { ...billing, address }, options: {} } },
      { notificationUrl: null, nowSeconds: 0 },
    );
    assert.equal(boleto.payment_method_id, 'bolbradesco');
    assert.equal('notification_url' in boleto, false);
    assert.deepEqual((boleto.payer as Record<string, unknown>).identification, { type: 'CNPJ', number: '11222333000181' });
    assert.deepEqual((boleto.payer as Record<string, unknown>).address, { zip_code: '01305000', street_name: 'Rua Augusta', street_number: 'S/N', neighborhood: 'São Paulo', city: 'São Paulo', federal_unit: 'SP' });
    assert.deepEqual(boletoAddress({ ...address, line1: 'Av. Paulista, 1000', line2: 'Bela Vista' }).street_number, '1000');
    assert.throws(() => toPaymentRequest({ attemptId: 'pa_3', amount: 1, currency: 'brl', capture: true, localMethod: { type: 'ideal', details: {}, billingDetails: billing, options: {} } }, { notificationUrl: null, nowSeconds: 0 }));
  });

  it('maps every status: pending shows the code, approved is paid, cancelled/expired and rejected decline', () => {
    const pix: MercadoPagoPayment = {
      id: 42, status: 'pending', payment_method_id: 'pix', external_reference: 'pa_1', date_of_expiration: '2026-12-08T09:00:00.000-03:00',
      point_of_interaction: { transaction_data: { qr_code: '00020101...6304ABCD', qr_code_base64: 'iVBOR', ticket_url: 'https://mp.example/ticket/42' } },
    };
    assert.deepEqual(fromPayment(pix, imageUrl), {
      status: 'requires_authentication', processorReference: '42',
      display: {
        type: 'pix_display_qr_code',
        details: { data: '00020101...6304ABCD', hosted_instructions_url: 'https://mp.example/ticket/42', image_url_png: imageUrl('pa_1', 'png'), image_url_svg: imageUrl('pa_1', 'svg') },
        expires: { at: Date.UTC(2026, 11, 8, 12, 0, 0) / 1000 },
      },
    });
    const boleto: MercadoPagoPayment = {
      id: 43, status: 'pending', payment_method_id: 'bolbradesco', external_reference: 'pa_2', date_of_expiration: '2026-12-10T23:59:59.000-03:00',
      transaction_details: { digitable_line: '23790.12345 60000.000003 00000.000000 1 99990000005000', external_resource_url: 'https://mp.example/ticket/43' },
      payer: { identification: { type: 'CPF', number: '52998224725' } },
    };
    const shown = fromPayment(boleto, imageUrl);
    assert.equal(shown.status, 'requires_authentication');
    assert.deepEqual(shown.status === 'requires_authentication' ? shown.display?.details : null, { number: '23790123456000000000300000000000199990000005000', hosted_voucher_url: 'https://mp.example/ticket/43', pdf: null });
    assert.deepEqual(fromPayment({ ...boleto, status: 'approved' }, imageUrl), { status: 'authorized', captured: true, processorReference: '43', riskScore: 0, methodDetails: { tax_id: '52998224725' } });
    const e2e = 'E10573521202612071200ABCDEFGHIJK';
    assert.deepEqual(fromPayment({ ...pix, status: 'approved', point_of_interaction: { transaction_data: { e2e_id: e2e } } }, imageUrl), { status: 'authorized', captured: true, processorReference: '42', riskScore: 0, methodDetails: { bank_transaction_id: e2e } });
    const expired = fromPayment({ ...pix, status: 'cancelled', status_detail: 'expired' }, imageUrl);
    assert.equal(expired.status === 'declined' ? expired.decline.code : null, 'payment_intent_payment_attempt_expired');
    const cancelled = fromPayment({ ...pix, status: 'cancelled', status_detail: 'by_collector' }, imageUrl);
    assert.equal(cancelled.status === 'declined' ? cancelled.decline.code : null, 'payment_intent_authentication_failure');
    const rejected = fromPayment({ ...pix, status: 'rejected' }, imageUrl);
    assert.equal(rejected.status === 'declined' ? rejected.decline.code : null, 'payment_method_provider_decline');
    assert.deepEqual(fromPayment({ ...pix, status: 'in_process' }, imageUrl), { status: 'processing', processorReference: '42' });
    assert.deepEqual(fromPayment({ ...pix, status: 'something_new' }, imageUrl), { status: 'pending' });
    assert.deepEqual(fromRefund({ id: 7, status: 'approved' }), { status: 'succeeded', processorReference: '7' });
    assert.deepEqual(fromRefund({ id: 7, status: 'in_process' }), { status: 'pending', processorReference: '7' });
    assert.deepEqual(fromRefund({ id: 7, status: 'rejected' }), { status: 'failed', reason: 'declined' });
  });

  it('turns a fetched payment into notifications keyed by id and status', () => {
    const notifications = mercadoPagoNotifications({
      id: 42, status: 'approved', payment_method_id: 'pix', external_reference: 'pa_1', point_of_interaction: { transaction_data: { e2e_id: 'E1' } },
      refunds: [{ id: 7, status: 'approved', metadata: { payrail_refund: 're_1' } }, { id: 8, status: 'in_process', metadata: {} }],
    });
    assert.deepEqual(notifications, [
      { kind: 'authorization', eventKey: 'payment:42:paid', attemptId: 'pa_1', processorReference: '42', result: { status: 'authorized', methodDetails: { bank_transaction_id: 'E1' } } },
      { kind: 'refund', eventKey: 'refund:7:approved', refundId: 're_1', processorReference: '7', status: 'succeeded', reason: null },
      { kind: 'refund', eventKey: 'refund:8:in_process', refundId: null, processorReference: '8', status: 'pending', reason: null },
    ]);
    assert.equal(mercadoPagoNotifications({ id: 42, status: 'pending' })[0].kind, 'other');
    const expired = mercadoPagoNotifications({ id: 42, status: 'cancelled', status_detail: 'expired', payment_method_id: 'pix', external_reference: 'pa_1' })[0];
    assert.equal(expired.kind === 'authorization' && expired.result.status === 'declined' ? expired.result.decline.code : null, 'payment_intent_payment_attempt_expired');
  });
});

describe('Mercado Pago webhook signature', () => {
  const secret = 'a-secret-signature';
  const now = 1_765_000_000;
  const body = Buffer.from(JSON.stringify({ type: 'payment', action: 'payment.updated', data: { id: '123456' } }));
  const signed = (ts: number, key = secret, id = '123456', requestId = 'req-1') => ({
    'x-request-id': requestId,
    'x-signature': `ts=${ts},v1=${createHmac('sha256', key).update(signatureManifest(id, requestId, String(ts))).digest('hex')}`,
  });

  it('accepts the manifest id:<data.id>;request-id:<x-request-id>;ts:<ts>; under the secret', () => {
    assert.equal(signatureManifest('ABC123', 'r', '1'), 'id:abc123;request-id:r;ts:1;');
    assert.equal(verifiedPaymentId(signed(now), body, secret, now), '123456');
    assert.equal(verifiedPaymentId(signed(now - 30), body, secret, now), '123456');
    const other = Buffer.from(JSON.stringify({ type: 'merchant_order', data: { id: '99' } }));
    assert.equal(verifiedPaymentId(signed(now, secret, '99'), other, secret, now), null);
  });

  it('refuses a wrong key, another id or request id, a stale ts, a missing header and a malformed body', () => {
    const refused = (headers: Record<string, string>, payload = body) => assert.throws(() => verifiedPaymentId(headers, payload, secret, now), MercadoPagoWebhookError);
    refused(signed(now, 'another-secret'));
    refused(signed(now, secret, '654321'));
    refused({ ...signed(now), 'x-request-id': 'req-2' });
    refused(signed(now - 3600));
    refused({});
    refused({ 'x-request-id': 'req-1', 'x-signature': 'ts=1,v1=zz' });
    refused(signed(now), Buffer.from('not json'));
    refused(signed(now), Buffer.from(JSON.stringify({ type: 'payment' })));
    refused(signed(now), Buffer.alloc(10_000, 'a'));
  });
});
