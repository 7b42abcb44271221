import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApiError, CheckoutPaymentIntent } from '@paypal/paypal-server-sdk';
import { paypalSpecs } from '../../../test/helpers/paypal-openapi.ts';
import { paypalSdk, type PayPalSdk } from '../../../test/helpers/paypal-sdk.ts';
import { startPayPalSandbox, type PayPalSandbox } from './server.ts';

/*
 * The PayPal sandbox over HTTP: raw requests whose both sides are validated against PayPal's published OpenAPI
 * documents (specs/paypal), and the official @paypal/paypal-server-sdk driving it.
 */

const clientId = 'payrail-sandbox-test-client';
const clientSecret = 'payrail-sandbox-test-secret';
const webhookId = 'WH4PAYRAILTEST';
/** Statuses fault injection produces that the operations do not document (an outage's 503). */
const undocumentedFaultStatuses = new Set([503]);

interface Exchange {
  status: number;
  body: unknown;
  headers: Headers;
}

describe('PayPal sandbox over raw HTTP, validated against the PayPal OpenAPI documents', () => {
  let sandbox: PayPalSandbox;
  let token: string;
  let receiver: Server;
  const received: { headers: Record<string, string>; body: string }[] = [];

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address() as { port: number };
    sandbox = await startPayPalSandbox({ clientId, clientSecret, webhookId, webhookUrl: `http://127.0.0.1:${address.port}/paypal`, webhookRetryDelaysMs: [] });
    token = await accessToken();
  });
  after(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  afterEach(() => sandbox.setFaults({ outage: false, errorRate: 0, status5xxRate: 0, timeoutRate: 0 }));

  async function accessToken(secret = clientSecret): Promise<string> {
    const response = await fetch(`${sandbox.url}/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number; error?: string };
    if (response.status !== 200) throw Object.assign(new Error(`token: ${response.status}`), { status: response.status, body });
    return body.access_token;
  }

  /** One REST call; both sides are checked against the spec that documents the path. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}, validateResponse = true): Promise<Exchange> {
    const spec = paypalSpecs.for(method, path);
    assert.ok(spec, `no PayPal spec documents ${method} ${path}`);
    const operation = spec.operationFor(method, path);
    if (method === 'POST') spec.assertRequest(operation, body);
    const response = await fetch(sandbox.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
    const text = await response.text();
    const parsed = text === '' ? undefined : JSON.parse(text);
    if (validateResponse && !undocumentedFaultStatuses.has(response.status)) spec.assertResponse(operation, response.status, parsed);
    return { status: response.status, body: parsed, headers: response.headers };
  }

  function orderRequest(overrides: Record<string, unknown> = {}, amount = { currency_code: 'USD', value: '25.00' }) {
    return {
      intent: 'CAPTURE',
      purchase_units: [{ reference_id: 'default', custom_id: 'ch_sandboxtest', amount }],
      payment_source: { paypal: { experience_context: { return_url: 'https://shop.example/return', cancel_url: 'https://shop.example/cancel', user_action: 'PAY_NOW', shipping_preference: 'NO_SHIPPING' } } },
      ...overrides,
    };
  }

  /** The buyer's side: open the approval page and press a button; returns where PayPal redirects. */
  async function buyer(approvalUrl: string, action: 'approve' | 'approve_declined_funding' | 'cancel'): Promise<URL> {
    const page = await fetch(approvalUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Approve/);
    const response = await fetch(approvalUrl, { method: 'POST', body: new URLSearchParams({ action }), redirect: 'manual' });
    assert.equal(response.status, 302);
    return new URL(response.headers.get('location')!);
  }

  function link(body: unknown, rel: string): string {
    const found = (body as { links: { rel: string; href: string }[] }).links.find((candidate) => candidate.rel === rel);
    assert.ok(found, `no ${rel} link`);
    return found.href;
  }

  it('issues client-credentials tokens and refuses bad credentials and missing tokens with PayPal errors', async () => {
    const response = await fetch(`${sandbox.url}/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 200);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 32_400);
    assert.equal(typeof body.access_token, 'string');
    await assert.rejects(accessToken('wrong'), (error: { status: number; body: { error: string } }) => error.status === 401 && error.body.error === 'invalid_client');
    const unauthenticated = await call('GET', '/v2/checkout/orders/NOSUCHORDER0000000', undefined, { authorization: 'Bearer not-a-token' });
    assert.equal(unauthenticated.status, 401);
    assert.equal((unauthenticated.body as { name: string }).name, 'AUTHENTICATION_FAILURE');
  });

  it('creates an order, lets the buyer approve it, and captures it once (PAYER_ACTION_REQUIRED -> APPROVED -> COMPLETED)', async () => {
    const created = await call('POST', '/v2/checkout/orders', orderRequest(), { 'paypal-request-id': 'create-happy-1', prefer: 'return=representation' });
    assert.equal(created.status, 201);
    const order = created.body as { id: string; status: string; intent: string; purchase_units: { amount: unknown; custom_id: string }[] };
    assert.equal(order.status, 'PAYER_ACTION_REQUIRED');
    assert.match(order.id, /^[A-Z0-9]{17}$/);
    assert.deepEqual(order.purchase_units[0].amount, { currency_code: 'USD', value: '25.00' });
    const payerAction = link(order, 'payer-action');
    assert.equal(payerAction, `${sandbox.url}/sandbox/paypal/approve/${order.id}`);

    const notYet = await call('POST', `/v2/checkout/orders/${order.id}/capture`, {});
    assert.equal(notYet.status, 422);
    assert.equal((notYet.body as { details: { issue: string }[] }).details[0].issue, 'ORDER_NOT_APPROVED');

    const back = await buyer(payerAction, 'approve');
    assert.equal(back.origin + back.pathname, 'https://shop.example/return');
    assert.equal(back.searchParams.get('token'), order.id);
    assert.match(back.searchParams.get('PayerID')!, /^[2-9A-HJ-NP-Z]{13}$/);
    assert.equal(((await call('GET', `/v2/checkout/orders/${order.id}`)).body as { status: string }).status, 'APPROVED');

    const captured = await call('POST', `/v2/checkout/orders/${order.id}/capture`, {}, { 'paypal-request-id': `capture-${order.id}` });
    assert.equal(captured.status, 201);
    const completed = captured.body as { status: string; purchase_units: { payments: { captures: { id: string; status: string; amount: unknown }[] } }[] };
    assert.equal(completed.status, 'COMPLETED');
    const capture = completed.purchase_units[0].payments.captures[0];
    assert.equal(capture.status, 'COMPLETED');
    assert.deepEqual(capture.amount, { currency_code: 'USD', value: '25.00' });

    // The same PayPal-Request-Id replays the stored answer; a new one is refused: an order is captured once.
    const replay = await call('POST', `/v2/checkout/orders/${order.id}/capture`, {}, { 'paypal-request-id': `capture-${order.id}` });
    assert.deepEqual(replay.body, captured.body);
    const again = await call('POST', `/v2/checkout/orders/${order.id}/capture`, {}, { 'paypal-request-id': `capture-${order.id}-2` });
    assert.equal(again.status, 422);
    assert.equal((again.body as { details: { issue: string }[] }).details[0].issue, 'ORDER_ALREADY_CAPTURED');
    assert.equal(sandbox.records().captures.filter((record) => record.orderId === order.id).length, 1);
  });

  it('replays create-order for a repeated PayPal-Request-Id instead of creating a second order', async () => {
    const first = await call('POST', '/v2/checkout/orders', orderRequest(), { 'paypal-request-id': 'create-idempotent-1' });
    const second = await call('POST', '/v2/checkout/orders', orderRequest(), { 'paypal-request-id': 'create-idempotent-1' });
    assert.equal(first.status, 201);
    assert.deepEqual(second.body, first.body);
    const id = (first.body as { id: string }).id;
    assert.equal(sandbox.records().orders.filter((order) => order.id === id).length, 1);
    // Without payment_source the buyer link is `approve` and the order is CREATED (PayPal's older flow).
    const legacy = await call('POST', '/v2/checkout/orders', { intent: 'CAPTURE', purchase_units: [{ amount: { currency_code: 'EUR', value: '3.50' } }], application_context: { return_url: 'https://shop.example/r', cancel_url: 'https://shop.example/c' } });
    assert.equal((legacy.body as { status: string }).status, 'CREATED');
    link(legacy.body, 'approve');
  });

  it('authorizes, captures part of the authorization, refunds in parts, and reads the refund', async () => {
    const created = await call('POST', '/v2/checkout/orders', orderRequest({ intent: 'AUTHORIZE' }, { currency_code: 'USD', value: '100.00' }));
    const orderId = (created.body as { id: string }).id;
    await buyer(link(created.body, 'payer-action'), 'approve');
    // The spec documents ACTION_DOES_NOT_MATCH_INTENT for /authorize only, so this answer is not validated.
    const wrongAction = await call('POST', `/v2/checkout/orders/${orderId}/capture`, {}, {}, false);
    assert.equal(wrongAction.status, 422);
    assert.equal((wrongAction.body as { details: { issue: string }[] }).details[0].issue, 'ACTION_DOES_NOT_MATCH_INTENT');
    const authorized = await call('POST', `/v2/checkout/orders/${orderId}/authorize`, {}, { prefer: 'return=representation' });
    assert.equal(authorized.status, 201);
    const authorization = (authorized.body as { purchase_units: { payments: { authorizations: { id: string; status: string }[] } }[] }).purchase_units[0].payments.authorizations[0];
    assert.equal(authorization.status, 'CREATED');

    const capture = await call('POST', `/v2/payments/authorizations/${authorization.id}/capture`, { amount: { currency_code: 'USD', value: '80.00' }, final_capture: true }, { 'paypal-request-id': `cap-${authorization.id}` });
    assert.equal(capture.status, 201);
    const captureBody = capture.body as { id: string; status: string; final_capture: boolean };
    assert.equal(captureBody.status, 'COMPLETED');
    assert.equal(captureBody.final_capture, true);
    const afterCapture = await call('GET', `/v2/payments/authorizations/${authorization.id}`);
    assert.equal((afterCapture.body as { status: string }).status, 'CAPTURED');
    const voidCaptured = await call('POST', `/v2/payments/authorizations/${authorization.id}/void`);
    assert.equal(voidCaptured.status, 422);
    assert.equal((voidCaptured.body as { details: { issue: string }[] }).details[0].issue, 'PREVIOUSLY_CAPTURED');

    const partial = await call('POST', `/v2/payments/captures/${captureBody.id}/refund`, { amount: { currency_code: 'USD', value: '30.00' }, custom_id: 're_part1' }, { 'paypal-request-id': 're_part1' });
    assert.equal(partial.status, 201);
    assert.equal((partial.body as { status: string }).status, 'COMPLETED');
    const tooMuch = await call('POST', `/v2/payments/captures/${captureBody.id}/refund`, { amount: { currency_code: 'USD', value: '50.01' } });
    assert.equal(tooMuch.status, 422);
    assert.equal((tooMuch.body as { details: { issue: string }[] }).details[0].issue, 'REFUND_AMOUNT_EXCEEDED');
    const rest = await call('POST', `/v2/payments/captures/${captureBody.id}/refund`, {});
    assert.deepEqual((rest.body as { amount: unknown }).amount, { currency_code: 'USD', value: '50.00' });
    const fetched = await call('GET', `/v2/payments/refunds/${(partial.body as { id: string }).id}`);
    assert.equal((fetched.body as { custom_id: string }).custom_id, 're_part1');
    assert.equal(((await call('GET', `/v2/payments/captures/${captureBody.id}`)).body as { status: string }).status, 'REFUNDED');
    const none = await call('POST', `/v2/payments/captures/${captureBody.id}/refund`, {});
    assert.equal((none.body as { details: { issue: string }[] }).details[0].issue, 'CAPTURE_FULLY_REFUNDED');
  });

  it('voids an authorization (204, then PREVIOUSLY_VOIDED) and the order becomes VOIDED', async () => {
    const created = await call('POST', '/v2/checkout/orders', orderRequest({ intent: 'AUTHORIZE' }));
    const orderId = (created.body as { id: string }).id;
    await buyer(link(created.body, 'payer-action'), 'approve');
    const authorized = await call('POST', `/v2/checkout/orders/${orderId}/authorize`, {});
    const authorizationId = (authorized.body as { purchase_units: { payments: { authorizations: { id: string }[] } }[] }).purchase_units[0].payments.authorizations[0].id;
    const voided = await call('POST', `/v2/payments/authorizations/${authorizationId}/void`);
    assert.equal(voided.status, 204);
    assert.equal(voided.body, undefined);
    const again = await call('POST', `/v2/payments/authorizations/${authorizationId}/void`);
    assert.equal((again.body as { details: { issue: string }[] }).details[0].issue, 'PREVIOUSLY_VOIDED');
    const captureVoided = await call('POST', `/v2/payments/authorizations/${authorizationId}/capture`, {});
    assert.equal((captureVoided.body as { details: { issue: string }[] }).details[0].issue, 'AUTHORIZATION_VOIDED');
    assert.equal(((await call('GET', `/v2/checkout/orders/${orderId}`)).body as { status: string }).status, 'VOIDED');
  });

  it('sends the buyer who cancels to cancel_url and leaves the order unapproved', async () => {
    const created = await call('POST', '/v2/checkout/orders', orderRequest());
    const orderId = (created.body as { id: string }).id;
    const back = await buyer(link(created.body, 'payer-action'), 'cancel');
    assert.equal(back.origin + back.pathname, 'https://shop.example/cancel');
    assert.equal(back.searchParams.get('token'), orderId);
    assert.equal(((await call('GET', `/v2/checkout/orders/${orderId}`)).body as { status: string }).status, 'PAYER_ACTION_REQUIRED');
  });

  it('refuses bad amounts and currencies with the documented issues (HUF, JPY and TWD take no decimals)', async () => {
    const issueOf = async (amount: { currency_code: string; value: string }) => {
      const response = await call('POST', '/v2/checkout/orders', orderRequest({}, amount));
      return [response.status, (response.body as { details?: { issue: string }[] }).details?.[0]?.issue ?? (response.body as { status: string }).status];
    };
    assert.deepEqual(await issueOf({ currency_code: 'JPY', value: '1000.5' }), [422, 'DECIMAL_PRECISION']);
    assert.deepEqual(await issueOf({ currency_code: 'HUF', value: '10.00' }), [422, 'DECIMAL_PRECISION']);
    assert.deepEqual(await issueOf({ currency_code: 'TWD', value: '300' }), [201, 'PAYER_ACTION_REQUIRED']);
    assert.deepEqual(await issueOf({ currency_code: 'USD', value: '1.005' }), [422, 'DECIMAL_PRECISION']);
    assert.deepEqual(await issueOf({ currency_code: 'KWD', value: '1.000' }), [422, 'INVALID_CURRENCY_CODE']);
    assert.deepEqual(await issueOf({ currency_code: 'USD', value: '0.00' }), [422, 'CANNOT_BE_ZERO_OR_NEGATIVE']);
    const malformed = await fetch(`${sandbox.url}/v2/checkout/orders`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"intent":' });
    const body = await malformed.json();
    assert.equal(malformed.status, 400);
    paypalSpecs.orders().assertResponse('POST /v2/checkout/orders', 400, body);
    assert.equal((body as { details: { issue: string }[] }).details[0].issue, 'MALFORMED_REQUEST_JSON');
    const unknown = await call('GET', '/v2/checkout/orders/UNKNOWNORDER00000');
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body as { details: { issue: string }[] }).details[0].issue, 'INVALID_RESOURCE_ID');
  });

  it('sends signed webhooks in the background that verify-webhook-signature accepts, and rejects tampering', async () => {
    received.length = 0;
    const created = await call('POST', '/v2/checkout/orders', orderRequest());
    const orderId = (created.body as { id: string }).id;
    await buyer(link(created.body, 'payer-action'), 'approve');
    await call('POST', `/v2/checkout/orders/${orderId}/capture`, {});
    await sandbox.webhooksIdle();
    const types = received.map((delivery) => (JSON.parse(delivery.body) as { event_type: string }).event_type);
    assert.deepEqual(types, ['CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.COMPLETED']);
    for (const delivery of received) {
      const verification = {
        auth_algo: delivery.headers['paypal-auth-algo'],
        cert_url: delivery.headers['paypal-cert-url'],
        transmission_id: delivery.headers['paypal-transmission-id'],
        transmission_sig: delivery.headers['paypal-transmission-sig'],
        transmission_time: delivery.headers['paypal-transmission-time'],
        webhook_id: webhookId,
        webhook_event: JSON.parse(delivery.body),
      };
      const verified = await call('POST', '/v1/notifications/verify-webhook-signature', verification);
      assert.deepEqual(verified.body, { verification_status: 'SUCCESS' });
      const tampered = await call('POST', '/v1/notifications/verify-webhook-signature', { ...verification, webhook_event: { ...verification.webhook_event, summary: 'forged' } });
      assert.deepEqual(tampered.body, { verification_status: 'FAILURE' });
      const otherWebhook = await call('POST', '/v1/notifications/verify-webhook-signature', { ...verification, webhook_id: 'OTHERWEBHOOK' });
      assert.deepEqual(otherWebhook.body, { verification_status: 'FAILURE' });
    }
    const capture = JSON.parse(received[1].body) as { resource: { supplementary_data: { related_ids: { order_id: string } } } };
    assert.equal(capture.resource.supplementary_data.related_ids.order_id, orderId);
    assert.ok(sandbox.records().webhooks.every((record) => record.delivered));
  });

  it('injects faults: an outage answers 503 without acting, a 5xx after processing has acted', async () => {
    sandbox.setFaults({ outage: true });
    const before = sandbox.records().orders.length;
    const down = await call('POST', '/v2/checkout/orders', orderRequest());
    assert.equal(down.status, 503);
    assert.equal((down.body as { name: string }).name, 'SERVICE_UNAVAILABLE');
    assert.equal(sandbox.records().orders.length, before);
    sandbox.setFaults({ outage: false, status5xxRate: 1 });
    const failed = await call('POST', '/v2/checkout/orders', orderRequest(), { 'paypal-request-id': 'fault-5xx-1' });
    assert.equal(failed.status, 500);
    assert.equal((failed.body as { name: string }).name, 'INTERNAL_SERVER_ERROR');
    assert.equal(sandbox.records().orders.length, before + 1);
    sandbox.setFaults({ status5xxRate: 0 });
    const replay = await call('POST', '/v2/checkout/orders', orderRequest(), { 'paypal-request-id': 'fault-5xx-1' });
    assert.equal(replay.status, 201);
    assert.equal(sandbox.records().orders.length, before + 1);
    // The admin endpoint sets the same faults and reports them.
    const admin = await fetch(`${sandbox.url}/sandbox/admin/faults`, { method: 'POST', body: JSON.stringify({ latencyMs: 0, errorRate: 0 }), headers: { 'content-type': 'application/json' } });
    assert.equal(admin.status, 200);
    const refused = await fetch(`${sandbox.url}/sandbox/admin/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 2 }), headers: { 'content-type': 'application/json' } });
    assert.equal(refused.status, 400);
  });
});

describe('PayPal sandbox through the official @paypal/paypal-server-sdk', () => {
  let sandbox: PayPalSandbox;
  let sdk: PayPalSdk;
  const orders = paypalSpecs.orders();
  const payments = paypalSpecs.payments();

  before(async () => {
    sandbox = await startPayPalSandbox({ clientId, clientSecret, webhookId });
    sdk = paypalSdk(sandbox.port, clientId, clientSecret);
  });
  after(async () => {
    await sandbox.close();
  });

  async function approve(orderId: string): Promise<void> {
    const url = `${sandbox.url}/sandbox/paypal/approve/${orderId}`;
    const response = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'approve' }), redirect: 'manual' });
    assert.equal(response.status, 302);
  }

  it('creates, approves and captures an order with the SDK (OAuth handled by the SDK)', async () => {
    const created = await sdk.orders.createOrder({
      body: {
        intent: CheckoutPaymentIntent.Capture,
        purchaseUnits: [{ referenceId: 'default', customId: 'ch_sdk_1', amount: { currencyCode: 'EUR', value: '12.34' } }],
        paymentSource: { paypal: { experienceContext: { returnUrl: 'https://shop.example/return', cancelUrl: 'https://shop.example/cancel' } } },
      },
      paypalRequestId: 'sdk-create-1',
      prefer: 'return=representation',
    });
    assert.equal(created.statusCode, 201);
    orders.assertResponse('POST /v2/checkout/orders', 201, JSON.parse(String(created.body)));
    assert.equal(created.result.status, 'PAYER_ACTION_REQUIRED');
    assert.equal(created.result.purchaseUnits?.[0].customId, 'ch_sdk_1');
    assert.ok(created.result.links?.some((link) => link.rel === 'payer-action'));
    const orderId = created.result.id!;
    await approve(orderId);
    const fetched = await sdk.orders.getOrder({ id: orderId });
    assert.equal(fetched.result.status, 'APPROVED');
    orders.assertResponse('GET /v2/checkout/orders/{id}', 200, JSON.parse(String(fetched.body)));
    const captured = await sdk.orders.captureOrder({ id: orderId, paypalRequestId: 'sdk-capture-1', prefer: 'return=representation' });
    assert.equal(captured.statusCode, 201);
    orders.assertResponse('POST /v2/checkout/orders/{id}/capture', 201, JSON.parse(String(captured.body)));
    const capture = captured.result.purchaseUnits?.[0].payments?.captures?.[0];
    assert.equal(capture?.status, 'COMPLETED');
    assert.deepEqual({ currencyCode: capture?.amount?.currencyCode, value: capture?.amount?.value }, { currencyCode: 'EUR', value: '12.34' });

    const refund = await sdk.payments.refundCapturedPayment({ captureId: capture!.id!, paypalRequestId: 'sdk-refund-1', body: { amount: { currencyCode: 'EUR', value: '2.34' } } });
    assert.equal(refund.statusCode, 201);
    payments.assertResponse('POST /v2/payments/captures/{capture_id}/refund', 201, JSON.parse(String(refund.body)));
    const read = await sdk.payments.getRefund({ refundId: refund.result.id! });
    assert.equal(read.result.status, 'COMPLETED');
    assert.equal(read.result.amount?.value, '2.34');
  });

  it('authorizes, captures the authorization and sees PayPal errors as the SDK ApiError', async () => {
    const created = await sdk.orders.createOrder({
      body: { intent: CheckoutPaymentIntent.Authorize, purchaseUnits: [{ amount: { currencyCode: 'JPY', value: '1500' } }] },
    });
    const orderId = created.result.id!;
    try {
      await sdk.orders.authorizeOrder({ id: orderId });
      assert.fail('authorizing an unapproved order succeeded');
    } catch (error) {
      assert.ok(error instanceof ApiError);
      assert.equal(error.statusCode, 422);
      const body = JSON.parse(String(error.body)) as { name: string; details: { issue: string }[] };
      orders.assertResponse('POST /v2/checkout/orders/{id}/authorize', 422, body);
      assert.equal(body.details[0].issue, 'ORDER_NOT_APPROVED');
    }
    await approve(orderId);
    const authorized = await sdk.orders.authorizeOrder({ id: orderId, prefer: 'return=representation' });
    orders.assertResponse('POST /v2/checkout/orders/{id}/authorize', 201, JSON.parse(String(authorized.body)));
    const authorizationId = authorized.result.purchaseUnits?.[0].payments?.authorizations?.[0].id;
    assert.ok(authorizationId);
    const capture = await sdk.payments.captureAuthorizedPayment({ authorizationId, body: { finalCapture: true, amount: { currencyCode: 'JPY', value: '1000' } } });
    assert.equal(capture.statusCode, 201);
    payments.assertResponse('POST /v2/payments/authorizations/{authorization_id}/capture', 201, JSON.parse(String(capture.body)));
    assert.equal(capture.result.status, 'COMPLETED');
    const authorization = await sdk.payments.getAuthorizedPayment({ authorizationId });
    assert.equal(authorization.result.status, 'CAPTURED');
    payments.assertResponse('GET /v2/payments/authorizations/{authorization_id}', 200, JSON.parse(String(authorization.body)));
  });
});
