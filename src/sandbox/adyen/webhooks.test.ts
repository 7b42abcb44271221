import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import adyen from '@adyen/api-library';
import { OpenApiSpec } from '../../../test/helpers/openapi-spec.ts';
import { startAdyenSandbox, type AdyenSandbox } from './server.ts';
import { signNotificationItem } from './webhooks.ts';

const { hmacValidator: HmacValidator } = adyen;
const apiKey = 'AQE_webhook_test_key';
const hmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const merchantAccount = 'PayrailTestECOM';
const webhooksSpec = OpenApiSpec.load('adyen/Webhooks-v1.json');
const card = { type: 'scheme', number: '4111111145551142', expiryMonth: '03', expiryYear: '2030', cvc: '737' };

interface NotificationRequestItem {
  eventCode: string;
  success: string;
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: { value: number; currency: string };
  reason?: string;
  additionalData: { hmacSignature: string };
}

interface Received {
  authorization?: string;
  body: { live: string; notificationItems: { NotificationRequestItem: NotificationRequestItem }[] };
}

/** A merchant's webhook endpoint: records every POST and answers as told (`[accepted]` by default). */
class Receiver {
  readonly received: Received[] = [];
  /** Status codes to answer the next deliveries with, before going back to 200 [accepted]. */
  failures: number[] = [];
  server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      this.received.push({ ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}), body: JSON.parse(text) });
      const failure = this.failures.shift();
      if (failure !== undefined) {
        response.writeHead(failure).end('try again');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end('[accepted]');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/adyen/webhooks`;
  }

  items(): NotificationRequestItem[] {
    return this.received.map((delivery) => delivery.body.notificationItems[0].NotificationRequestItem);
  }
}

async function pay(sandbox: AdyenSandbox, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.url}/v71/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...headers },
    body: JSON.stringify({
      amount: { value: 2500, currency: 'EUR' },
      reference: `order-${Math.random().toString(36).slice(2)}`,
      merchantAccount,
      returnUrl: 'https://shop.example/return',
      paymentMethod: card,
      ...body,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function modify(sandbox: AdyenSandbox, pspReference: string, operation: 'captures' | 'cancels' | 'refunds', body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/v71/payments/${pspReference}/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ merchantAccount, ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('Adyen sandbox standard webhooks', () => {
  let sandbox: AdyenSandbox;
  let receiver: Receiver;

  before(async () => {
    receiver = new Receiver();
    const webhookUrl = await receiver.start();
    sandbox = await startAdyenSandbox({ apiKey, hmacKeyHex, webhookUrl, webhookUsername: 'adyen', webhookPassword: 'secret', webhookRetryDelaysMs: [10, 20, 40] });
  });
  after(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.server.close(resolve));
  });
  beforeEach(() => {
    sandbox.reset();
    receiver.received.length = 0;
    receiver.failures = [];
  });

  it('sends AUTHORISATION for authorised and refused payments, spec-valid and signed with a valid HMAC', async () => {
    const authorised = await pay(sandbox, { additionalData: { manualCapture: 'true' } });
    const refused = await pay(sandbox, { paymentMethod: { ...card, holderName: 'NOT_ENOUGH_BALANCE' } });
    await sandbox.webhooksIdle();

    assert.equal(receiver.received.length, 2);
    const validator = new HmacValidator();
    for (const delivery of receiver.received) {
      webhooksSpec.assertWebhook('AUTHORISATION', delivery.body);
      assert.equal(delivery.body.live, 'false');
      assert.equal(delivery.authorization, `Basic ${Buffer.from('adyen:secret').toString('base64')}`);
      // The official library's validator recomputes the signature independently.
      assert.equal(validator.validateHMAC(delivery.body.notificationItems[0].NotificationRequestItem as never, hmacKeyHex), true);
    }
    const byPsp = new Map(receiver.items().map((item) => [item.pspReference, item]));
    const success = byPsp.get(authorised.body.pspReference)!;
    assert.equal(success.eventCode, 'AUTHORISATION');
    assert.equal(success.success, 'true');
    assert.equal(success.merchantAccountCode, merchantAccount);
    assert.deepEqual(success.amount, { value: 2500, currency: 'EUR' });
    assert.match(success.reason!, /^\d{6}:1142:03\/2030$/);
    const failure = byPsp.get(refused.body.pspReference)!;
    assert.equal(failure.success, 'false');
    assert.equal(failure.reason, 'Not enough balance');

    // A tampered notification no longer verifies.
    const tampered = { ...success, amount: { value: 1, currency: 'EUR' } };
    assert.equal(validator.validateHMAC(tampered as never, hmacKeyHex), false);
    assert.equal(signNotificationItem(success as never, hmacKeyHex), success.additionalData.hmacSignature);
    assert.ok(sandbox.records().notifications.every((notification) => notification.delivered && notification.attempts === 1));
  });

  it('sends CAPTURE, REFUND and CANCELLATION with the payment as originalReference and success true or false', async () => {
    const first = await pay(sandbox, { additionalData: { manualCapture: 'true' } });
    const capture = await modify(sandbox, first.body.pspReference, 'captures', { amount: { value: 2500, currency: 'EUR' } });
    assert.equal(capture.status, 201);
    const overCapture = await modify(sandbox, first.body.pspReference, 'captures', { amount: { value: 1, currency: 'EUR' } });
    const refund = await modify(sandbox, first.body.pspReference, 'refunds', { amount: { value: 1000, currency: 'EUR' } });
    const second = await pay(sandbox, { additionalData: { manualCapture: 'true' } });
    const cancel = await modify(sandbox, second.body.pspReference, 'cancels', {});
    await sandbox.webhooksIdle();

    const modifications = receiver.received.filter((delivery) => delivery.body.notificationItems[0].NotificationRequestItem.eventCode !== 'AUTHORISATION');
    assert.equal(modifications.length, 4);
    const validator = new HmacValidator();
    for (const delivery of modifications) {
      const item = delivery.body.notificationItems[0].NotificationRequestItem;
      webhooksSpec.assertWebhook(item.eventCode, delivery.body);
      assert.equal(validator.validateHMAC(item as never, hmacKeyHex), true);
    }
    const byPsp = new Map(receiver.items().map((item) => [item.pspReference, item]));
    const captured = byPsp.get(capture.body.pspReference)!;
    assert.equal(captured.eventCode, 'CAPTURE');
    assert.equal(captured.success, 'true');
    assert.equal(captured.originalReference, first.body.pspReference);
    assert.equal(captured.merchantReference, first.body.merchantReference);
    const rejected = byPsp.get(overCapture.body.pspReference)!;
    assert.equal(rejected.eventCode, 'CAPTURE');
    assert.equal(rejected.success, 'false');
    assert.equal(rejected.reason, 'Insufficient balance on payment');
    const refunded = byPsp.get(refund.body.pspReference)!;
    assert.equal(refunded.eventCode, 'REFUND');
    assert.equal(refunded.success, 'true');
    assert.deepEqual(refunded.amount, { value: 1000, currency: 'EUR' });
    const cancelled = byPsp.get(cancel.body.pspReference)!;
    assert.equal(cancelled.eventCode, 'CANCELLATION');
    assert.equal(cancelled.success, 'true');
    assert.equal(cancelled.originalReference, second.body.pspReference);
  });

  it('retries a delivery until the receiver accepts it, and gives up after the last retry', async () => {
    receiver.failures = [500, 503];
    const payment = await pay(sandbox);
    await sandbox.webhooksIdle();
    assert.equal(receiver.received.length, 3);
    const [notification] = sandbox.records().notifications;
    assert.equal(notification.pspReference, payment.body.pspReference);
    assert.equal(notification.delivered, true);
    assert.equal(notification.attempts, 3);
    assert.equal(notification.lastStatus, 200);

    receiver.received.length = 0;
    receiver.failures = [500, 500, 500, 500];
    await pay(sandbox);
    await sandbox.webhooksIdle();
    assert.equal(receiver.received.length, 4, 'one delivery and three retries');
    const abandoned = sandbox.records().notifications[1];
    assert.equal(abandoned.delivered, false);
    assert.equal(abandoned.abandoned, true);
    assert.equal(abandoned.lastStatus, 500);
  });

  it('duplicates notifications when the webhookDuplicate fault is on', async () => {
    sandbox.setFaults({ webhookDuplicate: true });
    const payment = await pay(sandbox);
    await sandbox.webhooksIdle();
    assert.equal(receiver.received.length, 2);
    assert.deepEqual(receiver.received[0].body, receiver.received[1].body);
    assert.equal(receiver.items()[0].pspReference, payment.body.pspReference);
    assert.deepEqual(sandbox.records().notifications.map((notification) => notification.duplicate), [false, true]);
  });

  it('queues notifications while no webhook URL is set and delivers them once one is', async () => {
    const url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/adyen/webhooks`;
    const cleared = await fetch(`${sandbox.url}/sandbox/admin/webhook`, { method: 'POST', body: JSON.stringify({ url: null }), headers: { 'content-type': 'application/json' } });
    assert.equal(cleared.status, 200);
    await pay(sandbox);
    await sandbox.webhooksIdle();
    assert.equal(receiver.received.length, 0);
    assert.equal(sandbox.records().notifications[0].attempts, 0);

    const set = await fetch(`${sandbox.url}/sandbox/admin/webhook`, {
      method: 'POST',
      body: JSON.stringify({ url, username: 'adyen', password: 'secret' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(set.status, 200);
    await sandbox.webhooksIdle();
    assert.equal(receiver.received.length, 1);
    assert.equal(sandbox.records().notifications[0].delivered, true);
  });
});
