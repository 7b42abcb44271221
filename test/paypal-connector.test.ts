import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { PayPalConnector, PayPalRequestError, type PayPalAuthorizeInput } from '../src/connectors/paypal/connector.ts';
import { PayPalWebhookError } from '../src/connectors/paypal/webhook.ts';
import type { WalletPayer } from '../src/connectors/connector.ts';
import type { SandboxRecords } from '../src/sandbox/paypal/store.ts';
import { startPayPalSandbox, type PayPalSandbox } from '../src/sandbox/paypal/server.ts';
import { paypalSpecs } from './helpers/paypal-openapi.ts';

/*
 * The PayPal connector against the PayPal sandbox, in-process, over real HTTP. Every request the connector sends to a
 * documented path and every response it reads is checked against PayPal's published OpenAPI documents.
 */

const clientId = 'payrail-connector-client';
const clientSecret = 'payrail-connector-secret';
const webhookId = 'WH7PAYRAILCONNECTOR';
const returnUrl = 'https://payrail.example/paypal/return';
const cancelUrl = 'https://payrail.example/paypal/cancel';
/** Statuses fault injection produces that the operations do not document (an outage's 503). */
const undocumentedFaultStatuses = new Set([503]);

// --- Recording and validating the connector's traffic ---------------------------------------------------------------

interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number | null;
}
const exchanges: Exchange[] = [];
/**
 * Spec violations found inside fetch: thrown there, they would reach the connector as a network failure (and turn
 * into `pending`), so they are collected and asserted after each test instead.
 */
const specViolations: string[] = [];
const realFetch = globalThis.fetch;

function checked(check: () => void): void {
  try {
    check();
  } catch (error) {
    specViolations.push((error as Error).message);
  }
}

function recordingFetch(sandboxUrl: string): typeof fetch {
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith(sandboxUrl + '/v')) return realFetch(input, init);
    const path = new URL(url).pathname;
    const method = init?.method ?? 'GET';
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const exchange: Exchange = { method, path, headers, status: null };
    exchanges.push(exchange);
    const spec = paypalSpecs.for(method, path);
    const operation = spec?.operationFor(method, path);
    // /v1/oauth2/token is PayPal's OAuth endpoint, documented outside these OpenAPI documents.
    if (spec && operation && method === 'POST') checked(() => spec.assertRequest(operation, init?.body === undefined ? undefined : JSON.parse(String(init.body))));
    const response = await realFetch(input, init);
    exchange.status = response.status;
    if (spec && operation && !undocumentedFaultStatuses.has(response.status)) {
      const text = await response.clone().text();
      checked(() => spec.assertResponse(operation, response.status, text === '' ? undefined : JSON.parse(text)));
    }
    return response;
  };
}

// --- Helpers ------------------------------------------------------------------------------------------------------

let attemptCounter = 0;
function attempt(overrides: Partial<PayPalAuthorizeInput> = {}): PayPalAuthorizeInput {
  attemptCounter += 1;
  return { attemptId: `ch_paypaltest${process.pid}x${attemptCounter}`, amount: 4200, currency: 'usd', capture: true, ...overrides };
}

/** The buyer on PayPal: open the approval page, press a button, and read where PayPal sends the browser back. */
async function buyer(url: string, action: 'approve' | 'approve_declined_funding' | 'cancel'): Promise<{ token: string; PayerID?: string; url: URL }> {
  const page = await realFetch(url);
  assert.equal(page.status, 200);
  const response = await realFetch(url, { method: 'POST', body: new URLSearchParams({ action }), redirect: 'manual' });
  assert.equal(response.status, 302);
  const back = new URL(response.headers.get('location')!);
  const payerId = back.searchParams.get('PayerID');
  return { token: back.searchParams.get('token')!, ...(payerId ? { PayerID: payerId } : {}), url: back };
}

/** What the connector reports about the buyer of a completed order (`payer` of `authorized`), from the sandbox's records. */
function sandboxPayer(records: SandboxRecords, orderId: string): WalletPayer {
  const order = records.orders.find((record) => record.id === orderId)!;
  return {
    payerId: order.payer!.payerId,
    payerEmail: order.payer!.email,
    payerName: `${order.payer!.givenName} ${order.payer!.surname}`,
    country: 'US',
    transactionId: order.intent === 'CAPTURE' ? order.captureIds[0] : order.authorizationIds[0],
    sellerProtection: { status: 'eligible', disputeCategories: ['product_not_received', 'fraudulent'] },
  };
}

describe('PayPal connector against the PayPal sandbox', () => {
  let sandbox: PayPalSandbox;
  let connector: PayPalConnector;
  let receiver: Server;
  const deliveries: { headers: Record<string, string>; body: Buffer }[] = [];

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
    sandbox = await startPayPalSandbox({ clientId, clientSecret, webhookId, webhookUrl: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/`, webhookRetryDelaysMs: [] });
    globalThis.fetch = recordingFetch(sandbox.url);
    // A generous timeout: the sandbox answers, slowly only on a loaded machine.
    connector = new PayPalConnector({ baseUrl: sandbox.url, clientId, clientSecret, webhookId, timeoutMs: 30_000, returnUrl, cancelUrl, brandName: 'Payrail Test Shop' });
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(() => {
    exchanges.length = 0;
  });
  afterEach(() => {
    sandbox.setFaults({ outage: false, status5xxRate: 0, errorRate: 0, timeoutRate: 0 });
    assert.deepEqual(specViolations.splice(0), [], 'the connector exchanged something the PayPal spec does not allow');
  });

  /** The return's query (`token`, and `PayerID` when PayPal sent one) as `AuthorizeInput.authentication.details`. */
  function returnDetails(back: { token: string; PayerID?: string }): Record<string, string> {
    return back.PayerID === undefined ? { token: back.token } : { token: back.token, PayerID: back.PayerID };
  }

  /** Creates the order and has the buyer approve it; returns the return details. */
  async function approved(input: PayPalAuthorizeInput, action: 'approve' | 'approve_declined_funding' = 'approve') {
    const created = await connector.authorize(input);
    assert.equal(created.status, 'requires_authentication');
    assert.ok(created.status === 'requires_authentication' && created.nextAction);
    const back = await buyer(created.nextAction.url, action);
    assert.equal(back.url.origin + back.url.pathname, returnUrl);
    assert.equal(back.token, created.processorReference);
    return { orderId: created.processorReference!, details: returnDetails(back) };
  }

  it('pays with PayPal: order -> approval page -> return -> capture (one order, one capture)', async () => {
    const input = attempt({ amount: 1999, currency: 'eur' });
    const created = await connector.authorize(input);
    assert.equal(created.status, 'requires_authentication');
    assert.ok(created.status === 'requires_authentication');
    assert.match(created.processorReference!, /^[A-Z0-9]{17}$/);
    assert.deepEqual(created.nextAction, { type: 'redirect_to_url', url: `${sandbox.url}/sandbox/paypal/approve/${created.processorReference}`, method: 'GET', data: {} });
    const createExchange = exchanges.find((exchange) => exchange.path === '/v2/checkout/orders')!;
    assert.equal(createExchange.headers['paypal-request-id'], `payrail-${input.attemptId}-create-order`);
    assert.match(createExchange.headers.authorization, /^Bearer /);

    const back = await buyer(created.nextAction!.url, 'approve');
    const result = await connector.authorize({ ...input, authentication: { status: 'succeeded', details: returnDetails(back) } });
    assert.deepEqual(result, { status: 'authorized', captured: true, processorReference: created.processorReference, riskScore: 0, payer: sandboxPayer(sandbox.records(), created.processorReference!) });
    const order = sandbox.records().orders.find((record) => record.id === created.processorReference)!;
    assert.equal(order.status, 'COMPLETED');
    assert.equal(order.customId, input.attemptId);
    assert.deepEqual(order.amount, { currency_code: 'EUR', value: '19.99' });
    assert.equal(sandbox.records().captures.filter((capture) => capture.orderId === order.id).length, 1);
    // A repeated return (the browser reloads the return page) completes nothing twice.
    const again = await connector.authorize({ ...input, authentication: { status: 'succeeded', details: { token: back.token } } });
    assert.deepEqual(again, result);
    assert.equal(sandbox.records().captures.filter((capture) => capture.orderId === order.id).length, 1);
  });

  it('refunds in parts with PayPal-Request-Ids from the refund ids; syncRefund reads the same refund', async () => {
    const input = attempt({ amount: 5000 });
    const { orderId, details } = await approved(input);
    await connector.authorize({ ...input, authentication: { status: 'succeeded', details } });
    const first = await connector.refund({ attemptId: input.attemptId, refundId: 're_part1', processorReference: orderId, amount: 1250, currency: 'usd' });
    assert.equal(first.status, 'succeeded');
    const refundExchange = exchanges.find((exchange) => exchange.path.endsWith('/refund'))!;
    assert.equal(refundExchange.headers['paypal-request-id'], 'payrail-re_part1-refund');
    const synced = await connector.syncRefund({ attemptId: input.attemptId, refundId: 're_part1', processorReference: orderId, amount: 1250, currency: 'usd' });
    assert.deepEqual(synced, first);
    const refunds = sandbox.records().refunds.filter((refund) => refund.orderId === orderId);
    assert.deepEqual(refunds.map((refund) => [refund.amount.value, refund.customId]), [['12.50', 're_part1']]);
    const rest = await connector.refund({ attemptId: input.attemptId, refundId: 're_part2', processorReference: orderId, amount: 3750, currency: 'usd' });
    assert.equal(rest.status, 'succeeded');
    const tooMuch = await connector.refund({ attemptId: input.attemptId, refundId: 're_part3', processorReference: orderId, amount: 1, currency: 'usd' });
    assert.deepEqual(tooMuch, { status: 'failed', reason: 'declined' });
    assert.equal(sandbox.records().captures.find((capture) => capture.orderId === orderId)!.status, 'REFUNDED');
  });

  it('authorizes (intent AUTHORIZE), captures less later, and voids another authorization idempotently', async () => {
    const input = attempt({ amount: 10_000, capture: false });
    const { orderId, details } = await approved(input);
    const authorized = await connector.authorize({ ...input, authentication: { status: 'succeeded', details } });
    assert.deepEqual(authorized, { status: 'authorized', captured: false, processorReference: orderId, riskScore: 0, payer: sandboxPayer(sandbox.records(), orderId) });
    assert.equal(sandbox.records().orders.find((order) => order.id === orderId)!.intent, 'AUTHORIZE');
    const captured = await connector.capture({ attemptId: input.attemptId, processorReference: orderId, amount: 7_500, currency: 'usd' });
    assert.equal(captured.status, 'succeeded');
    const capture = sandbox.records().captures.find((record) => record.orderId === orderId)!;
    assert.ok(captured.status === 'succeeded' && captured.processorReference === capture.id);
    assert.deepEqual([capture.amount.value, capture.finalCapture], ['75.00', true]);
    // Capturing again (a retry after a lost answer) finds the capture instead of making another.
    assert.deepEqual(await connector.capture({ attemptId: input.attemptId, processorReference: orderId, amount: 7_500, currency: 'usd' }), captured);
    assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderId).length, 1);

    const other = attempt({ amount: 3_000, capture: false });
    const second = await approved(other);
    await connector.authorize({ ...other, authentication: { status: 'succeeded', details: second.details } });
    const voided = await connector.void({ attemptId: other.attemptId, processorReference: second.orderId, amount: 3_000, currency: 'usd' });
    assert.equal(voided.status, 'succeeded');
    assert.deepEqual(await connector.void({ attemptId: other.attemptId, processorReference: second.orderId, amount: 3_000, currency: 'usd' }), voided);
    assert.equal(sandbox.records().orders.find((order) => order.id === second.orderId)!.status, 'VOIDED');
    const syncVoided = await connector.sync({ ...other, authentication: { status: 'succeeded', details: second.details } });
    assert.equal(syncVoided.status, 'declined');
  });

  it('declines a cancelled checkout, a refused funding source, and a return token that belongs to another attempt', async () => {
    const cancelled = attempt();
    const created = await connector.authorize(cancelled);
    assert.ok(created.status === 'requires_authentication' && created.nextAction);
    const back = await buyer(created.nextAction.url, 'cancel');
    assert.equal(back.url.origin + back.url.pathname, cancelUrl);
    const declined = await connector.authorize({ ...cancelled, authentication: { status: 'failed', details: { token: back.token } } });
    assert.ok(declined.status === 'declined');
    assert.equal(declined.decline.code, 'payment_intent_authentication_failure');

    const refused = attempt();
    const { details } = await approved(refused, 'approve_declined_funding');
    const refusedResult = await connector.authorize({ ...refused, authentication: { status: 'succeeded', details } });
    assert.ok(refusedResult.status === 'declined');
    assert.deepEqual([refusedResult.decline.code, refusedResult.decline.declineCode], ['card_declined', 'generic_decline']);

    // Another attempt's approved order must never be captured for this attempt.
    const victim = attempt();
    const approvedOrder = await approved(victim);
    const thief = attempt();
    const stolen = await connector.authorize({ ...thief, authentication: { status: 'succeeded', details: approvedOrder.details } });
    assert.ok(stolen.status === 'declined');
    assert.equal(stolen.decline.code, 'processing_error');
    assert.equal(sandbox.records().orders.find((order) => order.id === approvedOrder.orderId)!.status, 'APPROVED');
  });

  it('caches the access token, and gets a new one when PayPal no longer accepts it', async () => {
    const before = exchanges.length;
    await connector.authorize(attempt());
    await connector.authorize(attempt());
    assert.equal(exchanges.slice(before).filter((exchange) => exchange.path === '/v1/oauth2/token').length, 0);
    // The sandbox forgets every token (as after a revocation): one 401, one new token, then success.
    sandbox.reset();
    const result = await connector.authorize(attempt());
    assert.equal(result.status, 'requires_authentication');
    const statuses = exchanges.slice(before).map((exchange) => `${exchange.path} ${exchange.status}`);
    assert.deepEqual(statuses.slice(-3), ['/v2/checkout/orders 401', '/v1/oauth2/token 200', '/v2/checkout/orders 201']);
  });

  it('a 5xx after the order was created is pending; sync finds that one order (no second order)', async () => {
    const input = attempt();
    sandbox.setFaults({ status5xxRate: 1 });
    assert.deepEqual(await connector.authorize(input), { status: 'pending' });
    sandbox.setFaults({ status5xxRate: 0 });
    const ordersOfAttempt = () => sandbox.records().orders.filter((order) => order.customId === input.attemptId);
    assert.equal(ordersOfAttempt().length, 1);
    const synced = await connector.sync(input);
    assert.ok(synced.status === 'requires_authentication');
    assert.equal(synced.processorReference, ordersOfAttempt()[0].id);
    assert.equal(ordersOfAttempt().length, 1);

    // The capture answer is lost too: pending, and sync (replaying under the same PayPal-Request-Id) finds the capture.
    const back = await buyer(synced.nextAction!.url, 'approve');
    sandbox.setFaults({ status5xxRate: 1 });
    const completion = { ...input, authentication: { status: 'succeeded' as const, details: { token: back.token } } };
    assert.deepEqual(await connector.authorize(completion), { status: 'pending' });
    sandbox.setFaults({ status5xxRate: 0 });
    assert.deepEqual(await connector.sync(completion), { status: 'authorized', captured: true, processorReference: back.token, riskScore: 0, payer: sandboxPayer(sandbox.records(), back.token) });
    assert.equal(sandbox.records().captures.filter((capture) => capture.orderId === back.token).length, 1);
  });

  it('sync completes an order the buyer approved when Payrail never saw the return', async () => {
    const input = attempt({ capture: false });
    const created = await connector.authorize(input);
    assert.ok(created.status === 'requires_authentication' && created.nextAction);
    await buyer(created.nextAction.url, 'approve');
    assert.deepEqual(await connector.sync(input), { status: 'authorized', captured: false, processorReference: created.processorReference, riskScore: 0, payer: sandboxPayer(sandbox.records(), created.processorReference!) });
  });

  it('an outage is pending (PayPal may have acted); an unreachable PayPal and bad credentials throw typed errors', async () => {
    sandbox.setFaults({ outage: true });
    assert.deepEqual(await connector.authorize(attempt()), { status: 'pending' });
    sandbox.setFaults({ outage: false });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = new PayPalConnector({ baseUrl: `http://127.0.0.1:${port}`, clientId, clientSecret, webhookId, timeoutMs: 2_000, returnUrl, cancelUrl });
    await assert.rejects(unreachable.authorize(attempt()), (error: unknown) => error instanceof PayPalRequestError && error.kind === 'not_sent');
    const wrongSecret = new PayPalConnector({ baseUrl: sandbox.url, clientId, clientSecret: 'wrong', webhookId, timeoutMs: 30_000, returnUrl, cancelUrl });
    await assert.rejects(wrongSecret.authorize(attempt()), (error: unknown) => error instanceof PayPalRequestError && error.kind === 'configuration' && error.httpStatus === 401);
  });

  it('verifies webhooks through verify-webhook-signature and normalizes them; refuses tampered or unsigned ones', async () => {
    await sandbox.webhooksIdle();
    deliveries.length = 0;
    const input = attempt({ amount: 2500 });
    const { orderId, details } = await approved(input);
    await connector.authorize({ ...input, authentication: { status: 'succeeded', details } });
    await connector.refund({ attemptId: input.attemptId, refundId: 're_webhook1', processorReference: orderId, amount: 500, currency: 'usd' });
    await sandbox.webhooksIdle();
    const notifications = [];
    for (const delivery of deliveries) notifications.push(...await connector.parseWebhook(delivery.headers, delivery.body));
    // The approval; the capture of an intent-CAPTURE order, which is also the payment's authorization; the refund.
    assert.deepEqual(notifications.map((notification) => notification.kind), ['approval', 'authorization', 'capture', 'refund']);
    const [approval, authorization, capture, refund] = notifications;
    assert.ok(approval.kind === 'approval' && authorization.kind === 'authorization' && capture.kind === 'capture' && refund.kind === 'refund');
    assert.deepEqual([approval.attemptId, approval.processorReference], [input.attemptId, orderId]);
    assert.deepEqual([authorization.attemptId, authorization.processorReference, authorization.result.status], [input.attemptId, orderId, 'authorized']);
    assert.deepEqual([capture.attemptId, capture.processorReference, capture.status], [input.attemptId, orderId, 'succeeded']);
    assert.deepEqual([refund.refundId, refund.status], ['re_webhook1', 'succeeded']);
    assert.equal(new Set(notifications.map((notification) => notification.eventKey)).size, notifications.length, 'each notification has its own key');

    const genuine = deliveries[1];
    const tampered = Buffer.from(genuine.body.toString('utf8').replace('"25.00"', '"2500.00"'));
    await assert.rejects(connector.parseWebhook(genuine.headers, tampered), (error: unknown) => error instanceof PayPalWebhookError && error.reason === 'signature_invalid');
    const { ['paypal-transmission-sig']: _removed, ...unsigned } = genuine.headers;
    await assert.rejects(connector.parseWebhook(unsigned, genuine.body), (error: unknown) => error instanceof PayPalWebhookError && error.reason === 'signature_missing');
    const otherWebhook = new PayPalConnector({ baseUrl: sandbox.url, clientId, clientSecret, webhookId: 'SOMEOTHERWEBHOOK', timeoutMs: 30_000, returnUrl, cancelUrl });
    await assert.rejects(otherWebhook.parseWebhook(genuine.headers, genuine.body), (error: unknown) => error instanceof PayPalWebhookError && error.reason === 'signature_invalid');
  });
});
