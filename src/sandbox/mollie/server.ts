import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultSettings, registerSandboxAdmin, type SandboxHandle } from '../shared/admin.ts';
import { drawFaults, type Faults } from '../shared/faults.ts';
import { createSandboxServer, HeldConnections, listenOn, parseJsonBody, rawBody, type SandboxTls } from '../shared/http.ts';
import { MollieError } from './errors.ts';
import { authorizingMethods, checkoutOutcomes, MollieProcessor, offeredMethods, refundSettleStatuses, settleStatuses, type Answer, type CheckoutOutcome, type SettleDelays } from './processor.ts';
import { MollieRenderer, type RenderContext } from './render.ts';
import { newMollieId, SandboxStore, type SandboxRecords } from './store.ts';
import { defaultWebhookRetryDelaysMs, WebhookDispatcher } from './webhooks.ts';

/**
 * The Mollie sandbox: a separate HTTP(S) server speaking Mollie's Payments API v2 as documented on docs.mollie.com and in
 * Mollie's OpenAPI description (Mollie's OpenAPI description, github.com/mollie/openapi), at Mollie's paths, with a hosted test checkout, webhooks
 * Mollie's way (a form POST of `id=tr_...`), and fault injection. Run it with `npx payrail sandbox mollie --port N` or
 * in-process with `startMollieSandbox()`. Test mode only: it accepts its `test_` API keys (Bearer).
 *
 * API paths (Idempotency-Key honoured on POST, as Mollie does; JSON or form bodies):
 *   POST|GET /v2/payments, GET|PATCH|DELETE /v2/payments/{id}
 *   POST|GET /v2/payments/{id}/refunds, GET|DELETE /v2/payments/{id}/refunds/{refundId}
 *   POST|GET /v2/customers, GET|PATCH|DELETE /v2/customers/{id}, POST|GET /v2/customers/{id}/payments
 *   POST|GET /v2/customers/{id}/mandates, GET|DELETE /v2/customers/{id}/mandates/{mandateId}
 * Shopper page: GET|POST /sandbox/mollie/checkout/{paymentId} (`_links.checkout`, and `_links.changePaymentState` for
 *   payments made without the shopper): the tester picks the outcome, then goes to redirectUrl.
 * Admin (no key; the CLI binds to 127.0.0.1): GET /sandbox/admin/records, GET|POST /sandbox/admin/faults,
 *   POST /sandbox/admin/reset, POST /sandbox/admin/payments/{id}/settle {status}, POST /sandbox/admin/refunds/{id}/settle
 *   {status}.
 * Faults (../shared/faults.ts) apply to every /v2 path. An injected 5xx carries `Retry-After: 0`, so the official
 * client's automatic retries (three attempts, 2 s apart unless the server says otherwise) happen at once.
 */

export interface MollieSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The API keys it accepts: `test_` and 30 letters or digits, as Mollie's test keys. */
  apiKeys: string[];
  /** Serve HTTPS with this key and certificate (the official Node client only speaks HTTPS). */
  tls?: SandboxTls;
  /** The address shoppers and clients reach the sandbox at (links, checkout); defaults to the listening address. */
  publicUrl?: string;
  webhookRetryDelaysMs?: number[];
  /** Automatic settlement of pending direct debits and refunds; by default they wait to be settled explicitly. */
  settleDelays?: Partial<SettleDelays>;
  faults?: Partial<Faults>;
}

export type MollieSandbox = SandboxHandle<SandboxRecords>;

/** Mollie's test API keys: `test_` and 30 letters and digits. */
export const apiKeyPattern = /^test_[A-Za-z0-9]{30}$/;
/** How long the first answer to an Idempotency-Key is replayed (Mollie keeps keys 24 hours). */
export const idempotencyKeyLifetimeMs = 24 * 3_600_000;
/** Longest Idempotency-Key accepted. */
export const idempotencyKeyLengthMax = 255;
/** Upper bound on stored idempotent answers (the oldest is dropped first). */
const idempotencyKeptMax = 100_000;
/** Ids in paths are Mollie's short tokens; anything much longer is not an id. */
const resourceIdLengthMax = 64;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function constantTimeIncludes(keys: readonly string[], given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const target = digest(given);
  let found = false;
  for (const key of keys) found = timingSafeEqual(digest(key), target) || found;
  return found;
}

/** Names a form field may not use: they would reach Object.prototype through the bracket notation. */
const forbiddenFormKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses a form body with Mollie's bracket notation (`amount[currency]=EUR`) into nested objects. */
export function parseFormBody(raw: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const path = key.replace(/\]/g, '').split('[');
    if (path.some((part) => forbiddenFormKeys.has(part))) throw new MollieError(400, 'The request body has a field name that is not allowed');
    let target = body;
    for (const part of path.slice(0, -1)) {
      if (typeof target[part] !== 'object' || target[part] === null) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return body;
}

/** Builds the Fastify app and its state without listening, so `startMollieSandbox` and the CLI share it. */
export function buildMollieSandbox(options: MollieSandboxOptions) {
  if (options.apiKeys.length === 0) throw new Error('apiKeys must name at least one key');
  for (const key of options.apiKeys) if (!apiKeyPattern.test(key)) throw new Error('every API key must be test_ followed by 30 letters or digits (the sandbox is test mode only)');
  const store = new SandboxStore();
  const faults = new FaultSettings(options.faults);
  const profileId = newMollieId('pfl');
  let publicUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  const context = (): RenderContext => ({ publicUrl, profileId });
  const webhooks = new WebhookDispatcher(store, {
    retryDelaysMs: options.webhookRetryDelaysMs ?? defaultWebhookRetryDelaysMs,
    delayMs: () => faults.current.webhookDelayMs,
    duplicate: () => faults.current.webhookDuplicate,
  });
  const processor = new MollieProcessor(store, webhooks, { directDebitMs: options.settleDelays?.directDebitMs ?? null, refundMs: options.settleDelays?.refundMs ?? null });
  const held = new HeldConnections();

  const app: FastifyInstance = createSandboxServer(options.tls);
  const sendError = (reply: FastifyReply, error: MollieError) => reply.status(error.status).type('application/hal+json').send(error.toBody());
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const detail = status === 415 ? 'The request content type is not supported; send application/json' : status === 413 ? 'The request body is too large' : status === 500 ? 'An internal error occurred' : 'The request is invalid';
    void sendError(reply, new MollieError(status, detail));
  });
  app.setNotFoundHandler((request, reply) => {
    void sendError(reply, new MollieError(404, `The resource at ${request.method} ${request.url.split('?')[0]} does not exist`));
  });
  app.addHook('onRequest', async (request) => {
    // Until the server knows its own address (in-process use before listen returns), links use the Host header.
    if (publicUrl === '') publicUrl = `${request.protocol}://${request.host}`;
  });

  /** The fault draw every API request gets; answers the request itself when a fault strikes before processing. */
  async function faultsBefore(reply: FastifyReply): Promise<{ timeoutAfter: boolean; failAfter: boolean } | null> {
    const draw = drawFaults(faults.current);
    if (draw.outage) {
      void sendError(reply.header('retry-after', '0'), new MollieError(503, 'The Mollie API is temporarily unavailable'));
      return null;
    }
    if (draw.latencyMs > 0) await sleep(draw.latencyMs);
    if (draw.failBefore) {
      void sendError(reply.header('retry-after', '0'), new MollieError(500, 'An internal error occurred'));
      return null;
    }
    return { timeoutAfter: draw.timeoutAfter, failAfter: draw.failAfter };
  }

  /** Sends an answer, or applies the faults that strike after processing (never answer; a 500 instead). */
  function finish(request: FastifyRequest, reply: FastifyReply, after: { timeoutAfter: boolean; failAfter: boolean }, answer: Answer) {
    if (after.timeoutAfter) return held.hold(request, reply);
    if (after.failAfter) return sendError(reply.header('retry-after', '0'), new MollieError(500, 'An internal error occurred'));
    if (answer.body === null) return reply.status(answer.status).send();
    return reply.status(answer.status).type('application/hal+json').send(answer.body);
  }

  /** The request's API key when it is one of the sandbox's, else undefined. */
  function apiKeyOf(request: FastifyRequest): string | undefined {
    const match = /^Bearer (\S+)$/i.exec(header(request, 'authorization') ?? '');
    return match && constantTimeIncludes(options.apiKeys, match[1]) ? match[1] : undefined;
  }

  function bodyOf(request: FastifyRequest): Record<string, unknown> {
    const raw = rawBody(request).trim();
    if (raw === '') return {};
    if (/application\/x-www-form-urlencoded/i.test(header(request, 'content-type') ?? '')) return parseFormBody(raw);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new MollieError(400, 'The request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MollieError(400, 'The request body must be a JSON object');
    return parsed as Record<string, unknown>;
  }

  /**
   * The common path of every API request: faults, the API key, the body, the Idempotency-Key, the operation, then the
   * faults that strike after processing. As docs.mollie.com ("API idempotency") says: only POST requests use the key
   * (it is ignored on the other methods); the first answer to a key, error or not, is replayed for 24 hours with
   * `Idempotent-Replayed: true`; the same key on another endpoint or with other parameters is a 400. (Mollie's 409, for
   * a retry arriving while the first request is still being processed, cannot happen here: requests run one at a time.)
   */
  async function handleApi(request: FastifyRequest, reply: FastifyReply, operation: (body: Record<string, unknown>) => Answer) {
    const after = await faultsBefore(reply);
    if (after === null) return reply;
    const apiKey = apiKeyOf(request);
    if (apiKey === undefined) return sendError(reply, new MollieError(401, 'Missing authentication, or failed to authenticate'));
    const idempotencyKey = request.method === 'POST' ? header(request, 'idempotency-key') : undefined;
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > idempotencyKeyLengthMax)) {
      return sendError(reply, new MollieError(400, `The Idempotency-Key header must be 1 to ${idempotencyKeyLengthMax} characters`));
    }
    const fingerprint = `${request.method} ${request.url}\n${rawBody(request)}`;
    const storeKey = idempotencyKey !== undefined ? `${apiKey}\n${idempotencyKey}` : undefined;
    const stored = storeKey !== undefined ? store.idempotency.get(storeKey) : undefined;
    let answer: Answer;
    if (stored && stored.expiresAtMs > Date.now()) {
      if (stored.fingerprint !== fingerprint) return sendError(reply, new MollieError(400, 'The Idempotency-Key was already used for a request to another endpoint or with other parameters'));
      reply.header('idempotent-replayed', 'true');
      answer = { status: stored.status, body: structuredClone(stored.body) as Record<string, unknown> | null };
    } else {
      try {
        answer = operation(bodyOf(request));
      } catch (error) {
        if (!(error instanceof MollieError)) throw error;
        answer = { status: error.status, body: error.toBody() };
      }
      if (storeKey !== undefined) {
        if (store.idempotency.size >= idempotencyKeptMax) store.idempotency.delete(store.idempotency.keys().next().value!);
        store.idempotency.delete(storeKey);
        store.idempotency.set(storeKey, { fingerprint, status: answer.status, body: structuredClone(answer.body), expiresAtMs: Date.now() + idempotencyKeyLifetimeMs });
      }
    }
    return finish(request, reply, after, answer);
  }

  const id = (request: FastifyRequest, name = 'id'): string => {
    const value = (request.params as Record<string, string>)[name];
    if (value.length > resourceIdLengthMax) throw new MollieError(404, 'No entity exists with this token');
    return value;
  };
  const query = (request: FastifyRequest) => request.query as Record<string, string | undefined>;
  const api = (method: 'get' | 'post' | 'patch' | 'delete', path: string, operation: (request: FastifyRequest, body: Record<string, unknown>) => Answer) =>
    app[method](path, (request, reply) => handleApi(request, reply, (body) => operation(request, body)));

  api('post', '/v2/payments', (_request, body) => processor.createPayment(body, context()));
  api('get', '/v2/payments', (request) => processor.listPayments(query(request), context()));
  api('get', '/v2/payments/:id', (request) => processor.getPayment(id(request), context()));
  api('patch', '/v2/payments/:id', (request, body) => processor.updatePayment(id(request), body, context()));
  api('delete', '/v2/payments/:id', (request) => processor.cancelPayment(id(request), context()));
  api('post', '/v2/payments/:id/refunds', (request, body) => processor.createRefund(id(request), body, context()));
  api('get', '/v2/payments/:id/refunds', (request) => processor.listRefunds(id(request), query(request), context()));
  api('get', '/v2/payments/:id/refunds/:refundId', (request) => processor.getRefund(id(request), id(request, 'refundId'), context()));
  api('delete', '/v2/payments/:id/refunds/:refundId', (request) => processor.cancelRefund(id(request), id(request, 'refundId')));
  api('post', '/v2/payments/:id/captures', (request, body) => processor.createCapture(id(request), body, context()));
  api('get', '/v2/payments/:id/captures', (request) => processor.listCaptures(id(request), query(request), context()));
  api('get', '/v2/payments/:id/captures/:captureId', (request) => processor.getCapture(id(request), id(request, 'captureId'), context()));
  api('post', '/v2/customers', (_request, body) => processor.createCustomer(body, context()));
  api('get', '/v2/customers', (request) => processor.listCustomers(query(request), context()));
  api('get', '/v2/customers/:id', (request) => processor.getCustomer(id(request), context()));
  api('patch', '/v2/customers/:id', (request, body) => processor.updateCustomer(id(request), body, context()));
  api('delete', '/v2/customers/:id', (request) => processor.deleteCustomer(id(request)));
  api('post', '/v2/customers/:id/payments', (request, body) => {
    processor.customer(id(request));
    return processor.createPayment(body, context(), id(request));
  });
  api('get', '/v2/customers/:id/payments', (request) => processor.listPayments(query(request), context(), id(request)));
  api('post', '/v2/customers/:id/mandates', (request, body) => processor.createMandate(id(request), body, context()));
  api('get', '/v2/customers/:id/mandates', (request) => processor.listMandates(id(request), query(request), context()));
  api('get', '/v2/customers/:id/mandates/:mandateId', (request) => processor.getMandate(id(request), id(request, 'mandateId'), context()));
  api('delete', '/v2/customers/:id/mandates/:mandateId', (request) => processor.revokeMandate(id(request), id(request, 'mandateId')));

  const unknownPaymentPage = '<!doctype html><title>Unknown payment</title><p>This payment is unknown or already finished, or the choice does not fit it.</p>';
  app.get('/sandbox/mollie/checkout/:id', async (request, reply) => {
    const payment = store.payments.get((request.params as { id: string }).id);
    if (!payment || (payment.status !== 'open' && payment.status !== 'pending')) return reply.status(404).type('text/html').send(unknownPaymentPage);
    const withCheckout = MollieRenderer.hasCheckout(payment);
    const methods = payment.method !== null ? [payment.method] : offeredMethods(payment);
    const outcomes = (withCheckout ? checkoutOutcomes : settleStatuses).filter((outcome) => outcome !== 'authorized' || methods.some((method) => authorizingMethods.has(method)));
    const methodField =
      withCheckout && payment.method === null
        ? `<p><label for="method">Payment method</label> <select id="method" name="method">${methods.map((method) => `<option value="${method}">${method}</option>`).join('')}</select></p>`
        : `<p>Method: ${escapeHtml(payment.method ?? '')}</p>`;
    const choices = outcomes
      .map((outcome, index) => `<p><input type="radio" id="outcome-${outcome}" name="outcome" value="${outcome}"${index === 0 ? ' checked' : ''}> <label for="outcome-${outcome}">${outcome}</label></p>`)
      .join('\n');
    return reply.type('text/html').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>Mollie test mode (Payrail sandbox)</title></head>
<body>
<h1>Test mode</h1>
<p>Payment ${escapeHtml(payment.id)}: ${escapeHtml(payment.description)}, ${escapeHtml(payment.amount.currency)} ${escapeHtml(payment.amount.value)}.</p>
<form method="post" action="/sandbox/mollie/checkout/${encodeURIComponent(payment.id)}">
${methodField}
<fieldset><legend>Select the payment status</legend>
${choices}
</fieldset>
<button type="submit">Continue</button>
</form>
</body></html>`);
  });

  app.post('/sandbox/mollie/checkout/:id', async (request, reply) => {
    const paymentId = (request.params as { id: string }).id;
    const form = new URLSearchParams(rawBody(request));
    const outcome = form.get('outcome');
    if (!(checkoutOutcomes as readonly (string | null)[]).includes(outcome)) return reply.status(400).type('text/html').send('<!doctype html><title>Bad request</title><p>Unknown outcome.</p>');
    const payment = store.payments.get(paymentId);
    if (!payment) return reply.status(404).type('text/html').send(unknownPaymentPage);
    let result: { redirect: string | null } | null;
    if (MollieRenderer.hasCheckout(payment)) result = processor.checkout(paymentId, outcome as CheckoutOutcome, form.get('method'));
    else result = outcome !== 'open' && processor.settlePayment(paymentId, outcome as (typeof settleStatuses)[number]) ? { redirect: null } : null;
    if (!result) return reply.status(404).type('text/html').send(unknownPaymentPage);
    if (result.redirect === null) return reply.type('text/html').send(`<!doctype html><title>Payment status set</title><p>Payment ${escapeHtml(paymentId)} is now ${escapeHtml(store.payments.get(paymentId)!.status)}.</p>`);
    return reply.redirect(result.redirect, 303);
  });

  const stopAll = () => processor.stopTimers();
  const reset = () => {
    stopAll();
    store.clear();
    faults.reset();
  };
  registerSandboxAdmin(app, { records: () => store.snapshot(), faults, reset });
  app.post('/sandbox/admin/payments/:id/settle', async (request, reply) => {
    const paymentId = (request.params as { id: string }).id;
    const body = parseJsonBody(request) as { status?: unknown; bankReasonCode?: unknown } | undefined;
    const status = body?.status;
    if (!(settleStatuses as readonly unknown[]).includes(status)) return reply.status(400).send({ error: `status must be one of ${settleStatuses.join(', ')}` });
    const bankReasonCode = body?.bankReasonCode;
    if (bankReasonCode !== undefined && (typeof bankReasonCode !== 'string' || !/^[A-Z]{2}\d{2}$/.test(bankReasonCode))) {
      return reply.status(400).send({ error: 'bankReasonCode must be a SEPA reason code such as AC04' });
    }
    if (!store.payments.has(paymentId)) return reply.status(404).send({ error: `no payment ${paymentId}` });
    const payment = processor.settlePayment(paymentId, status as (typeof settleStatuses)[number], bankReasonCode);
    if (!payment) return reply.status(409).send({ error: `payment ${paymentId} is neither open nor pending` });
    return processor.render.payment(payment, context());
  });
  app.post('/sandbox/admin/refunds/:id/settle', async (request, reply) => {
    const refundId = (request.params as { id: string }).id;
    const status = (parseJsonBody(request) as { status?: unknown } | undefined)?.status;
    if (!(refundSettleStatuses as readonly unknown[]).includes(status)) return reply.status(400).send({ error: `status must be one of ${refundSettleStatuses.join(', ')}` });
    if (!store.refunds.has(refundId)) return reply.status(404).send({ error: `no refund ${refundId}` });
    const refund = processor.settleRefund(refundId, status as (typeof refundSettleStatuses)[number]);
    if (!refund) return reply.status(409).send({ error: `refund ${refundId} is not pending` });
    return processor.render.refund(refund, context());
  });

  return {
    app,
    store,
    webhooks,
    setPublicUrl(url: string) {
      if (options.publicUrl === undefined) publicUrl = url;
    },
    setFaults: (update: Partial<Faults>): Faults => faults.set(update),
    reset,
    async close() {
      stopAll();
      webhooks.close();
      held.dropAll();
      await app.close();
    },
  };
}

/** Starts the Mollie sandbox on `port` (0 picks a free one); point a client's `apiEndpoint` at `${url}/v2/`. */
export async function startMollieSandbox(options: MollieSandboxOptions): Promise<MollieSandbox> {
  const sandbox = buildMollieSandbox(options);
  const { url, port } = await listenOn(sandbox.app, options.port ?? 0, options.host ?? '127.0.0.1');
  sandbox.setPublicUrl(url);
  return {
    url,
    port,
    records: () => sandbox.store.snapshot(),
    setFaults: (update) => sandbox.setFaults(update),
    webhooksIdle: () => sandbox.webhooks.idle(),
    reset: () => sandbox.reset(),
    close: () => sandbox.close(),
  };
}
