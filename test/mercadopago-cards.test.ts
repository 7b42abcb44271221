import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { MercadoPagoConfig, Payment } from 'mercadopago';
import { AppConfig } from 'mercadopago/dist/utils/config/index.js';
import Stripe from 'stripe';
import { verifyLedger } from '../src/ledger/verify.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { deleteExpiredSecurityCodes, securityCodeLifetimeSeconds } from '../src/payment-methods/security-codes-repository.ts';
import { startMercadoPagoSandbox, type MercadoPagoSandbox } from '../src/sandbox/mercadopago/server.ts';
import { mercadoPagoSpec } from './helpers/mercadopago-openapi.ts';
import { expectStripeError, stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/*
 * Mercado Pago cards end to end: the stripe SDK against Payrail with a `mercadopago` configuration carrying cards,
 * pointing at the Mercado Pago sandbox through a recording proxy (every exchange checked against Mercado Pago's OpenAPI
 * description). The card's security code is kept encrypted until its first authorization, then deleted in the same
 * statement; a later payment with the same card through Mercado Pago is declined before sending. Installments follow
 * Stripe's payment_method_options[card][installments].
 */

interface Exchange { method: string; path: string; requestBody: unknown; status: number; responseBody: unknown; lost: boolean }

/**
 * A pass-through proxy in front of the sandbox that keeps every exchange. Requests starting as named in `loseAnswers`
 * ("POST /v1/payments") reach Mercado Pago and are processed, but their answer is replaced by a 500: a lost answer.
 */
async function startRecordingProxy(target: string): Promise<{ url: string; exchanges: Exchange[]; loseAnswers: Set<string>; close: () => Promise<void> }> {
  const exchanges: Exchange[] = [];
  const loseAnswers = new Set<string>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'x-idempotency-key', 'accept']) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      void (async () => {
        const answer = await fetch(target + request.url, { method: request.method, headers, body: text === '' ? undefined : text });
        const body = await answer.text();
        const lost = [...loseAnswers].some((prefix) => `${request.method} ${request.url}`.startsWith(prefix));
        exchanges.push({ method: request.method!, path: request.url!, requestBody: text === '' ? undefined : JSON.parse(text), status: answer.status, responseBody: body === '' ? undefined : JSON.parse(body), lost });
        if (lost) {
          response.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"internal_error","status":500}');
          return;
        }
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
      })().catch(() => response.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    exchanges,
    loseAnswers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every string value and key of a JSON value, to prove a secret appears nowhere in it. */
function stringsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, into);
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) { into.push(key); stringsOf(item, into); }
  return into;
}

const visa = '4235647728025682';
/** The SDK's types (newer than 2024-04-10) lack some create parameters Payrail takes (payment_method_types with others). */
const createIntent = (client: Stripe, params: Record<string, unknown>) => client.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);
const expYear = new Date().getUTCFullYear() + 2;
const plan = { count: 3, interval: 'month', type: 'fixed_count' } as const;

describe('Mercado Pago cards through Payrail (stripe SDK, Mercado Pago sandbox)', () => {
  let server: TestServer;
  let stripe: Stripe;
  let sandbox: MercadoPagoSandbox;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let payments: Payment;
  const spec = mercadoPagoSpec();
  const originalBaseUrl = AppConfig.BASE_URL;
  /** Every answer Payrail gave in these tests: the security code must be in none. */
  const answers: unknown[] = [];
  /** Everything the process wrote to the console meanwhile (Payrail's log lines): the code must be in none. */
  const logged: string[] = [];
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = consoleMethods.map((name) => console[name]);

  before(async () => {
    for (const [index, name] of consoleMethods.entries()) {
      console[name] = (...args: unknown[]) => {
        logged.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg) ?? String(arg))).join(' '));
        originals[index].apply(console, args);
      };
    }
    server = await startTestServer();
    stripe = server.account.stripe;
    sandbox = await startMercadoPagoSandbox({ webhookRetryDelaysMs: [50, 100] });
    proxy = await startRecordingProxy(sandbox.url);
    const created = await stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'mercadopago', payment_method_types: ['card'], supported_currencies: ['brl'],
      credentials: { access_token: sandbox.accessToken, webhook_secret: sandbox.webhookSecret }, settings: { base_url: proxy.url },
    });
    assert.deepEqual(created.payment_method_types, ['card']);
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
    Object.assign(AppConfig, { BASE_URL: sandbox.url });
    payments = new Payment(new MercadoPagoConfig({ accessToken: sandbox.accessToken, options: { maxRetries: 0 } }));
  });
  after(async () => {
    for (const [index, name] of consoleMethods.entries()) console[name] = originals[index];
    Object.assign(AppConfig, { BASE_URL: originalBaseUrl });
    await proxy?.close();
    await sandbox?.close();
    await server?.close();
  });
  afterEach(async () => {
    await sandbox.webhooksIdle();
    for (const exchange of proxy.exchanges.splice(0)) {
      if (exchange.status >= 500) continue;
      // Mercado Pago's own answers are checked, also those the proxy then replaced by a 500.
      spec.assertExchange(exchange.method, exchange.path.split('?')[0], exchange.requestBody, exchange.status, exchange.responseBody);
    }
  });

  async function card(holder: string, cvc: string): Promise<Stripe.PaymentMethod> {
    const method = await stripe.paymentMethods.create({ type: 'card', card: { number: visa, exp_month: 12, exp_year: expYear, cvc }, billing_details: { name: holder, email: 'maria@example.com' } });
    answers.push(method);
    return method;
  }

  async function codesOf(paymentMethodId: string): Promise<number> {
    const rows = await server.db.query<{ count: string }>('SELECT count(*) FROM payment_method_security_codes WHERE payment_method_id = $1', [paymentMethodId]);
    return Number(rows.rows[0].count);
  }

  it('approved in 3 installments: the token carries the CVC, the payment the plan; the CVC is deleted with the outcome and shown nowhere', async () => {
    const method = await card('APRO Maria Silva', '739');
    assert.equal(await codesOf(method.id), 1, 'the security code is kept until the first authorization');
    const sealed = await server.db.query<{ security_code_encrypted: Buffer }>('SELECT security_code_encrypted FROM payment_method_security_codes WHERE payment_method_id = $1', [method.id]);
    assert.ok(!sealed.rows[0].security_code_encrypted.toString('latin1').includes('739'), 'the code is stored encrypted');
    const intent = await createIntent(stripe, { amount: 30000, currency: 'brl', payment_method_types: ['card'], payment_method: method.id, payment_method_options: { card: { installments: { enabled: true } } } });
    answers.push(intent);
    assert.deepEqual(intent.payment_method_options?.card?.installments, { enabled: true, available_plans: null, plan: null });
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { payment_method_options: { card: { installments: { plan } } }, expand: ['latest_charge'] });
    answers.push(confirmed);
    assert.equal(confirmed.status, 'succeeded');
    assert.deepEqual(confirmed.payment_method_options?.card?.installments?.plan, plan);
    assert.equal(confirmed.payment_method_options?.card?.installments?.enabled, true);
    const charge = confirmed.latest_charge as Stripe.Charge;
    assert.deepEqual(charge.payment_method_details?.card?.installments, { plan });
    assert.equal((charge as Stripe.Charge & { payrail_routing?: { connector: string } }).payrail_routing?.connector, 'mercadopago');

    const token = proxy.exchanges.find((exchange) => exchange.method === 'POST' && exchange.path === '/v1/card_tokens');
    assert.ok(token, 'a card token was created');
    assert.equal((token.requestBody as Record<string, unknown>).security_code, '739');
    const created = proxy.exchanges.find((exchange) => exchange.method === 'POST' && exchange.path === '/v1/payments');
    const request = created?.requestBody as Record<string, unknown>;
    assert.equal(request.installments, 3);
    assert.equal(request.payment_method_id, 'visa');
    assert.equal(request.token, (token.responseBody as { id: string }).id);
    assert.equal(request.transaction_amount, 300);
    assert.equal(charge.payment_intent, intent.id);
    const atMercadoPago = await payments.get({ id: (created?.responseBody as { id: number }).id });
    assert.equal(atMercadoPago.status, 'approved');
    assert.equal(atMercadoPago.installments, 3);

    assert.equal(await codesOf(method.id), 0, 'the first authorization deleted the security code');
    const events = await server.db.query<{ data: unknown }>('SELECT data FROM events WHERE account_id = $1', [server.account.accountId]);
    assert.ok(events.rows.length > 0);
    for (const row of events.rows) assert.ok(!stringsOf(row.data).some((text) => text === '739' || /^(cvc|security_code)$/.test(text)), 'no event carries the code');
    for (const answer of answers) assert.ok(!stringsOf(answer).some((text) => text === '739' || /^(cvc|security_code)$/.test(text)), 'no answer carries the code');
    const attempts = await server.db.query<{ row: unknown }>('SELECT row_to_json(a) AS row FROM payment_attempts a WHERE account_id = $1', [server.account.accountId]);
    assert.ok(attempts.rows.length > 0);
    for (const row of attempts.rows) assert.ok(!stringsOf(row.row).some((text) => text === '739' || /\b739\b/.test(text)), 'no attempt record carries the code');
    assert.ok(!logged.some((line) => /\b739\b/.test(line)), 'no log line carries the code');
    assert.deepEqual((await verifyLedger(server.db)).problems, []);
  });

  it('a second payment with the same card through Mercado Pago is declined before sending (the CVC is gone): incorrect_cvc', async () => {
    const method = await card('APRO Maria Silva', '421');
    const first = await createIntent(stripe, { amount: 1500, currency: 'brl', payment_method_types: ['card'], payment_method: method.id, confirm: true });
    assert.equal(first.status, 'succeeded');
    proxy.exchanges.splice(0);
    const error = await stripeErrorOf(createIntent(stripe, { amount: 1500, currency: 'brl', payment_method_types: ['card'], payment_method: method.id, confirm: true }));
    assert.ok(error instanceof Stripe.errors.StripeCardError);
    assert.equal(error.code, 'incorrect_cvc');
    assert.equal(error.decline_code, 'incorrect_cvc');
    assert.match(error.message, /security code/);
    assert.equal(proxy.exchanges.filter((exchange) => exchange.method === 'POST').length, 0, 'nothing was sent to Mercado Pago');
  });

  it('rejected for insufficient funds (cc_rejected_insufficient_amount): Stripe decline code insufficient_funds; the CVC is deleted too', async () => {
    const method = await card('FUND Maria', '512');
    const error = await stripeErrorOf(createIntent(stripe, { amount: 2000, currency: 'brl', payment_method_types: ['card'], payment_method: method.id, confirm: true }));
    assert.ok(error instanceof Stripe.errors.StripeCardError);
    assert.equal(error.code, 'card_declined');
    assert.equal(error.decline_code, 'insufficient_funds');
    const intent = error.payment_intent as Stripe.PaymentIntent;
    assert.equal(intent.status, 'requires_payment_method');
    const created = proxy.exchanges.find((exchange) => exchange.method === 'POST' && exchange.path === '/v1/payments');
    assert.equal((created?.responseBody as { status_detail: string }).status_detail, 'cc_rejected_insufficient_amount');
    assert.equal(await codesOf(method.id), 0);
  });

  it('in_process (CONT, pending review) is processing; the issuer clears it and the signed webhook makes it succeeded', async () => {
    const method = await card('CONT Maria', '246');
    const intent = await createIntent(stripe, { amount: 2500, currency: 'brl', payment_method_types: ['card'], payment_method: method.id, confirm: true });
    assert.equal(intent.status, 'processing');
    assert.equal(await codesOf(method.id), 0, 'Mercado Pago took the card: the code has served');
    const created = proxy.exchanges.find((exchange) => exchange.method === 'POST' && exchange.path === '/v1/payments');
    const paymentId = (created?.responseBody as { id: number }).id;
    const cleared = await fetch(`${sandbox.url}/sandbox/admin/payments/${paymentId}/pay`, { method: 'POST' });
    assert.equal(cleared.status < 300, true);
    const deadline = Date.now() + 20_000;
    while ((await stripe.paymentIntents.retrieve(intent.id)).status !== 'succeeded') {
      if (Date.now() > deadline) assert.fail('the webhook did not settle the card payment');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('answers lost after Mercado Pago made the card payment: processing; the janitor finds it by external_reference (even with the CVC swept meanwhile), no second payment', async () => {
    const method = await card('APRO Maria', '975');
    const before = sandbox.records().payments.length;
    // Payrail's inline sync searches for the payment, and the webhook's fetch reads it: their answers are lost too (the
    // webhook is refused until the sandbox gives up), so the attempt is left to the janitor.
    proxy.loseAnswers.add('POST /v1/payments').add('GET /v1/payments/');
    const intent = await createIntent(stripe, { amount: 4100, currency: 'brl', payment_method_types: ['card'], payment_method: method.id, confirm: true });
    await sandbox.webhooksIdle();
    proxy.loseAnswers.clear();
    assert.equal(intent.status, 'processing', 'the outcome is unknown: the intent waits for the janitor');
    assert.ok(proxy.exchanges.filter((exchange) => exchange.lost && exchange.method === 'POST' && exchange.path === '/v1/payments').length >= 1, 'the creation\'s answers were lost');
    assert.equal(sandbox.records().payments.length, before + 1, 'Mercado Pago made one payment (the retries replayed its key)');
    // The hour passes: the sweep deletes the code. The janitor must still find the payment rather than decline.
    assert.ok(await deleteExpiredSecurityCodes(server.db, method.created + securityCodeLifetimeSeconds + 1) >= 1);
    const tokensBefore = proxy.exchanges.filter((exchange) => exchange.path === '/v1/card_tokens').length;
    await resolveStuckAttempts(server.deps, 0);
    const resolved = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(resolved.status, 'succeeded');
    assert.equal(sandbox.records().payments.length, before + 1, 'no second payment');
    assert.equal(proxy.exchanges.filter((exchange) => exchange.path === '/v1/card_tokens').length, tokensBefore, 'no new card token');
    assert.ok(proxy.exchanges.some((exchange) => exchange.method === 'GET' && exchange.path.startsWith('/v1/payments/search?external_reference=') && exchange.status === 200));
  });

  it('manual capture: capture:false authorizes at Mercado Pago, capture approves it, then a partial refund', async () => {
    const method = await card('APRO Maria', '333');
    const intent = await createIntent(stripe, { amount: 5000, currency: 'brl', payment_method_types: ['card'], payment_method: method.id, capture_method: 'manual', confirm: true });
    assert.equal(intent.status, 'requires_capture');
    const created = proxy.exchanges.find((exchange) => exchange.method === 'POST' && exchange.path === '/v1/payments');
    assert.equal((created?.requestBody as { capture: boolean }).capture, false);
    const paymentId = (created?.responseBody as { id: number }).id;
    assert.equal((await payments.get({ id: paymentId })).status, 'authorized');
    const captured = await stripe.paymentIntents.capture(intent.id);
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.amount_received, 5000);
    const atMercadoPago = await payments.get({ id: paymentId });
    assert.equal(atMercadoPago.status, 'approved');
    assert.equal(atMercadoPago.captured, true);
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1200 });
    assert.equal(refund.status, 'succeeded');
    const refunded = await payments.get({ id: paymentId });
    assert.equal(refunded.transaction_amount_refunded, 12);
    assert.equal(refunded.status_detail, 'partially_refunded');
    assert.deepEqual((await verifyLedger(server.db)).problems, []);
  });

  it('installments validation: currency, plan outside confirmation, plan without enabled, count out of range', async () => {
    await expectStripeError(createIntent(stripe, { amount: 1000, currency: 'usd', payment_method_options: { card: { installments: { enabled: true } } } }), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_invalid_parameter', param: 'payment_method_options[card][installments][enabled]', statusCode: 400,
    });
    await expectStripeError(createIntent(stripe, { amount: 1000, currency: 'brl', payment_method_options: { card: { installments: { enabled: true, plan } } } }), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_invalid_parameter', param: 'payment_method_options[card][installments][plan]', statusCode: 400,
    });
    const method = await card('APRO Maria', '123');
    const plain = await createIntent(stripe, { amount: 1000, currency: 'brl', payment_method_types: ['card'], payment_method: method.id });
    await expectStripeError(stripe.paymentIntents.confirm(plain.id, { payment_method_options: { card: { installments: { plan } } } }), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_invalid_parameter', param: 'payment_method_options[card][installments][plan]', statusCode: 400,
    });
    const enabled = await createIntent(stripe, { amount: 1000, currency: 'brl', payment_method_types: ['card'], payment_method: method.id, payment_method_options: { card: { installments: { enabled: true } } } });
    await expectStripeError(stripe.paymentIntents.confirm(enabled.id, { payment_method_options: { card: { installments: { plan: { ...plan, count: 13 } } } } }), {
      class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_invalid_parameter', param: 'payment_method_options[card][installments][plan][count]', statusCode: 400,
    });
    await expectStripeError(stripe.paymentIntents.confirm(enabled.id, { payment_method_options: { card: { installments: { plan: { ...plan, interval: 'week' as 'month' } } } } }), {
      class: Stripe.errors.StripeInvalidRequestError, param: 'payment_method_options[card][installments][plan][interval]', statusCode: 400,
    });
    // Nothing was sent to Mercado Pago for a refused confirmation, and the intent still waits.
    assert.equal((await stripe.paymentIntents.retrieve(enabled.id)).status, 'requires_confirmation');
  });

  it('the built-in test processor takes plans in MXN as Stripe test mode does; unused security codes are deleted after an hour', async () => {
    const other = await server.createAccount('installments-mx');
    const intent = await createIntent(other.stripe, {
      amount: 300000, currency: 'mxn', payment_method_types: ['card'], payment_method: 'pm_card_visa', confirm: true,
      payment_method_options: { card: { installments: { enabled: true, plan: { count: 6, interval: 'month', type: 'fixed_count' } } } }, expand: ['latest_charge'],
    });
    assert.equal(intent.status, 'succeeded');
    assert.deepEqual((intent.latest_charge as Stripe.Charge).payment_method_details?.card?.installments?.plan, { count: 6, interval: 'month', type: 'fixed_count' });
    const method = await card('APRO Maria', '808');
    assert.equal(await codesOf(method.id), 1);
    assert.equal(await deleteExpiredSecurityCodes(server.db, Math.floor(Date.now() / 1000)), 0, 'a fresh code is kept');
    assert.ok(await deleteExpiredSecurityCodes(server.db, method.created + securityCodeLifetimeSeconds + 1) >= 1);
    assert.equal(await codesOf(method.id), 0);
  });
});
