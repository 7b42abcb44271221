import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultSettings, registerSandboxAdmin, registerWebhookUrlAdmin, type SandboxHandle } from '../shared/admin.ts';
import { drawFaults, type Faults } from '../shared/faults.ts';
import { PayPalError } from './errors.ts';
import { approvalDecisions, PayPalProcessor, type Answer, type ApprovalDecision } from './processor.ts';
import type { ProcessorContext } from './render.ts';
import { SandboxStore, type SandboxRecords } from './store.ts';
import { defaultWebhookRetryDelaysMs, WebhookDispatcher, type VerificationRequest } from './webhooks.ts';
import { createSandboxServer, HeldConnections, listenOn, parseJsonBody, rawBody } from '../shared/http.ts';

/**
 * The PayPal sandbox: a separate HTTP server speaking the subset of PayPal's REST APIs that Payrail's PayPal connector
 * uses, at PayPal's paths (as on api-m.sandbox.paypal.com), with a buyer approval page, webhooks sent in the
 * background with PayPal's transmission headers, and fault injection. Run it with `npx payrail sandbox paypal --port N`
 * or in-process with `startPayPalSandbox()`.
 *
 * API paths (a Bearer token from /v1/oauth2/token required; PayPal-Request-Id honoured on every POST; `Prefer:
 * return=representation` gives full resources):
 *   POST /v1/oauth2/token                               client credentials (Basic auth) -> access_token, expires_in
 *   POST /v2/checkout/orders                            -> 201 order (PAYER_ACTION_REQUIRED or CREATED)
 *   GET  /v2/checkout/orders/{id}
 *   POST /v2/checkout/orders/{id}/capture | /authorize  -> 201 order COMPLETED with payments
 *   GET  /v2/payments/authorizations/{id}, POST .../capture (201), POST .../void (204, or 200 with representation)
 *   GET  /v2/payments/captures/{id}, POST .../refund (201)
 *   GET  /v2/payments/refunds/{id}
 *   POST /v1/notifications/verify-webhook-signature     -> {verification_status}
 * Buyer page: GET /sandbox/paypal/approve/{orderId} (Approve / Cancel buttons, redirecting to return_url or cancel_url).
 * Admin (no token; the CLI binds to 127.0.0.1): GET /sandbox/admin/records, GET|POST /sandbox/admin/faults,
 *   POST /sandbox/admin/webhook {url} (null clears it), POST /sandbox/admin/reset.
 * Faults (see ../shared/faults.ts, shared with the Adyen sandbox) apply to every API path, the token endpoint included.
 */

export interface PayPalSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The REST app's credentials (Basic auth on /v1/oauth2/token). */
  clientId: string;
  clientSecret: string;
  /** Where webhooks are POSTed. */
  webhookUrl?: string;
  /** The webhook's id as PayPal's developer dashboard shows it (letters and digits); it is part of the signed string. */
  webhookId: string;
  /** Lifetime of issued access tokens; PayPal's is 32,400 seconds (9 hours). */
  accessTokenLifetimeSeconds?: number;
  webhookRetryDelaysMs?: number[];
  /** The address buyers and clients reach the sandbox at (links, approval page); defaults to the listening address. */
  publicUrl?: string;
  faults?: Partial<Faults>;
}

export interface PayPalSandbox extends SandboxHandle<SandboxRecords> {
  setWebhookUrl(url: string | undefined): void;
}

/** PayPal's access tokens live 9 hours. */
export const defaultAccessTokenLifetimeSeconds = 32_400;
/** `PayPal-Request-Id` is 1 to 108 characters (components.parameters.paypal_request_id in the Orders spec). */
export const requestIdLengthMax = 108;
/** Ids in paths are PayPal's 17 characters; anything much longer is not an id. */
const resourceIdLengthMax = 64;
const accessTokenBytes = 32;
/** Granted scopes (a subset of what PayPal lists for a REST app). */
const grantedScopes = 'https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund https://uri.paypal.com/services/applications/webhooks';

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

function constantTimeEqual(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Builds the Fastify app and its state without listening, so `startPayPalSandbox` and the CLI share it. */
export function buildPayPalSandbox(options: PayPalSandboxOptions) {
  if (options.clientId.length === 0 || options.clientSecret.length === 0) throw new Error('clientId and clientSecret must not be empty');
  if (!/^[a-zA-Z0-9]{1,50}$/.test(options.webhookId)) throw new Error('webhookId must be 1 to 50 letters and digits (PayPal webhook ids are)');
  const tokenLifetimeSeconds = options.accessTokenLifetimeSeconds ?? defaultAccessTokenLifetimeSeconds;
  if (!Number.isInteger(tokenLifetimeSeconds) || tokenLifetimeSeconds <= 0) throw new Error('accessTokenLifetimeSeconds must be a positive integer');
  const store = new SandboxStore();
  const faults = new FaultSettings(options.faults);
  let publicUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  const context = (): ProcessorContext => ({ publicUrl });
  const webhooks = new WebhookDispatcher(store, {
    // A fresh key per sandbox: only this process can sign, and only it can verify (like PayPal's private key).
    signingKey: randomBytes(32),
    webhookId: options.webhookId,
    url: options.webhookUrl,
    certUrl: () => `${publicUrl}/sandbox/paypal/certs/webhook-signing`,
    retryDelaysMs: options.webhookRetryDelaysMs ?? defaultWebhookRetryDelaysMs,
    delayMs: () => faults.current.webhookDelayMs,
    duplicate: () => faults.current.webhookDuplicate,
  });
  const processor = new PayPalProcessor(store, webhooks);
  const held = new HeldConnections();

  // Bodies stay raw strings so a syntax error gets PayPal's MALFORMED_REQUEST_JSON rather than Fastify's error.
  const app: FastifyInstance = createSandboxServer();
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    void reply.status(status).send(new PayPalError(status === 413 ? 400 : status).toBody());
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send(new PayPalError(404).toBody());
  });
  app.addHook('onRequest', async (request) => {
    // Until the server knows its own address (in-process use before listen returns), links use the Host header.
    if (publicUrl === '') publicUrl = `${request.protocol}://${request.host}`;
  });

  /** The fault draw every API request gets; answers the request itself when a fault strikes before processing. */
  async function faultsBefore(reply: FastifyReply): Promise<{ timeoutAfter: boolean; failAfter: boolean } | null> {
    const draw = drawFaults(faults.current);
    if (draw.outage) {
      void reply.status(503).send(new PayPalError(503).toBody());
      return null;
    }
    if (draw.latencyMs > 0) await sleep(draw.latencyMs);
    if (draw.failBefore) {
      void reply.status(500).send(new PayPalError(500).toBody());
      return null;
    }
    return { timeoutAfter: draw.timeoutAfter, failAfter: draw.failAfter };
  }

  /** Sends an answer, or applies the faults that strike after processing (never answer; a 500 instead). */
  function finish(request: FastifyRequest, reply: FastifyReply, after: { timeoutAfter: boolean; failAfter: boolean }, answer: Answer) {
    if (after.timeoutAfter) return held.hold(request, reply);
    if (after.failAfter) return reply.status(500).send(new PayPalError(500).toBody());
    if (answer.body === null) return reply.status(answer.status).send();
    return reply.status(answer.status).send(answer.body);
  }

  function authenticated(request: FastifyRequest): boolean {
    const authorization = header(request, 'authorization') ?? '';
    const match = /^Bearer (\S+)$/i.exec(authorization);
    if (!match) return false;
    const expiresAt = store.accessTokens.get(match[1]);
    if (expiresAt === undefined) return false;
    if (expiresAt <= Date.now()) {
      store.accessTokens.delete(match[1]);
      return false;
    }
    return true;
  }

  /**
   * The common path of every REST request: faults, the Bearer token, the JSON body, PayPal-Request-Id, the operation,
   * then the faults that strike after processing. Only successful answers are stored for a PayPal-Request-Id: a
   * refused request did nothing, so the same id may be used again.
   */
  async function handleApi(request: FastifyRequest, reply: FastifyReply, operation: (body: Record<string, unknown>, representation: boolean) => Answer) {
    const after = await faultsBefore(reply);
    if (after === null) return reply;
    if (!authenticated(request)) return reply.status(401).send(new PayPalError(401).toBody());
    let body: Record<string, unknown> = {};
    if (request.method === 'POST') {
      const raw = typeof request.body === 'string' ? request.body.trim() : '';
      if (raw !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          return reply.status(400).send(PayPalError.issue(400, 'MALFORMED_REQUEST_JSON').toBody());
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return reply.status(400).send(PayPalError.issue(400, 'MALFORMED_REQUEST_JSON').toBody());
        body = parsed as Record<string, unknown>;
      }
    }
    const representation = /return=representation/i.test(header(request, 'prefer') ?? '');
    const requestId = request.method === 'POST' ? header(request, 'paypal-request-id') : undefined;
    if (requestId !== undefined && (requestId.length === 0 || requestId.length > requestIdLengthMax)) {
      return reply.status(400).send(PayPalError.issue(400, 'INVALID_PARAMETER_VALUE', { field: 'PayPal-Request-Id', location: 'body' }).toBody());
    }
    const key = requestId !== undefined ? `${request.method} ${request.url.split('?')[0]}\n${requestId}` : undefined;
    const stored = key !== undefined ? store.requestIds.get(key) : undefined;
    let answer: Answer;
    if (stored) {
      answer = { status: stored.status, body: stored.body as Record<string, unknown> | null };
    } else {
      try {
        answer = operation(body, representation);
      } catch (error) {
        if (!(error instanceof PayPalError)) throw error;
        return reply.status(error.status).send(error.toBody());
      }
      if (key !== undefined) store.requestIds.set(key, structuredClone(answer));
    }
    return finish(request, reply, after, answer);
  }

  const idParameter = (request: FastifyRequest): string => {
    const { id } = request.params as { id: string };
    if (id.length > resourceIdLengthMax) throw PayPalError.issue(404, 'INVALID_RESOURCE_ID', { value: id, location: 'path' });
    return id;
  };

  app.post('/v1/oauth2/token', async (request, reply) => {
    const after = await faultsBefore(reply);
    if (after === null) return reply;
    const match = /^Basic (\S+)$/i.exec(header(request, 'authorization') ?? '');
    const [id, ...secretParts] = match ? Buffer.from(match[1], 'base64').toString('utf8').split(':') : [''];
    if (!match || !constantTimeEqual(id, options.clientId) || !constantTimeEqual(secretParts.join(':'), options.clientSecret)) {
      return reply.status(401).send({ error: 'invalid_client', error_description: 'Client Authentication failed' });
    }
    const form = new URLSearchParams(rawBody(request));
    if (form.get('grant_type') !== 'client_credentials') {
      return reply.status(400).send({ error: 'unsupported_grant_type', error_description: 'Grant Type is NULL or not supported' });
    }
    const token = `A21AA${randomBytes(accessTokenBytes).toString('base64url')}`;
    store.accessTokens.set(token, Date.now() + tokenLifetimeSeconds * 1000);
    return finish(request, reply, after, {
      status: 200,
      body: { scope: grantedScopes, access_token: token, token_type: 'Bearer', app_id: `APP-${options.clientId.slice(0, 12).toUpperCase()}`, expires_in: tokenLifetimeSeconds, nonce: `${new Date().toISOString()}${randomBytes(8).toString('hex')}` },
    });
  });

  app.post('/v2/checkout/orders', (request, reply) => handleApi(request, reply, (body, representation) => processor.createOrder(body, context(), representation)));
  app.get('/v2/checkout/orders/:id', (request, reply) => handleApi(request, reply, () => processor.getOrder(idParameter(request), context())));
  app.post('/v2/checkout/orders/:id/capture', (request, reply) => handleApi(request, reply, (_body, representation) => processor.captureOrder(idParameter(request), context(), representation)));
  app.post('/v2/checkout/orders/:id/authorize', (request, reply) => handleApi(request, reply, (_body, representation) => processor.authorizeOrder(idParameter(request), context(), representation)));
  app.get('/v2/payments/authorizations/:id', (request, reply) =>
    handleApi(request, reply, () => ({ status: 200, body: processor.render.authorization(processor.authorization(idParameter(request)), context()) })),
  );
  app.post('/v2/payments/authorizations/:id/capture', (request, reply) => handleApi(request, reply, (body) => processor.captureAuthorization(idParameter(request), body, context())));
  app.post('/v2/payments/authorizations/:id/void', (request, reply) => handleApi(request, reply, (_body, representation) => processor.voidAuthorization(idParameter(request), context(), representation)));
  app.get('/v2/payments/captures/:id', (request, reply) => handleApi(request, reply, () => ({ status: 200, body: processor.render.capture(processor.capture(idParameter(request)), context()) })));
  app.post('/v2/payments/captures/:id/refund', (request, reply) => handleApi(request, reply, (body) => processor.refundCapture(idParameter(request), body, context())));
  app.get('/v2/payments/refunds/:id', (request, reply) => handleApi(request, reply, () => ({ status: 200, body: processor.render.refund(processor.refund(idParameter(request)), context()) })));

  app.post('/v1/notifications/verify-webhook-signature', (request, reply) =>
    handleApi(request, reply, (body) => {
      const fields = ['auth_algo', 'cert_url', 'transmission_id', 'transmission_sig', 'transmission_time', 'webhook_id'] as const;
      for (const field of fields) {
        if (typeof body[field] !== 'string') throw PayPalError.issue(400, 'MISSING_REQUIRED_PARAMETER', { field: `/${field}`, location: 'body' });
      }
      if (typeof body.webhook_event !== 'object' || body.webhook_event === null) throw PayPalError.issue(400, 'MISSING_REQUIRED_PARAMETER', { field: '/webhook_event', location: 'body' });
      return { status: 200, body: { verification_status: webhooks.verify(body as unknown as VerificationRequest) } };
    }),
  );

  // The certificate URL in PAYPAL-CERT-URL. The sandbox signs with a secret HMAC key, so there is no certificate to
  // download: receivers verify through /v1/notifications/verify-webhook-signature.
  app.get('/sandbox/paypal/certs/:name', async (_request, reply) =>
    reply.type('text/plain').send('The Payrail PayPal sandbox signs webhooks with HMAC-SHA256; verify them with POST /v1/notifications/verify-webhook-signature.\n'),
  );

  const unknownOrderPage = '<!doctype html><title>Unknown order</title><p>This checkout is unknown or already finished.</p>';
  app.get('/sandbox/paypal/approve/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const order = store.orders.get(id);
    if (!order || (order.status !== 'CREATED' && order.status !== 'PAYER_ACTION_REQUIRED' && order.status !== 'APPROVED')) {
      return reply.status(404).type('text/html').send(unknownOrderPage);
    }
    const action = `/sandbox/paypal/approve/${encodeURIComponent(id)}`;
    const merchant = order.brandName ? escapeHtml(order.brandName) : 'the merchant';
    return reply.type('text/html').send(`<!doctype html>
<html><head><meta charset="utf-8"><title>Pay with PayPal (Payrail sandbox)</title></head>
<body>
<h1>Pay with PayPal</h1>
<p>Order ${escapeHtml(order.id)} for ${merchant}: ${escapeHtml(order.amount.value)} ${escapeHtml(order.amount.currency_code)} (${order.intent === 'CAPTURE' ? 'pay now' : 'authorize'}).</p>
<p>Logged in as the sandbox buyer buyer@payrail-sandbox.example.</p>
<form method="post" action="${action}"><input type="hidden" name="action" value="approve"><button type="submit" id="approve">Approve</button></form>
<form method="post" action="${action}"><input type="hidden" name="action" value="approve_declined_funding"><button type="submit" id="approve-declined">Approve with a funding source that will be declined</button></form>
<form method="post" action="${action}"><input type="hidden" name="action" value="approve_echeck"><button type="submit" id="approve-echeck">Approve paying by eCheck (the capture stays pending until the bank clears it)</button></form>
<form method="post" action="${action}"><input type="hidden" name="action" value="cancel"><button type="submit" id="cancel">Cancel and return to ${merchant}</button></form>
</body></html>`);
  });

  app.post('/sandbox/paypal/approve/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const action = new URLSearchParams(rawBody(request)).get('action');
    if (!isApprovalDecision(action)) return reply.status(400).type('text/html').send('<!doctype html><title>Bad request</title><p>Unknown action.</p>');
    const outcome = processor.approve(id, action, context());
    if (!outcome) return reply.status(404).type('text/html').send(unknownOrderPage);
    return reply.redirect(outcome.redirect, 302);
  });

  app.get('/sandbox/paypal/approved', async (_request, reply) => reply.type('text/html').send('<!doctype html><title>Approved</title><p>The order was approved; it had no return_url.</p>'));

  const reset = () => {
    store.clear();
    faults.reset();
  };
  registerSandboxAdmin(app, { records: () => store.snapshot(), faults, reset });
  // A PENDING capture (an eCheck) clears or is refused: body {"status": "COMPLETED" | "DECLINED"}.
  app.post('/sandbox/admin/captures/:id/settle', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = parseJsonBody(request) as { status?: unknown } | undefined;
    const status = body?.status;
    if (status !== 'COMPLETED' && status !== 'DECLINED') return reply.status(400).send({ error: 'status must be COMPLETED or DECLINED' });
    if (!store.captures.has(id)) return reply.status(404).send({ error: `no capture ${id}` });
    const capture = processor.settleCapture(id, status, context());
    if (!capture) return reply.status(409).send({ error: `capture ${id} is not PENDING` });
    return capture;
  });
  registerWebhookUrlAdmin(app, (url) => webhooks.setUrl(url));

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
      webhooks.close();
      held.dropAll();
      await app.close();
    },
  };
}

/** Starts the PayPal sandbox on `port` (0 picks a free one); point a client's base URL at `url`. */
export async function startPayPalSandbox(options: PayPalSandboxOptions): Promise<PayPalSandbox> {
  const sandbox = buildPayPalSandbox(options);
  const host = options.host ?? '127.0.0.1';
  const { url, port } = await listenOn(sandbox.app, options.port ?? 0, host);
  sandbox.setPublicUrl(url);
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

function isApprovalDecision(action: string | null): action is ApprovalDecision {
  return (approvalDecisions as readonly (string | null)[]).includes(action);
}
