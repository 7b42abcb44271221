import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultSettings, registerSandboxAdmin, type SandboxHandle } from '../shared/admin.ts';
import { drawFaults, type Faults } from '../shared/faults.ts';
import { AdyenError } from './errors.ts';
import { AdyenProcessor, type Answer } from './processor.ts';
import { SandboxStore, type SandboxRecords } from './store.ts';
import { defaultWebhookRetryDelaysMs, WebhookDispatcher, type WebhookTarget } from './webhooks.ts';
import { createSandboxServer, HeldConnections, listenOn, parseJsonBody, rawBody } from '../shared/http.ts';

/**
 * The Adyen sandbox: a separate HTTP server speaking the subset of Adyen's Checkout API v71 that Payrail's Adyen
 * connector uses (paths as on checkout-test.adyen.com/v71), with Adyen's test cards, asynchronous standard webhooks
 * signed with HMAC, and fault injection. Run it with `npx payrail sandbox adyen --port N` or in-process with
 * `startAdyenSandbox()`.
 *
 * API paths (X-API-Key required, Idempotency-Key honoured on every POST):
 *   POST /v71/payments                                  PaymentRequest -> PaymentResponse
 *   POST /v71/payments/details                          PaymentDetailsRequest -> PaymentDetailsResponse
 *   POST /v71/payments/{paymentPspReference}/captures   -> 201 PaymentCaptureResponse
 *   POST /v71/payments/{paymentPspReference}/cancels    -> 201 PaymentCancelResponse
 *   POST /v71/payments/{paymentPspReference}/refunds    -> 201 PaymentRefundResponse
 * Shopper pages: GET /sandbox/3ds/{token} (3-D Secure challenge; POST it with password "password" to pass);
 *   GET /sandbox/ideal/{token} (the iDEAL bank page; POST it with outcome=authorised or outcome=failed).
 * Admin (no key; the CLI binds to 127.0.0.1): GET /sandbox/admin/records, GET|POST /sandbox/admin/faults,
 *   POST /sandbox/admin/webhook {url, username?, password?} (url null clears it), POST /sandbox/admin/reset.
 */

export interface AdyenSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The API key every request must carry in X-API-Key. */
  apiKey: string;
  /** The webhook HMAC key, hex, as generated in Adyen's Customer Area. */
  hmacKeyHex: string;
  webhookUrl?: string;
  webhookUsername?: string;
  webhookPassword?: string;
  /** Merchant accounts the key may use; empty or absent accepts any. */
  merchantAccounts?: string[];
  /** The merchant account's capture setting: Adyen's default is immediate. */
  defaultCaptureMode?: 'immediate' | 'manual';
  webhookRetryDelaysMs?: number[];
  /** Require the receiver to answer `[accepted]` (besides a 2xx status) for a delivery to count. */
  webhookRequireAcceptedBody?: boolean;
  /** The address shoppers reach the sandbox at (for 3-D Secure redirect URLs); defaults to the request's Host. */
  publicUrl?: string;
  faults?: Partial<Faults>;
}

export interface AdyenSandbox extends SandboxHandle<SandboxRecords> {
  setWebhookTarget(target: WebhookTarget | undefined): void;
}

/** Adyen documents Idempotency-Key values of at most 64 characters. */
const idempotencyKeyLengthMax = 64;
const pspReferenceLengthMax = 64;
const apiVersionPrefix = '/v71';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** JSON with object keys sorted, so the idempotency fingerprint ignores key order and whitespace. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Builds the Fastify app and its state without listening, so `startAdyenSandbox` and the CLI share it. */
export function buildAdyenSandbox(options: AdyenSandboxOptions) {
  if (!/^[0-9a-fA-F]+$/.test(options.hmacKeyHex) || options.hmacKeyHex.length % 2 !== 0) throw new Error('hmacKeyHex must be a hexadecimal key');
  if (options.apiKey.length === 0) throw new Error('apiKey must not be empty');
  const store = new SandboxStore();
  const faults = new FaultSettings(options.faults);
  const webhooks = new WebhookDispatcher(store, {
    hmacKeyHex: options.hmacKeyHex,
    ...(options.webhookUrl ? { target: { url: options.webhookUrl, username: options.webhookUsername, password: options.webhookPassword } } : {}),
    retryDelaysMs: options.webhookRetryDelaysMs ?? defaultWebhookRetryDelaysMs,
    requireAcceptedBody: options.webhookRequireAcceptedBody ?? false,
    delayMs: () => faults.current.webhookDelayMs,
    duplicate: () => faults.current.webhookDuplicate,
  });
  const processor = new AdyenProcessor(store, webhooks, {
    merchantAccounts: options.merchantAccounts ?? [],
    defaultCaptureMode: options.defaultCaptureMode ?? 'immediate',
  });
  const held = new HeldConnections();

  // Bodies stay raw strings, parsed by the handlers, so a JSON syntax error gets Adyen's error shape rather than
  // Fastify's.
  const app: FastifyInstance = createSandboxServer();
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const adyenError = new AdyenError(status, status === 500 ? '000' : '702', error.message, status === 500 ? 'internal' : 'validation');
    void reply.status(status).send(adyenError.toBody());
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send(new AdyenError(404, '000', 'HTTP Status Response - Not Found', 'validation').toBody());
  });

  const publicUrlOf = (request: FastifyRequest) => options.publicUrl ?? `${request.protocol}://${request.host}`;

  /**
   * The common path of every Checkout API request: faults, X-API-Key, JSON body, Idempotency-Key, then the
   * operation, then the faults that strike after processing.
   */
  async function handleApi(request: FastifyRequest, reply: FastifyReply, operation: (body: Record<string, unknown>, idempotencyKey: string | undefined) => Answer) {
    const draw = drawFaults(faults.current);
    if (draw.outage) return reply.status(503).send(new AdyenError(503, '000', 'Service Unavailable', 'internal').toBody());
    if (draw.latencyMs > 0) await sleep(draw.latencyMs);
    if (draw.failBefore) return reply.status(500).send(new AdyenError(500, '000', 'Internal error', 'internal').toBody());
    if (header(request, 'x-api-key') !== options.apiKey) {
      return reply.status(401).send(new AdyenError(401, '000', 'HTTP Status Response - Unauthorized', 'security').toBody());
    }
    const raw = rawBody(request);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return reply.status(400).send(new AdyenError(400, '702', 'Unexpected input: the body is not valid JSON', 'validation').toBody());
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply.status(400).send(new AdyenError(400, '702', 'Unexpected input: the body must be a JSON object', 'validation').toBody());
    }
    const idempotencyKey = header(request, 'idempotency-key');
    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length === 0 || idempotencyKey.length > idempotencyKeyLengthMax) {
        return reply.status(400).send(new AdyenError(400, '702', `Idempotency-Key must be 1 to ${idempotencyKeyLengthMax} characters`, 'validation').toBody());
      }
      void reply.header('idempotency-key', idempotencyKey);
    }
    const fingerprint = createHash('sha256').update(`${request.method} ${request.url}\n${canonicalJson(body)}`).digest('hex');
    const stored = idempotencyKey !== undefined ? store.idempotency.get(idempotencyKey) : undefined;
    let answer: Answer;
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        // Adyen's documentation only promises the first response for a retried request; a key reused for a
        // different request is the client's bug, answered the way Adyen answers a key it cannot honour.
        return reply.status(422).send(new AdyenError(422, '704', 'request already processed or in progress: the Idempotency-Key was used for a different request').toBody());
      }
      answer = { status: stored.status, body: stored.body as Record<string, unknown> };
    } else {
      try {
        answer = operation(body as Record<string, unknown>, idempotencyKey);
      } catch (error) {
        if (!(error instanceof AdyenError)) throw error;
        return reply.status(error.status).send(error.toBody());
      }
      // Only processed requests are remembered: a rejected one did nothing, so its key may be used again.
      if (idempotencyKey !== undefined) store.idempotency.set(idempotencyKey, { fingerprint, status: answer.status, body: answer.body });
    }
    if (draw.timeoutAfter) return held.hold(request, reply);
    if (draw.answerDelayMs > 0) await sleep(draw.answerDelayMs);
    if (draw.failAfter) return reply.status(500).send(new AdyenError(500, '000', 'Internal error', 'internal').toBody());
    return reply.status(answer.status).send(answer.body);
  }

  const pspParameter = (request: FastifyRequest) => {
    const value = (request.params as { paymentPspReference: string }).paymentPspReference;
    if (value.length > pspReferenceLengthMax) throw new AdyenError(422, '167', 'Original pspReference required for this operation');
    return value;
  };

  app.post(`${apiVersionPrefix}/payments`, (request, reply) =>
    handleApi(request, reply, (body, key) => processor.payments(body, key, (token) => `${publicUrlOf(request)}/sandbox/3ds/${token}`, (token) => `${publicUrlOf(request)}/sandbox/ideal/${token}`)),
  );
  app.post(`${apiVersionPrefix}/payments/details`, (request, reply) => handleApi(request, reply, (body) => processor.paymentDetails(body)));
  app.post(`${apiVersionPrefix}/payments/:paymentPspReference/captures`, (request, reply) =>
    handleApi(request, reply, (body, key) => processor.capture(pspParameter(request), body, key)),
  );
  app.post(`${apiVersionPrefix}/payments/:paymentPspReference/cancels`, (request, reply) =>
    handleApi(request, reply, (body, key) => processor.cancel(pspParameter(request), body, key)),
  );
  app.post(`${apiVersionPrefix}/payments/:paymentPspReference/refunds`, (request, reply) =>
    handleApi(request, reply, (body, key) => processor.refund(pspParameter(request), body, key)),
  );

  // The issuer's 3-D Secure challenge page that the RedirectShopper action points to.
  app.get('/sandbox/3ds/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const payment = processor.challengePayment(token);
    if (!payment) return reply.status(404).type('text/html').send('<!doctype html><title>Unknown challenge</title><p>This authentication is unknown or finished.</p>');
    const amount = `${payment.amount.value} ${escapeHtml(payment.amount.currency)} (minor units)`;
    const action = `/sandbox/3ds/${encodeURIComponent(token)}`;
    return reply.type('text/html').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>3-D Secure 2 challenge (Adyen sandbox)</title></head>
<body>
<h1>3-D Secure 2 challenge</h1>
<p>Payment ${escapeHtml(payment.merchantReference)}: ${amount}, card ending ${escapeHtml(payment.lastFour)}.</p>
<form method="post" action="${action}">
  <label>Password (test password: <code>password</code>) <input name="password" type="password" autocomplete="off"></label>
  <button type="submit">Submit</button>
</form>
<form method="post" action="${action}"><input type="hidden" name="password" value="password"><button type="submit" id="complete">Complete authentication</button></form>
<form method="post" action="${action}"><input type="hidden" name="password" value=""><button type="submit" id="fail">Fail authentication</button></form>
</body></html>`);
  });

  app.post('/sandbox/3ds/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const form = new URLSearchParams(rawBody(request));
    const completed = processor.completeChallenge(token, form.get('password') === 'password');
    if (!completed) return reply.status(404).type('text/html').send('<!doctype html><title>Unknown challenge</title><p>This authentication is unknown or finished.</p>');
    return reply.redirect(completed.returnUrl, 302);
  });

  // The shopper's bank page that an iDEAL payment's RedirectShopper action points to.
  app.get('/sandbox/ideal/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const payment = processor.challengePayment(token);
    if (!payment || payment.brand !== 'ideal') return reply.status(404).type('text/html').send('<!doctype html><title>Unknown payment</title><p>This iDEAL payment is unknown or finished.</p>');
    const amount = `${payment.amount.value} ${escapeHtml(payment.amount.currency)} (minor units)`;
    const action = `/sandbox/ideal/${encodeURIComponent(token)}`;
    return reply.type('text/html').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>iDEAL test bank (Adyen sandbox)</title></head>
<body>
<h1>iDEAL test bank</h1>
<p>Payment ${escapeHtml(payment.merchantReference)}: ${amount}.</p>
<form method="post" action="${action}"><input type="hidden" name="outcome" value="authorised"><button type="submit" id="authorise">Authorise payment</button></form>
<form method="post" action="${action}"><input type="hidden" name="outcome" value="failed"><button type="submit" id="fail">Fail payment</button></form>
</body></html>`);
  });

  app.post('/sandbox/ideal/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const outcome = new URLSearchParams(rawBody(request)).get('outcome');
    if (outcome !== 'authorised' && outcome !== 'failed') return reply.status(400).type('text/html').send('<!doctype html><title>Bad request</title><p>outcome must be authorised or failed.</p>');
    const payment = processor.challengePayment(token);
    const completed = payment?.brand === 'ideal' ? processor.completeChallenge(token, outcome === 'authorised') : undefined;
    if (!completed) return reply.status(404).type('text/html').send('<!doctype html><title>Unknown payment</title><p>This iDEAL payment is unknown or finished.</p>');
    return reply.redirect(completed.returnUrl, 302);
  });

  const reset = () => {
    store.clear();
    faults.reset();
  };
  registerSandboxAdmin(app, { records: () => store.snapshot(), faults, reset });
  app.post('/sandbox/admin/webhook', async (request, reply) => {
    const update = parseJsonBody(request) as { url?: unknown; username?: unknown; password?: unknown } | undefined;
    if (update === undefined || update === null || typeof update !== 'object') return reply.status(400).send({ error: 'the body must be a JSON object' });
    if (update.url === null) {
      webhooks.setTarget(undefined);
      return { url: null };
    }
    if (typeof update.url !== 'string' || !URL.canParse(update.url)) return reply.status(400).send({ error: 'url must be an absolute URL or null' });
    if ((update.username !== undefined && typeof update.username !== 'string') || (update.password !== undefined && typeof update.password !== 'string')) {
      return reply.status(400).send({ error: 'username and password must be strings' });
    }
    webhooks.setTarget({ url: update.url, ...(update.username !== undefined ? { username: update.username as string } : {}), ...(update.password !== undefined ? { password: update.password as string } : {}) });
    return { url: update.url };
  });

  return {
    app,
    store,
    webhooks,
    getFaults: () => faults.current,
    setFaults: (update: Partial<Faults>): Faults => faults.set(update),
    reset,
    async close() {
      webhooks.close();
      held.dropAll();
      await app.close();
    },
  };
}

/**
 * Starts the Adyen sandbox on `port` (0 picks a free one) and returns its base URL (without `/v71`) and controls.
 * Point a client at `${url}/v71`.
 */
export async function startAdyenSandbox(options: AdyenSandboxOptions): Promise<AdyenSandbox> {
  const sandbox = buildAdyenSandbox(options);
  const host = options.host ?? '127.0.0.1';
  const { url, port } = await listenOn(sandbox.app, options.port ?? 0, host);
  return {
    url,
    port,
    records: () => sandbox.store.snapshot(),
    setFaults: (update) => sandbox.setFaults(update),
    setWebhookTarget: (target) => sandbox.webhooks.setTarget(target),
    webhooksIdle: () => sandbox.webhooks.idle(),
    reset: () => sandbox.reset(),
    close: () => sandbox.close(),
  };
}
