import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { PayPalConnector, type PayPalAuthorizeInput } from './connector.ts';
import { captureContextOf, paypalNotifications } from './notifications.ts';
import { fundingDeclined, processingError } from './transformers.ts';
import { parseVerifiedEvent, PayPalWebhookError, type PayPalWebhookEvent } from './webhook.ts';
import { startPayPalSandbox, type PayPalSandbox } from '../../sandbox/paypal/server.ts';
import type { ProviderNotification } from '../connector.ts';

const attemptId = 'ch_0123456789abcdefghijklmn';
const orderId = '5O190127TN364715T';
const authorizationId = '0VF52814937998046';
const captureId = '2GG279541U471931P';
const api = 'https://api-m.sandbox.paypal.com';

/** A webhook event as PayPal (and the sandbox's WebhookDispatcher) builds it. */
function event(eventType: string, resourceType: string, resource: Record<string, unknown>, id = 'WH-58D329510W468432D-8HN650336L201105X'): Buffer {
  return Buffer.from(
    JSON.stringify({
      id,
      event_version: '1.0',
      create_time: '2025-01-01T10:00:00.000Z',
      resource_type: resourceType,
      resource_version: '2.0',
      event_type: eventType,
      summary: `${eventType} summary`,
      resource,
      links: [{ href: `${api}/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' }],
    }),
  );
}

const money = { currency_code: 'USD', value: '10.50' };

function order(status: string, intent: 'CAPTURE' | 'AUTHORIZE' = 'CAPTURE'): Record<string, unknown> {
  return {
    id: orderId,
    intent,
    status,
    purchase_units: [{ reference_id: 'default', custom_id: attemptId, amount: money, payee: { email_address: 'merchant@example.com' } }],
    payer: { name: { given_name: 'John', surname: 'Doe' }, email_address: 'buyer@example.com', payer_id: 'QYR5Z8XDVJNXQ' },
    links: [{ href: `${api}/v2/checkout/orders/${orderId}`, rel: 'self', method: 'GET' }],
  };
}

function authorization(status: string): Record<string, unknown> {
  return {
    id: authorizationId,
    status,
    amount: money,
    custom_id: attemptId,
    supplementary_data: { related_ids: { order_id: orderId } },
    links: [
      { href: `${api}/v2/payments/authorizations/${authorizationId}`, rel: 'self', method: 'GET' },
      { href: `${api}/v2/checkout/orders/${orderId}`, rel: 'up', method: 'GET' },
    ],
  };
}

/** A capture: of the order itself (intent CAPTURE) or, with `of`, of an authorization (intent AUTHORIZE). */
function capture(status: string, of?: { authorizationId: string; inRelatedIds: boolean }): Record<string, unknown> {
  const related: Record<string, string> = { order_id: orderId };
  if (of?.inRelatedIds) related.authorization_id = of.authorizationId;
  const up = of ? `${api}/v2/payments/authorizations/${of.authorizationId}` : `${api}/v2/checkout/orders/${orderId}`;
  return {
    id: captureId,
    status,
    amount: money,
    final_capture: true,
    custom_id: attemptId,
    supplementary_data: { related_ids: related },
    links: [
      { href: `${api}/v2/payments/captures/${captureId}`, rel: 'self', method: 'GET' },
      { href: up, rel: 'up', method: 'GET' },
    ],
  };
}

/** Maps a verified body as the connector does. */
function notificationsOf(body: Buffer): ProviderNotification[] {
  return paypalNotifications(parseVerifiedEvent(body), captureContextOf(body));
}

const key = 'WH-58D329510W468432D-8HN650336L201105X';

describe('PayPal notifications: orders and authorizations', () => {
  it('maps CHECKOUT.ORDER.APPROVED to an approval of the attempt (custom_id), found by the order id', () => {
    assert.deepEqual(notificationsOf(event('CHECKOUT.ORDER.APPROVED', 'checkout-order', order('APPROVED'))), [{ kind: 'approval', eventKey: key, attemptId, processorReference: orderId }]);
  });

  it('maps PAYMENT.AUTHORIZATION.CREATED to an authorized authorization referenced by the ORDER id, not the authorization id', () => {
    assert.deepEqual(notificationsOf(event('PAYMENT.AUTHORIZATION.CREATED', 'authorization', authorization('CREATED'))), [
      { kind: 'authorization', eventKey: key, attemptId, processorReference: orderId, result: { status: 'authorized' } },
    ]);
  });

  it('maps PAYMENT.AUTHORIZATION.VOIDED to a succeeded void', () => {
    assert.deepEqual(notificationsOf(event('PAYMENT.AUTHORIZATION.VOIDED', 'authorization', authorization('VOIDED'))), [
      { kind: 'void', eventKey: key, attemptId, processorReference: orderId, status: 'succeeded' },
    ]);
  });

  it('maps CHECKOUT.PAYMENT-APPROVAL.REVERSED to a declined authorization (a retryable processing error)', () => {
    // PayPal's documented sample names the order in `order_id`; see the report on parseVerifiedEvent. The mapping is
    // checked on the parsed event directly.
    const reversed: PayPalWebhookEvent = {
      id: 'WH-COC11055RA711503B-4YM959094A144403T',
      eventType: 'CHECKOUT.PAYMENT-APPROVAL.REVERSED',
      kind: 'order',
      outcome: 'failed',
      resourceId: orderId,
      orderId,
      captureId: null,
      payrailId: attemptId,
      amount: { amount: 1050, currency: 'usd' },
      createTime: '2020-01-25T21:21:49.000Z',
    };
    assert.deepEqual(paypalNotifications(reversed), [
      { kind: 'authorization', eventKey: 'WH-COC11055RA711503B-4YM959094A144403T', attemptId, processorReference: orderId, result: { status: 'declined', decline: processingError } },
    ]);
  });

  it('reports CHECKOUT.ORDER.COMPLETED and events Payrail does not act on as other, without payer details', () => {
    const [completed] = notificationsOf(event('CHECKOUT.ORDER.COMPLETED', 'checkout-order', order('COMPLETED')));
    assert.deepEqual(completed, { kind: 'other', eventKey: key, description: `PayPal CHECKOUT.ORDER.COMPLETED ${orderId}` });
    assert.ok(completed.kind === 'other' && !completed.description.includes('buyer@example.com') && !completed.description.includes('Doe'));
    assert.deepEqual(notificationsOf(event('PAYMENT.CAPTURE.REVERSED', 'capture', capture('REVERSED'))), [
      { kind: 'other', eventKey: key, description: `PayPal PAYMENT.CAPTURE.REVERSED ${captureId} (order ${orderId})` },
    ]);
  });
});

describe('PayPal notifications: captures and refunds', () => {
  it('maps PAYMENT.CAPTURE.COMPLETED of an intent-CAPTURE order to an authorization and a capture, with distinct keys', () => {
    assert.deepEqual(notificationsOf(event('PAYMENT.CAPTURE.COMPLETED', 'capture', capture('COMPLETED'))), [
      { kind: 'authorization', eventKey: `${key}:authorization`, attemptId, processorReference: orderId, result: { status: 'authorized' } },
      { kind: 'capture', eventKey: `${key}:capture`, attemptId, processorReference: orderId, status: 'succeeded' },
    ]);
  });

  it('maps PAYMENT.CAPTURE.COMPLETED of an authorization to the capture only (named by related_ids or the up link)', () => {
    const expected = [{ kind: 'capture', eventKey: key, attemptId, processorReference: orderId, status: 'succeeded' }];
    assert.deepEqual(notificationsOf(event('PAYMENT.CAPTURE.COMPLETED', 'capture', capture('COMPLETED', { authorizationId, inRelatedIds: true }))), expected);
    assert.deepEqual(notificationsOf(event('PAYMENT.CAPTURE.COMPLETED', 'capture', capture('COMPLETED', { authorizationId, inRelatedIds: false }))), expected);
  });

  it('maps PAYMENT.CAPTURE.PENDING to a pending capture only', () => {
    assert.deepEqual(notificationsOf(event('PAYMENT.CAPTURE.PENDING', 'capture', capture('PENDING'))), [
      { kind: 'capture', eventKey: key, attemptId, processorReference: orderId, status: 'pending' },
    ]);
  });

  it('maps PAYMENT.CAPTURE.DENIED / DECLINED of the payment itself to a declined authorization and a failed capture', () => {
    for (const eventType of ['PAYMENT.CAPTURE.DENIED', 'PAYMENT.CAPTURE.DECLINED']) {
      assert.deepEqual(notificationsOf(event(eventType, 'capture', capture('DECLINED'))), [
        { kind: 'authorization', eventKey: `${key}:authorization`, attemptId, processorReference: orderId, result: { status: 'declined', decline: fundingDeclined } },
        { kind: 'capture', eventKey: `${key}:capture`, attemptId, processorReference: orderId, status: 'failed' },
      ]);
    }
  });

  it('maps a denied capture of an authorization to a failed capture only: the authorization stands', () => {
    assert.deepEqual(notificationsOf(event('PAYMENT.CAPTURE.DENIED', 'capture', capture('DECLINED', { authorizationId, inRelatedIds: true }))), [
      { kind: 'capture', eventKey: key, attemptId, processorReference: orderId, status: 'failed' },
    ]);
  });

  it('maps PAYMENT.CAPTURE.REFUNDED to the succeeded refund named by custom_id (PayPal names no order on a refund)', () => {
    const refund = {
      id: '1JU08902781691411',
      status: 'COMPLETED',
      amount: { currency_code: 'USD', value: '5.00' },
      custom_id: 're_payrail1',
      links: [
        { href: `${api}/v2/payments/refunds/1JU08902781691411`, rel: 'self', method: 'GET' },
        { href: `${api}/v2/payments/captures/${captureId}`, rel: 'up', method: 'GET' },
      ],
    };
    assert.deepEqual(notificationsOf(event('PAYMENT.CAPTURE.REFUNDED', 'refund', refund)), [
      { kind: 'refund', eventKey: key, refundId: 're_payrail1', processorReference: '1JU08902781691411', status: 'succeeded', reason: null },
    ]);
    // The refund's `up` link names a capture, never an authorization.
    assert.deepEqual(captureContextOf(event('PAYMENT.CAPTURE.REFUNDED', 'refund', refund)), { capturedAuthorizationId: null });
  });

  it('gives a redelivered event the same keys, and takes a capture without context to be the payment itself', () => {
    const body = event('PAYMENT.CAPTURE.COMPLETED', 'capture', capture('COMPLETED'));
    assert.deepEqual(notificationsOf(body), notificationsOf(Buffer.from(body)));
    assert.deepEqual(paypalNotifications(parseVerifiedEvent(body)), notificationsOf(body));
    assert.deepEqual(captureContextOf(Buffer.from('not json')), { capturedAuthorizationId: null });
  });
});

describe('PayPalConnector.parseWebhook against the PayPal sandbox', () => {
  const clientId = 'payrail-notifications-client';
  const clientSecret = 'payrail-notifications-secret';
  const webhookId = 'WH7PAYRAILNOTIFICATIONS';
  const returnUrl = 'https://payrail.example/paypal/return';
  const cancelUrl = 'https://payrail.example/paypal/cancel';
  const deliveries: { headers: Record<string, string>; body: Buffer }[] = [];
  let receiver: Server;
  let sandbox: PayPalSandbox;
  let connector: PayPalConnector;

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks) });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    sandbox = await startPayPalSandbox({ clientId, clientSecret, webhookId, webhookUrl: `http://127.0.0.1:${port}/`, webhookRetryDelaysMs: [] });
    // A generous timeout: the sandbox answers, slowly only on a loaded machine.
    connector = new PayPalConnector({ baseUrl: sandbox.url, clientId, clientSecret, webhookId, timeoutMs: 30_000, returnUrl, cancelUrl });
  });
  after(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  /** Creates the order, has the buyer approve it on the sandbox's page, and completes it on their return. */
  async function pay(input: PayPalAuthorizeInput): Promise<string> {
    const created = await connector.authorize(input);
    assert.ok(created.status === 'requires_authentication' && created.nextAction && created.processorReference);
    const approve = await fetch(created.nextAction.url, { method: 'POST', body: new URLSearchParams({ action: 'approve' }), redirect: 'manual' });
    assert.equal(approve.status, 302);
    const back = new URL(approve.headers.get('location')!);
    const completed = await connector.authorize({ ...input, authentication: { status: 'succeeded', details: { token: back.searchParams.get('token')!, PayerID: back.searchParams.get('PayerID')! } } });
    assert.ok(completed.status === 'authorized');
    const { payer, ...outcome } = completed;
    assert.deepEqual(outcome, { status: 'authorized', captured: input.capture, processorReference: created.processorReference, riskScore: 0 });
    assert.equal(payer?.payerId, back.searchParams.get('PayerID'));
    return created.processorReference;
  }

  it('verifies real sandbox deliveries and returns notifications that find the charge; refuses a tampered one', async () => {
    const authorizeInput: PayPalAuthorizeInput = { attemptId: `ch_notifyauth${process.pid}`, amount: 1200, currency: 'usd', capture: false };
    const authorizeOrder = await pay(authorizeInput);
    const captured = await connector.capture({ attemptId: authorizeInput.attemptId, processorReference: authorizeOrder, amount: 1200, currency: 'usd' });
    assert.equal(captured.status, 'succeeded');
    const captureInput: PayPalAuthorizeInput = { attemptId: `ch_notifycapture${process.pid}`, amount: 800, currency: 'usd', capture: true };
    const captureOrder = await pay(captureInput);
    const refunded = await connector.refund({ attemptId: captureInput.attemptId, refundId: 're_notifypaypal', processorReference: captureOrder, amount: 300, currency: 'usd' });
    assert.equal(refunded.status, 'succeeded');
    await sandbox.webhooksIdle();

    const notifications = (await Promise.all(deliveries.map((delivery) => connector.parseWebhook(delivery.headers, delivery.body)))).flat();
    const summary = notifications.map((notification) => {
      switch (notification.kind) {
        case 'authorization':
          return [notification.kind, notification.attemptId, notification.processorReference, notification.result.status];
        case 'capture':
        case 'void':
          return [notification.kind, notification.attemptId, notification.processorReference, notification.status];
        case 'approval':
          return [notification.kind, notification.attemptId, notification.processorReference];
        case 'refund':
          return [notification.kind, notification.refundId, notification.processorReference, notification.status];
        case 'other':
          return [notification.kind, notification.description];
      }
    });
    // Deliveries are asynchronous, so their order is not asserted.
    const sorted = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();
    assert.deepEqual(sorted(summary), sorted([
      ['approval', authorizeInput.attemptId, authorizeOrder],
      ['authorization', authorizeInput.attemptId, authorizeOrder, 'authorized'],
      // The capture of the authorization: only a capture.
      ['capture', authorizeInput.attemptId, authorizeOrder, 'succeeded'],
      ['approval', captureInput.attemptId, captureOrder],
      // The capture of an intent-CAPTURE order is the payment: its authorization and its capture.
      ['authorization', captureInput.attemptId, captureOrder, 'authorized'],
      ['capture', captureInput.attemptId, captureOrder, 'succeeded'],
      // A refund is named by PayPal's id of the refund itself, as Payrail keeps it on the refund.
      ['refund', 're_notifypaypal', refunded.status === 'succeeded' ? refunded.processorReference : null, 'succeeded'],
    ]));
    const keys = notifications.map((notification) => notification.eventKey);
    assert.equal(new Set(keys).size, keys.length);
    for (const eventKey of keys) assert.match(eventKey, /^WH-[A-Z0-9]+-[A-Z0-9]+(?::authorization|:capture)?$/);

    const genuine = deliveries[0];
    const tampered = Buffer.from(genuine.body.toString('utf8').replace(authorizeInput.attemptId, 'ch_someoneelse'));
    await assert.rejects(connector.parseWebhook(genuine.headers, tampered), (error: unknown) => error instanceof PayPalWebhookError && error.reason === 'signature_invalid');
  });
});
