import { randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultSettings, registerSandboxAdmin, registerWebhookUrlAdmin, type SandboxHandle } from '../shared/admin.ts';
import { drawFaults, type Faults } from '../shared/faults.ts';
import { createSandboxServer, HeldConnections, listenOn, rawBody } from '../shared/http.ts';
import { causes, internalError, MercadoPagoError, unavailable } from './errors.ts';
import { decimalAmount } from './render.ts';
import { isObject, type Answer } from './answer.ts';
import { MercadoPagoProcessor, type ProcessorContext } from './processor.ts';
import { idempotencyKeysKeptMax, SandboxStore, setBounded, type SandboxRecords } from './store.ts';
import { defaultWebhookRetryDelaysMs, WebhookDispatcher } from './webhooks.ts';

/**
 * The Mercado Pago sandbox: a separate HTTP server speaking the Payments API (as on api.mercadopago.com) for Brazil:
 * Pix, boleto (Bradesco) and cards, with a ticket page where the payer pays a Pix or boleto, webhooks signed with
 * `x-signature`, and fault injection. Run it with `npx payrail sandbox mercadopago --port N` or in-process with
 * `startMercadoPagoSandbox()`. Point the official `mercadopago` SDK at it by setting its base URL (see the tests).
 *
 * API paths (`Authorization: Bearer <access token>`; X-Idempotency-Key honoured on POST and PUT):
 *   POST /v1/card_tokens                          card data -> a single-use token (also with ?public_key=)
 *   POST /v1/payments                             -> 201 payment
 *   GET  /v1/payments/search                      filters, sort, criteria, limit, offset
 *   GET  /v1/payments/{id}
 *   PUT  /v1/payments/{id}                        {capture, transaction_amount} | {status: "cancelled"} | {date_of_expiration}
 *   POST /v1/payments/{id}/refunds                {amount?} -> 201 refund
 *   GET  /v1/payments/{id}/refunds, GET /v1/payments/{id}/refunds/{refund_id}
 * Payer pages: GET /sandbox/mercadopago/payments/{id}/ticket (the Pix QR code or the boleto, with a Pay button).
 * Admin (no token; the CLI binds to 127.0.0.1): GET /sandbox/admin/records, GET|POST /sandbox/admin/faults,
 *   POST /sandbox/admin/webhook {url} (null clears it), POST /sandbox/admin/payments/{id}/pay | expire,
 *   POST /sandbox/admin/reset.
 * Faults (../shared/faults.ts, shared with the other sandboxes) apply to every API path.
 */

export interface MercadoPagoSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The access token it accepts (`TEST-...` as Mercado Pago's test credentials); one is made when absent. */
  accessToken?: string;
  /** The public key MercadoPago.js would use for card tokens (`TEST-<uuid>`); one is made when absent. */
  publicKey?: string;
  /** The application's webhook secret signature (the HMAC key of x-signature); one is made when absent. */
  webhookSecret?: string;
  /** The application's notification URL, for payments without a notification_url. */
  webhookUrl?: string;
  webhookRetryDelaysMs?: number[];
  /** The address payers and clients reach the sandbox at (ticket pages); defaults to the listening address. */
  publicUrl?: string;
  faults?: Partial<Faults>;
}

export interface MercadoPagoSandbox extends SandboxHandle<SandboxRecords> {
  accessToken: string;
  publicKey: string;
  webhookSecret: string;
  setWebhookUrl(url: string | undefined): void;
  /** Pays a pending Pix or boleto (or clears a card payment in process); false when there is nothing to pay. */
  pay(paymentId: number): boolean;
  /** Expires a pending Pix or boleto now, as if its date had passed. */
  expire(paymentId: number): boolean;
}

/** `X-Idempotency-Key` is a UUID in Mercado Pago's examples; the sandbox takes any key up to this length. */
export const idempotencyKeyLengthMax = 256;
/** How often pending Pix and boletos are checked for expiry. */
const expirySweepIntervalMs = 1_000;

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

/** A test access token shaped like Mercado Pago's: TEST-<app id>-<MMddHH>-<32 hex>-<user id>. */
function newAccessToken(collectorId: number): string {
  return `TEST-${randomInt(1_000_000_000, 9_999_999_999)}${randomInt(100_000, 999_999)}-${randomInt(100_000, 999_999)}-${randomBytes(16).toString('hex')}-${collectorId}`;
}

/** Builds the Fastify app and its state without listening, so `startMercadoPagoSandbox` and the CLI share it. */
export function buildMercadoPagoSandbox(options: MercadoPagoSandboxOptions = {}) {
  const collectorId = randomInt(100_000_000, 2_000_000_000);
  const accessToken = options.accessToken ?? newAccessToken(collectorId);
  const publicKey = options.publicKey ?? `TEST-${randomUUID()}`;
  const webhookSecret = options.webhookSecret ?? randomBytes(32).toString('hex');
  if (!/^(TEST|APP_USR)-\S+$/.test(accessToken)) throw new Error('accessToken must start with TEST- or APP_USR- as Mercado Pago access tokens do');
  if (webhookSecret.length === 0) throw new Error('webhookSecret must not be empty');
  const store = new SandboxStore();
  const faults = new FaultSettings(options.faults);
  let publicUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  const pixKey = randomUUID();
  const context = (): ProcessorContext => ({ publicUrl, collectorId, merchantName: 'Payrail Sandbox', merchantCity: 'SAO PAULO', pixKey });
  const webhooks = new WebhookDispatcher(store, {
    secret: webhookSecret,
    url: options.webhookUrl,
    userId: collectorId,
    retryDelaysMs: options.webhookRetryDelaysMs ?? defaultWebhookRetryDelaysMs,
    delayMs: () => faults.current.webhookDelayMs,
    duplicate: () => faults.current.webhookDuplicate,
  });
  const processor = new MercadoPagoProcessor(store, webhooks);
  const held = new HeldConnections();
  const sweep = setInterval(() => processor.expireDue(), expirySweepIntervalMs);
  sweep.unref();

  // Bodies stay raw strings so a syntax error gets Mercado Pago's error shape rather than Fastify's.
  const app: FastifyInstance = createSandboxServer();
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? 400 : 500;
    void reply.status(status).send((status === 400 ? MercadoPagoError.badRequest(causes.paramsError) : internalError()).toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(new MercadoPagoError(404, `resource not found: ${request.method} ${request.url.split('?')[0]}`).toBody());
  });
  app.addHook('onRequest', async (request) => {
    // Until the server knows its own address (in-process use before listen returns), links use the Host header.
    if (publicUrl === '') publicUrl = `${request.protocol}://${request.host}`;
  });

  /** The fault draw every API request gets; answers the request itself when a fault strikes before processing. */
  async function faultsBefore(reply: FastifyReply): Promise<{ timeoutAfter: boolean; failAfter: boolean } | null> {
    const draw = drawFaults(faults.current);
    if (draw.outage) {
      void reply.status(503).send(unavailable().toBody());
      return null;
    }
    if (draw.latencyMs > 0) await sleep(draw.latencyMs);
    if (draw.failBefore) {
      void reply.status(500).send(internalError().toBody());
      return null;
    }
    return { timeoutAfter: draw.timeoutAfter, failAfter: draw.failAfter };
  }

  /** Sends an answer, or applies the faults that strike after processing (never answer; a 500 instead). */
  function finish(request: FastifyRequest, reply: FastifyReply, after: { timeoutAfter: boolean; failAfter: boolean }, answer: Answer) {
    if (after.timeoutAfter) return held.hold(request, reply);
    if (after.failAfter) return reply.status(500).send(internalError().toBody());
    return reply.status(answer.status).send(answer.body);
  }

  function authenticated(request: FastifyRequest, allowPublicKey: boolean): MercadoPagoError | null {
    const authorization = header(request, 'authorization');
    const match = authorization === undefined ? null : /^Bearer (\S+)$/i.exec(authorization);
    if (match && constantTimeEqual(match[1], accessToken)) return null;
    const query = request.query as Record<string, string | undefined>;
    if (allowPublicKey && typeof query.public_key === 'string' && constantTimeEqual(query.public_key, publicKey)) return null;
    if (authorization === undefined && !(allowPublicKey && query.public_key !== undefined)) return MercadoPagoError.badRequest(causes.missingAccessToken);
    return new MercadoPagoError(401, 'invalid access token', []);
  }

  /**
   * The common path of every API request: faults, the token, the JSON body, X-Idempotency-Key, the operation, then
   * the faults that strike after processing. Only answers below 400 are stored for a key: a refused request changed
   * nothing, so the same key may be used again.
   */
  async function handleApi(
    request: FastifyRequest,
    reply: FastifyReply,
    operation: (body: Record<string, unknown>) => Answer | Promise<Answer>,
    allowPublicKey = false,
  ) {
    const after = await faultsBefore(reply);
    if (after === null) return reply;
    const refused = authenticated(request, allowPublicKey);
    if (refused) return reply.status(refused.status).send(refused.toBody());
    processor.expireDue();
    let body: Record<string, unknown> = {};
    if (request.method === 'POST' || request.method === 'PUT') {
      const raw = rawBody(request).trim();
      if (raw !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          return reply.status(400).send(MercadoPagoError.badRequest(causes.paramsError, 'JSON parse error: the body is not valid JSON').toBody());
        }
        if (!isObject(parsed)) return reply.status(400).send(MercadoPagoError.badRequest(causes.paramsError, 'the body must be a JSON object').toBody());
        body = parsed;
      }
    }
    const key = request.method === 'GET' ? undefined : header(request, 'x-idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > idempotencyKeyLengthMax)) {
      return reply.status(400).send(MercadoPagoError.badRequest(causes.paramsError, `X-Idempotency-Key must be 1 to ${idempotencyKeyLengthMax} characters`).toBody());
    }
    const storeKey = key !== undefined ? `${request.method} ${request.url.split('?')[0]}\n${key}` : undefined;
    const stored = storeKey !== undefined ? store.idempotencyKeys.get(storeKey) : undefined;
    let answer: Answer;
    if (stored) {
      answer = structuredClone(stored);
    } else {
      try {
        answer = await operation(body);
      } catch (error) {
        if (!(error instanceof MercadoPagoError)) throw error;
        return reply.status(error.status).send(error.toBody());
      }
      if (storeKey !== undefined && answer.status < 400) setBounded(store.idempotencyKeys, storeKey, structuredClone(answer), idempotencyKeysKeptMax);
    }
    return finish(request, reply, after, answer);
  }

  const params = (request: FastifyRequest) => request.params as { id: string; refundId: string };
  const query = (request: FastifyRequest) => request.query as Record<string, string | undefined>;

  app.post('/v1/card_tokens', (request, reply) => handleApi(request, reply, (body) => processor.createCardToken(body), true));
  app.post('/v1/payments', (request, reply) => handleApi(request, reply, (body) => processor.createPayment(body, context())));
  app.get('/v1/payments/search', (request, reply) => handleApi(request, reply, () => processor.searchPayments(query(request), context())));
  app.get('/v1/payments/:id', (request, reply) => handleApi(request, reply, () => processor.getPayment(params(request).id, context())));
  app.put('/v1/payments/:id', (request, reply) => handleApi(request, reply, (body) => processor.updatePayment(params(request).id, body, context())));
  app.post('/v1/payments/:id/refunds', (request, reply) => handleApi(request, reply, (body) => processor.createRefund(params(request).id, body, context())));
  // The official SDK lists refunds with a trailing slash.
  for (const path of ['/v1/payments/:id/refunds', '/v1/payments/:id/refunds/']) {
    app.get(path, (request, reply) => handleApi(request, reply, () => processor.listRefunds(params(request).id, context())));
  }
  app.get('/v1/payments/:id/refunds/:refundId', (request, reply) => handleApi(request, reply, () => processor.getRefund(params(request).id, params(request).refundId, context())));

  // --- The payer's ticket page: the Pix QR code and "copia e cola", or the boleto's line, with a Pay button. -------

  const unknownTicketPage = '<!doctype html><title>Unknown payment</title><p>This payment is unknown.</p>';
  app.get('/sandbox/mercadopago/payments/:id/ticket', async (request, reply) => {
    const payment = store.payments.get(Number(params(request).id));
    if (!payment || payment.kind === 'card') return reply.status(404).type('text/html').send(unknownTicketPage);
    processor.expireDue();
    const amount = decimalAmount(payment.amountMinor).toFixed(2).replace('.', ',');
    const payable = payment.status === 'pending';
    const instrument = payment.pix
      ? `<h2>Pix</h2><img alt="Pix QR code" src="data:image/png;base64,${payment.pix.qrCodeBase64}" width="256" height="256">
<p><label for="copia-e-cola">Pix copia e cola</label><br><textarea id="copia-e-cola" readonly rows="4" cols="60">${escapeHtml(payment.pix.qrCode)}</textarea></p>`
      : `<h2>Boleto Bradesco</h2><p>Linha digitável: <output aria-label="Linha digitável">${escapeHtml(payment.boleto!.digitableLine)}</output></p>
<p>Código de barras: <output aria-label="Código de barras">${escapeHtml(payment.boleto!.barcode)}</output></p>`;
    return reply.type('text/html').send(`<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><title>Mercado Pago payment ${payment.id} (Payrail sandbox)</title></head>
<body>
<h1>Pagamento ${payment.id}: R$ ${amount}</h1>
<p>Status: <output aria-label="Status">${escapeHtml(payment.status)} (${escapeHtml(payment.statusDetail)})</output></p>
${payment.dateOfExpiration ? `<p>Vencimento: ${escapeHtml(payment.dateOfExpiration)}</p>` : ''}
${instrument}
${payable ? `<form method="post" action="/sandbox/mercadopago/payments/${payment.id}/pay"><button type="submit">Pay (sandbox)</button></form>` : ''}
</body></html>`);
  });

  app.post('/sandbox/mercadopago/payments/:id/pay', async (request, reply) => {
    const payment = store.payments.get(Number(params(request).id));
    if (!payment || payment.kind === 'card') return reply.status(404).type('text/html').send(unknownTicketPage);
    processor.expireDue();
    processor.pay(payment);
    return reply.redirect(`/sandbox/mercadopago/payments/${payment.id}/ticket`, 303);
  });

  // --- Admin ---------------------------------------------------------------------------------------------------

  const reset = () => {
    store.clear();
    faults.reset();
  };
  registerSandboxAdmin(app, { records: () => store.snapshot(), faults, reset });
  const pay = (id: number): boolean => {
    const payment = store.payments.get(id);
    return payment !== undefined && processor.pay(payment) !== null;
  };
  const expire = (id: number): boolean => {
    const payment = store.payments.get(id);
    return payment !== undefined && processor.expire(payment, Date.now(), true);
  };
  for (const [action, run] of [
    ['pay', pay],
    ['expire', expire],
  ] as const) {
    app.post(`/sandbox/admin/payments/:id/${action}`, async (request, reply) => {
      const id = Number(params(request).id);
      if (!store.payments.has(id)) return reply.status(404).send({ error: `no payment ${params(request).id}` });
      if (!run(id)) return reply.status(409).send({ error: `payment ${id} is not pending` });
      return processor.render.payment(store.payments.get(id)!, context());
    });
  }
  registerWebhookUrlAdmin(app, (url) => webhooks.setUrl(url));

  return {
    app,
    store,
    webhooks,
    accessToken,
    publicKey,
    webhookSecret,
    setPublicUrl(url: string) {
      if (options.publicUrl === undefined) publicUrl = url;
    },
    setFaults: (update: Partial<Faults>): Faults => faults.set(update),
    pay,
    expire,
    reset,
    async close() {
      clearInterval(sweep);
      webhooks.close();
      held.dropAll();
      await app.close();
    },
  };
}

/** Starts the Mercado Pago sandbox on `port` (0 picks a free one); point a client's base URL at `url`. */
export async function startMercadoPagoSandbox(options: MercadoPagoSandboxOptions = {}): Promise<MercadoPagoSandbox> {
  const sandbox = buildMercadoPagoSandbox(options);
  const host = options.host ?? '127.0.0.1';
  const { url, port } = await listenOn(sandbox.app, options.port ?? 0, host);
  sandbox.setPublicUrl(url);
  return {
    url,
    port,
    accessToken: sandbox.accessToken,
    publicKey: sandbox.publicKey,
    webhookSecret: sandbox.webhookSecret,
    records: () => sandbox.store.snapshot(),
    setFaults: (update) => sandbox.setFaults(update),
    setWebhookUrl: (webhookUrl) => sandbox.webhooks.setUrl(webhookUrl),
    pay: (id) => sandbox.pay(id),
    expire: (id) => sandbox.expire(id),
    webhooksIdle: () => sandbox.webhooks.idle(),
    reset: () => sandbox.reset(),
    close: () => sandbox.close(),
  };
}
