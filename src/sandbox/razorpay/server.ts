import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultSettings, registerSandboxAdmin, registerWebhookUrlAdmin, type SandboxHandle } from '../shared/admin.ts';
import { drawFaults, type Faults } from '../shared/faults.ts';
import { createSandboxServer, HeldConnections, listenOn, parseJsonBody, rawBody } from '../shared/http.ts';
import { authenticationFailed, invalidInput, RazorpayError, serverError, unknownId, unknownUrl } from './errors.ts';
import { callbackPage, checkoutPage, messagePage, upiAppPage } from './pages.ts';
import { isUpiFailureReason, RazorpayProcessor } from './processor.ts';
import { renderOrder, renderPayment, renderRefund } from './render.ts';
import { SandboxStore, type CaptureMode, type SandboxRecords } from './store.ts';
import { defaultWebhookRetryDelaysMs, WebhookDispatcher } from './webhooks.ts';

/**
 * The Razorpay sandbox: a separate HTTP server speaking the part of Razorpay's REST API (v1, as on api.razorpay.com)
 * that an order -> UPI or card payment -> capture -> refund integration uses, with a hosted checkout page for cards,
 * a UPI app page, webhooks signed as Razorpay signs them, and fault injection. Run it with
 * `npx payrail sandbox razorpay --port N` or in-process with `startRazorpaySandbox()`; the official `razorpay` SDK
 * works against it once its base URL is changed (see test/helpers/razorpay-sdk.ts).
 *
 * API paths (HTTP Basic auth with the key id and secret, JSON bodies):
 *   POST /v1/orders                 GET /v1/orders (count, skip, receipt, authorized)   GET /v1/orders/{id}
 *   GET  /v1/orders/{id}/payments
 *   POST /v1/payments/create/upi    -> {razorpay_payment_id} (collect) or {razorpay_payment_id, link} (intent)
 *   GET  /v1/payments (count, skip) GET /v1/payments/{id} (expand[]=card)
 *   POST /v1/payments/{id}/capture  {amount, currency}
 *   POST /v1/payments/{id}/refund   {amount?, speed?, notes?, receipt?}
 *   GET  /v1/payments/{id}/refunds  GET /v1/payments/{id}/refunds/{refund_id}
 *   GET  /v1/refunds                GET /v1/refunds/{id}
 * Payer pages (no auth): GET|POST /v1/checkout/embedded (key_id, order_id, callback_url, prefill[email],
 *   prefill[contact], name, description) -> card form; GET /sandbox/razorpay/upi/{payment_id} -> the UPI app.
 * Admin (no auth; the CLI binds to 127.0.0.1): GET /sandbox/admin/records, GET|POST /sandbox/admin/faults,
 *   POST /sandbox/admin/reset, POST /sandbox/admin/webhook {url} (null clears it),
 *   POST /sandbox/admin/payments/{id}/upi {"action": "approve"} or {"action": "decline", "reason": "..."}.
 * Faults (../shared/faults.ts) apply to every /v1 API path, never to the payer pages or the admin endpoints.
 */

export interface RazorpaySandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The API key it accepts: a test key id (`rzp_test_...`) and its secret. */
  keyId: string;
  keySecret: string;
  /** The secret of its webhook (X-Razorpay-Signature). */
  webhookSecret: string;
  webhookUrl?: string;
  webhookRetryDelaysMs?: number[];
  /** Whether authorized payments are captured at once unless an order says otherwise (default automatic). */
  captureMode?: CaptureMode;
  faults?: Partial<Faults>;
}

export interface RazorpaySandbox extends SandboxHandle<SandboxRecords> {
  setWebhookUrl(url: string | undefined): void;
}

/** Razorpay test key ids: `rzp_test_` and 14 letters and digits. */
export const testKeyIdPattern = /^rzp_test_[A-Za-z0-9]{14}$/;
/** Ids in paths are Razorpay's prefix and 14 characters; anything much longer is not an id. */
const resourceIdLengthMax = 64;

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function constantTimeEqual(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A callback URL the payer's browser may be sent to: absolute http(s) only (never `javascript:`). */
function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

/** The first value of a form or query field. */
function field(values: URLSearchParams | Record<string, unknown>, name: string): string | undefined {
  const value = values instanceof URLSearchParams ? (values.get(name) ?? undefined) : values[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** Builds the Fastify app and its state without listening, so `startRazorpaySandbox` and the CLI share it. */
export function buildRazorpaySandbox(options: RazorpaySandboxOptions) {
  if (!testKeyIdPattern.test(options.keyId)) throw new Error('keyId must be a Razorpay test key id: rzp_test_ and 14 letters and digits');
  if (options.keySecret.length === 0 || options.webhookSecret.length === 0) throw new Error('keySecret and webhookSecret must not be empty');
  const store = new SandboxStore();
  const faults = new FaultSettings(options.faults);
  const webhooks = new WebhookDispatcher(store, {
    secret: options.webhookSecret,
    accountId: `acc_${options.keyId.slice('rzp_test_'.length)}`,
    url: options.webhookUrl,
    retryDelaysMs: options.webhookRetryDelaysMs ?? defaultWebhookRetryDelaysMs,
    delayMs: () => faults.current.webhookDelayMs,
    duplicate: () => faults.current.webhookDuplicate,
  });
  const processor = new RazorpayProcessor(store, webhooks, { keySecret: options.keySecret, captureMode: options.captureMode ?? 'automatic' });
  const held = new HeldConnections();

  // Bodies stay raw strings so malformed JSON gets Razorpay's error shape rather than Fastify's.
  const app: FastifyInstance = createSandboxServer();
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    void reply.status(status === 500 ? 500 : 400).send(status === 500 ? serverError(500).toBody() : invalidInput('The request could not be read.').toBody());
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(400).send(unknownUrl().toBody());
  });

  function authenticated(request: FastifyRequest): boolean {
    const match = /^Basic (\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) return false;
    const [keyId, ...secret] = Buffer.from(match[1], 'base64').toString('utf8').split(':');
    return constantTimeEqual(keyId, options.keyId) && constantTimeEqual(secret.join(':'), options.keySecret);
  }

  /**
   * The common path of every API request: faults before processing, the key, the JSON body, the operation, then the
   * faults that strike after processing (a 500 after the work was done; or no answer at all).
   */
  async function handleApi(request: FastifyRequest, reply: FastifyReply, operation: (body: Record<string, unknown>, query: Record<string, unknown>) => Record<string, unknown>) {
    const draw = drawFaults(faults.current);
    if (draw.outage) return reply.status(503).send(serverError(503).toBody());
    if (draw.latencyMs > 0) await sleep(draw.latencyMs);
    if (draw.failBefore) return reply.status(500).send(serverError(500).toBody());
    if (!authenticated(request)) return reply.status(401).send(authenticationFailed().toBody());
    let answer: Record<string, unknown>;
    try {
      let body: Record<string, unknown> = {};
      if (request.method === 'POST') {
        const raw = rawBody(request).trim();
        if (raw !== '') {
          const parsed = parseJsonBody(request);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidInput('The request body must be a JSON object.');
          body = parsed as Record<string, unknown>;
        }
      }
      const { id, refundId } = request.params as { id?: string; refundId?: string };
      if ((id !== undefined && id.length > resourceIdLengthMax) || (refundId !== undefined && refundId.length > resourceIdLengthMax)) throw unknownId();
      answer = operation(body, request.query as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof RazorpayError)) throw error;
      return reply.status(error.status).send(error.toBody());
    }
    if (draw.timeoutAfter) return held.hold(request, reply);
    if (draw.failAfter) return reply.status(500).send(serverError(500).toBody());
    return reply.status(200).send(answer);
  }

  const id = (request: FastifyRequest): string => (request.params as { id: string }).id;
  const wantsCard = (query: Record<string, unknown>): boolean =>
    // `expand[]=card`; the SDK's `fetch(id, {'expand[]': 'card'})` sends it as expand[expand[]]=card.
    Object.entries(query).some(([key, value]) => key.startsWith('expand') && (value === 'card' || (Array.isArray(value) && value.includes('card'))));

  app.post('/v1/orders', (request, reply) => handleApi(request, reply, (body) => processor.createOrder(body)));
  app.get('/v1/orders', (request, reply) => handleApi(request, reply, (_body, query) => processor.listOrders(query)));
  app.get('/v1/orders/:id', (request, reply) => handleApi(request, reply, () => renderOrder(processor.order(id(request)))));
  app.get('/v1/orders/:id/payments', (request, reply) => handleApi(request, reply, () => processor.orderPayments(id(request))));
  app.post('/v1/payments/create/upi', (request, reply) => handleApi(request, reply, (body) => processor.createUpiPayment(body)));
  app.get('/v1/payments', (request, reply) => handleApi(request, reply, (_body, query) => processor.listPayments(query)));
  app.get('/v1/payments/:id', (request, reply) => handleApi(request, reply, (_body, query) => renderPayment(processor.payment(id(request)), wantsCard(query))));
  app.post('/v1/payments/:id/capture', (request, reply) => handleApi(request, reply, (body) => processor.capture(id(request), body)));
  app.post('/v1/payments/:id/refund', (request, reply) => handleApi(request, reply, (body) => processor.refundPayment(id(request), body)));
  app.get('/v1/payments/:id/refunds', (request, reply) => handleApi(request, reply, (_body, query) => processor.listRefunds(query, id(request))));
  app.get('/v1/payments/:id/refunds/:refundId', (request, reply) =>
    handleApi(request, reply, () => renderRefund(processor.refund((request.params as { refundId: string }).refundId, id(request)))),
  );
  app.get('/v1/refunds', (request, reply) => handleApi(request, reply, (_body, query) => processor.listRefunds(query)));
  app.get('/v1/refunds/:id', (request, reply) => handleApi(request, reply, () => renderRefund(processor.refund(id(request)))));

  // --- Payer pages -------------------------------------------------------------------------------------------------

  /** Razorpay's hosted checkout: the merchant's page POSTs (or links) the order here with its key id. */
  async function checkout(request: FastifyRequest, reply: FastifyReply) {
    const values = request.method === 'POST' ? new URLSearchParams(rawBody(request)) : (request.query as Record<string, unknown>);
    if (field(values, 'key_id') !== options.keyId) return reply.status(401).type('text/html').send(messagePage('Checkout unavailable', 'The key_id is not this sandbox’s key.'));
    const order = store.orders.get(field(values, 'order_id') ?? '');
    if (!order || order.status === 'paid') return reply.status(400).type('text/html').send(messagePage('Checkout unavailable', 'The order is unknown or already paid.'));
    const callbackUrl = field(values, 'callback_url');
    if (callbackUrl !== undefined && !isHttpUrl(callbackUrl)) return reply.status(400).type('text/html').send(messagePage('Checkout unavailable', 'The callback_url is not an absolute http(s) URL.'));
    return reply.type('text/html').send(
      checkoutPage(order, {
        keyId: options.keyId,
        ...(callbackUrl !== undefined ? { callbackUrl } : {}),
        ...(field(values, 'name') !== undefined ? { merchantName: field(values, 'name') } : {}),
        ...(field(values, 'description') !== undefined ? { description: field(values, 'description') } : {}),
        ...(field(values, 'prefill[email]') !== undefined ? { email: field(values, 'prefill[email]') } : {}),
        ...(field(values, 'prefill[contact]') !== undefined ? { contact: field(values, 'prefill[contact]') } : {}),
      }),
    );
  }
  app.get('/v1/checkout/embedded', checkout);
  app.post('/v1/checkout/embedded', checkout);

  app.post('/sandbox/razorpay/checkout/:id/pay', async (request, reply) => {
    const form = new URLSearchParams(rawBody(request));
    if (form.get('key_id') !== options.keyId) return reply.status(401).type('text/html').send(messagePage('Checkout unavailable', 'The key_id is not this sandbox’s key.'));
    const callbackUrl = form.get('callback_url') ?? undefined;
    if (callbackUrl !== undefined && !isHttpUrl(callbackUrl)) return reply.status(400).type('text/html').send(messagePage('Checkout unavailable', 'The callback_url is not an absolute http(s) URL.'));
    let payment;
    try {
      payment = processor.payByCard(id(request), {
        number: form.get('card_number') ?? '',
        expiryMonth: form.get('expiry_month') ?? '',
        expiryYear: form.get('expiry_year') ?? '',
        cvv: form.get('cvv') ?? '',
        name: form.get('name') ?? '',
        email: form.get('email') ?? '',
        contact: form.get('contact') ?? '',
      }, form.get('outcome') === 'success');
    } catch (error) {
      if (!(error instanceof RazorpayError)) throw error;
      return reply.status(400).type('text/html').send(messagePage('Payment not made', error.message));
    }
    if (payment.status === 'failed' && payment.failure) {
      const { code, description, source, step, reason } = payment.failure;
      const fields = { 'error[code]': code, 'error[description]': description, 'error[source]': source, 'error[step]': step, 'error[reason]': reason, 'error[metadata]': JSON.stringify({ payment_id: payment.id, order_id: payment.orderId }) };
      return reply.type('text/html').send(callbackPage(callbackUrl, fields, false));
    }
    const { razorpay_payment_id, razorpay_order_id, razorpay_signature } = processor.paymentSignatureFields(payment);
    return reply.type('text/html').send(callbackPage(callbackUrl, { razorpay_payment_id, razorpay_order_id, razorpay_signature }, true));
  });

  app.get('/sandbox/razorpay/upi/:id', async (request, reply) => {
    const payment = store.payments.get(id(request));
    if (!payment || payment.method !== 'upi' || payment.status !== 'created') return reply.status(404).type('text/html').send(messagePage('No pending request', 'This UPI request is unknown or already answered.'));
    return reply.type('text/html').send(upiAppPage(payment));
  });
  app.post('/sandbox/razorpay/upi/:id', async (request, reply) => {
    const form = new URLSearchParams(rawBody(request));
    const action = form.get('action');
    const reason = form.get('reason') ?? 'payment_cancelled';
    if ((action !== 'approve' && action !== 'decline') || !isUpiFailureReason(reason)) return reply.status(400).type('text/html').send(messagePage('Bad request', 'Unknown action or reason.'));
    const outcome = processor.resolveUpi(id(request), action === 'approve' ? { approve: true } : { approve: false, reason });
    if (!outcome) return reply.status(404).type('text/html').send(messagePage('No pending request', 'This UPI request is unknown or already answered.'));
    return reply.type('text/html').send('failed' in outcome ? messagePage('Payment declined', 'You declined the request in your UPI app.') : messagePage('Payment approved', 'The money is on its way to Payrail Sandbox.'));
  });

  // --- Admin -------------------------------------------------------------------------------------------------------

  const reset = () => {
    store.clear();
    faults.reset();
  };
  registerSandboxAdmin(app, { records: () => store.snapshot(), faults, reset });
  app.post('/sandbox/admin/payments/:id/upi', async (request, reply) => {
    const body = parseJsonBody(request) as { action?: unknown; reason?: unknown } | undefined;
    if (typeof body !== 'object' || body === null) return reply.status(400).send({ error: 'the body must be JSON' });
    const reason = body.reason ?? 'payment_cancelled';
    if (body.action !== 'approve' && body.action !== 'decline') return reply.status(400).send({ error: 'action must be approve or decline' });
    if (!isUpiFailureReason(reason)) return reply.status(400).send({ error: 'reason must be payment_cancelled, incorrect_pin, insufficient_funds or payment_declined' });
    if (!store.payments.has(id(request))) return reply.status(404).send({ error: `no payment ${id(request)}` });
    const outcome = processor.resolveUpi(id(request), body.action === 'approve' ? { approve: true } : { approve: false, reason });
    if (!outcome) return reply.status(409).send({ error: `payment ${id(request)} is not a UPI payment awaiting the payer` });
    // An approval answers what Checkout's handler would receive: the ids and the payment signature.
    return 'failed' in outcome ? renderPayment(outcome.failed) : outcome;
  });
  registerWebhookUrlAdmin(app, (url) => webhooks.setUrl(url));

  return {
    app,
    store,
    webhooks,
    setFaults: (update: Partial<Faults>): Faults => faults.set(update),
    reset,
    async close() {
      webhooks.close();
      held.dropAll();
      await app.close();
    },
  };
}

/** Starts the Razorpay sandbox on `port` (0 picks a free one); point the SDK's base URL at `url`. */
export async function startRazorpaySandbox(options: RazorpaySandboxOptions): Promise<RazorpaySandbox> {
  const sandbox = buildRazorpaySandbox(options);
  const { url, port } = await listenOn(sandbox.app, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url,
    port,
    records: () => sandbox.store.snapshot(),
    setFaults: (update) => sandbox.setFaults(update),
    setWebhookUrl: (url) => sandbox.webhooks.setUrl(url),
    webhooksIdle: () => sandbox.webhooks.idle(),
    reset: () => sandbox.reset(),
    close: () => sandbox.close(),
  };
}
