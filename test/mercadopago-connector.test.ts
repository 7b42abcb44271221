import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { MercadoPagoConfig, Payment } from 'mercadopago';
import { AppConfig } from 'mercadopago/dist/utils/config/index.js';
import Stripe from 'stripe';
import { verifyLedger } from '../src/ledger/verify.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { expireDisplayedPayments } from '../src/payments/display-expiry.ts';
import { secondsPerDay } from '../src/platform/clock.ts';
import { startMercadoPagoSandbox, type MercadoPagoSandbox } from '../src/sandbox/mercadopago/server.ts';
import { mercadoPagoSpec } from './helpers/mercadopago-openapi.ts';
import { expectStripeError, stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/*
 * Mercado Pago end to end: the stripe SDK against Payrail with a `mercadopago` connector configuration pointing at the
 * Mercado Pago sandbox through a recording proxy, so every request Payrail sends (and the answer it gets) is checked
 * against Mercado Pago's OpenAPI description and its X-Idempotency-Key can be seen. The payer pays the Pix or boleto on
 * the sandbox's ticket page (or the sandbox expires it); the sandbox's signed webhook (x-signature) reaches Payrail's
 * provider webhook route, which verifies it and fetches the payment. The official `mercadopago` SDK reads the
 * sandbox's payments back.
 */

interface Exchange {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
}

/** A pass-through HTTP proxy in front of the sandbox that keeps every exchange. */
async function startRecordingProxy(target: string): Promise<{ url: string; exchanges: Exchange[]; close: () => Promise<void> }> {
  const exchanges: Exchange[] = [];
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
        exchanges.push({
          method: request.method!, path: request.url!, idempotencyKey: headers['x-idempotency-key'],
          requestBody: text === '' ? undefined : JSON.parse(text), status: answer.status, responseBody: body === '' ? undefined : JSON.parse(body),
        });
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
      })().catch(() => response.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until `check` holds (bounded; the machine is shared, so generously). */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const brazilian = {
  name: 'Maria Silva', email: 'maria@example.com',
  address: { line1: 'Av. Paulista, 1000', line2: 'Bela Vista', city: 'São Paulo', state: 'SP', postal_code: '01310-100', country: 'BR' },
};

describe('Mercado Pago connector through Payrail (stripe SDK, Mercado Pago sandbox)', () => {
  let server: TestServer;
  let stripe: Stripe;
  let sandbox: MercadoPagoSandbox;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let configurationId: string;
  let payments: Payment;
  const spec = mercadoPagoSpec();
  const originalBaseUrl = AppConfig.BASE_URL;

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    sandbox = await startMercadoPagoSandbox({ webhookRetryDelaysMs: [50, 100] });
    proxy = await startRecordingProxy(sandbox.url);
    const created = await stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'mercadopago', credentials: { access_token: sandbox.accessToken, webhook_secret: sandbox.webhookSecret }, settings: { base_url: proxy.url },
    });
    configurationId = created.id as string;
    assert.deepEqual(created.payment_method_types, ['pix', 'boleto']);
    assert.notEqual((created.credentials as Record<string, string>).access_token, sandbox.accessToken, 'the access token is write-only');
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
    // The official SDK reads the sandbox's payments (its base URL is a static property: see the sandbox's own tests).
    Object.assign(AppConfig, { BASE_URL: sandbox.url });
    payments = new Payment(new MercadoPagoConfig({ accessToken: sandbox.accessToken, options: { maxRetries: 0 } }));
  });
  after(async () => {
    Object.assign(AppConfig, { BASE_URL: originalBaseUrl });
    await proxy?.close();
    await sandbox?.close();
    await server?.close();
  });
  afterEach(async () => {
    sandbox.setFaults({ status5xxRate: 0, webhookDuplicate: false });
    await sandbox.webhooksIdle();
    // Every exchange Payrail had with Mercado Pago matches Mercado Pago's published API.
    for (const exchange of proxy.exchanges.splice(0)) {
      const path = exchange.path.split('?')[0];
      if (exchange.status >= 500) continue;
      spec.assertExchange(exchange.method, path, exchange.requestBody, exchange.status, exchange.responseBody);
    }
  });

  const createIntent = (params: Record<string, unknown>) => stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams);

  /** The Mercado Pago payment an intent's attempt created (its charge's processor reference is the payment id). */
  function paymentOf(reference: string) {
    const payment = sandbox.records().payments.find((record) => String(record.id) === reference);
    assert.ok(payment, `Mercado Pago has payment ${reference}`);
    return payment;
  }

  /** The Mercado Pago payment id of an intent's attempt: the payment whose external_reference is the attempt id. */
  async function paymentIdOf(intentId: string): Promise<string> {
    const intent = await stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] });
    const routing = (intent.latest_charge as Stripe.Charge & { payrail_routing?: { connector: string; attempt: string } }).payrail_routing;
    assert.equal(routing?.connector, 'mercadopago');
    const payment = sandbox.records().payments.find((record) => record.externalReference === routing?.attempt);
    assert.ok(payment, `Mercado Pago has the payment of attempt ${routing?.attempt}`);
    return String(payment.id);
  }

  async function pix(amount: number, options: Record<string, unknown> = {}): Promise<Stripe.PaymentIntent> {
    return createIntent({
      amount, currency: 'brl', payment_method_types: ['pix'], confirm: true, payment_method_options: { pix: options },
      payment_method_data: { type: 'pix', billing_details: { name: brazilian.name, email: brazilian.email } },
    });
  }

  async function boleto(amount: number, options: Record<string, unknown> = {}): Promise<Stripe.PaymentIntent> {
    return createIntent({
      amount, currency: 'brl', payment_method_types: ['boleto'], confirm: true, payment_method_options: { boleto: options },
      payment_method_data: { type: 'boleto', boleto: { tax_id: '529.982.247-25' }, billing_details: brazilian },
    });
  }

  /** The payer pays on the sandbox's ticket page (the form's POST), as a browser would. */
  async function payOnTicketPage(ticketUrl: string): Promise<void> {
    const page = await fetch(ticketUrl);
    const html = await page.text();
    assert.match(html, /Pay \(sandbox\)/);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action);
    const paid = await fetch(new URL(action, ticketUrl), { method: 'POST', redirect: 'manual' });
    assert.equal(paid.status, 303);
  }

  async function statusOf(intentId: string): Promise<string> {
    return (await stripe.paymentIntents.retrieve(intentId)).status;
  }

  it('Pix paid: the QR code and BR Code from Mercado Pago, paid on the ticket page, webhook -> succeeded with ledger entries', async () => {
    const intent = await pix(990, { expires_after_seconds: 3600 });
    assert.equal(intent.status, 'requires_action');
    assert.equal(intent.next_action?.type, 'pix_display_qr_code');
    const paymentId = await paymentIdOf(intent.id);
    const created = proxy.exchanges.find((exchange) => exchange.method === 'POST' && exchange.path === '/v1/payments')!;
    const request = created.requestBody as Record<string, any>;
    assert.equal(request.payment_method_id, 'pix');
    assert.equal(request.transaction_amount, 9.9);
    assert.deepEqual(request.payer, { email: 'maria@example.com', first_name: 'Maria', last_name: 'Silva' });
    assert.equal(request.notification_url, `${server.baseUrl}/payrail/webhooks/${configurationId}`);
    assert.match(created.idempotencyKey ?? '', /^payrail-create-payment-/);
    const atMercadoPago = await payments.get({ id: paymentId });
    assert.equal(atMercadoPago.status, 'pending');
    const qr = intent.next_action?.pix_display_qr_code;
    assert.equal(qr?.data, atMercadoPago.point_of_interaction?.transaction_data?.qr_code);
    // The QR images are Payrail's, drawn from Mercado Pago's BR Code.
    const png = await fetch(qr?.image_url_png ?? '');
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.deepEqual([...Buffer.from(await png.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.match(await (await fetch(qr?.image_url_svg ?? '')).text(), /^<svg/);
    assert.equal(qr?.hosted_instructions_url, atMercadoPago.point_of_interaction?.transaction_data?.ticket_url);
    assert.equal(qr?.expires_at, Math.floor(Date.parse(atMercadoPago.date_of_expiration!) / 1000));
    assert.ok(Math.abs((qr?.expires_at ?? 0) - (Math.floor(Date.now() / 1000) + 3600)) <= 60);

    await payOnTicketPage(qr!.hosted_instructions_url!);
    await eventually('the webhook settles the Pix', async () => (await statusOf(intent.id)) === 'succeeded');
    const paid = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge.balance_transaction'] });
    assert.equal(paid.next_action, null);
    assert.equal(paid.amount_received, 990);
    const charge = paid.latest_charge as Stripe.Charge;
    assert.equal(charge.payment_method_details?.pix?.bank_transaction_id, paymentOf(paymentId).pix?.endToEndId);
    assert.match(charge.payment_method_details?.pix?.bank_transaction_id ?? '', /^E\d{8}/);
    assert.equal((await fetch(qr?.image_url_png ?? '')).status, 404, 'no QR code once paid');
    const balanceTransaction = charge.balance_transaction as Stripe.BalanceTransaction;
    assert.equal(balanceTransaction.source, charge.id);
    assert.equal(balanceTransaction.type, 'charge');
    assert.ok(balanceTransaction.amount > 0);
    const report = await verifyLedger(server.db);
    assert.equal(report.problemCount, 0);
    const delivered = sandbox.records().webhooks.filter((record) => String(record.paymentId) === paymentId);
    assert.ok(delivered.length >= 2 && delivered.every((record) => record.delivered), 'Payrail answered 200 to every notification');
  });

  it('Pix expired at Mercado Pago: the webhook ends the wait with payment_intent_payment_attempt_expired', async () => {
    const intent = await pix(700);
    const paymentId = await paymentIdOf(intent.id);
    assert.ok(sandbox.expire(Number(paymentId)));
    await eventually('the webhook expires the Pix', async () => (await statusOf(intent.id)) === 'requires_payment_method');
    const expired = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(expired.last_payment_error?.code, 'payment_intent_payment_attempt_expired');
    const failed = await stripe.events.list({ type: 'payment_intent.payment_failed' });
    assert.equal(failed.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === intent.id).length, 1);
  });

  it('boleto: the digitable line and voucher from Mercado Pago with the payer\'s CPF and address; paid -> succeeded; no refunds', async () => {
    const intent = await boleto(12_345, { expires_after_days: 5 });
    assert.equal(intent.status, 'requires_action');
    const voucher = intent.next_action?.boleto_display_details;
    const paymentId = await paymentIdOf(intent.id);
    const request = proxy.exchanges.find((exchange) => exchange.method === 'POST' && exchange.path === '/v1/payments')!.requestBody as Record<string, any>;
    assert.equal(request.payment_method_id, 'bolbradesco');
    assert.deepEqual(request.payer.identification, { type: 'CPF', number: '52998224725' });
    assert.deepEqual(request.payer.address, { zip_code: '01310100', street_name: 'Av. Paulista', street_number: '1000', neighborhood: 'Bela Vista', city: 'São Paulo', federal_unit: 'SP' });
    const atMercadoPago = await payments.get({ id: paymentId });
    assert.equal(voucher?.number, paymentOf(paymentId).boleto?.digitableLine.replace(/\D/g, ''));
    assert.match(voucher?.number ?? '', /^\d{47}$/);
    assert.equal(voucher?.hosted_voucher_url, atMercadoPago.transaction_details?.external_resource_url);
    // 5 calendar days, ending 23:59:59 in São Paulo (UTC-3), as Mercado Pago was asked.
    assert.equal(((voucher?.expires_at ?? 0) + 1 - 3 * 3600) % secondsPerDay, 0);
    assert.equal(voucher?.expires_at, Math.floor(Date.parse(atMercadoPago.date_of_expiration!) / 1000));

    await payOnTicketPage(voucher!.hosted_voucher_url!);
    await eventually('the webhook settles the boleto', async () => (await statusOf(intent.id)) === 'succeeded');
    const paid = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    assert.deepEqual((paid.latest_charge as Stripe.Charge).payment_method_details?.boleto, { tax_id: '52998224725' });
    await expectStripeError(stripe.refunds.create({ payment_intent: intent.id }), { class: Stripe.errors.StripeInvalidRequestError, code: 'charge_not_refundable', param: 'payment_intent', statusCode: 400 });
    assert.equal(proxy.exchanges.filter((exchange) => exchange.path.includes('/refunds')).length, 0, 'the refusal never reached Mercado Pago');
  });

  it('boleto and Pix past expires_at in Payrail\'s sweep: cancelled at Mercado Pago, requires_payment_method', async () => {
    const voucher = await boleto(5000, { expires_after_days: 1 });
    const code = await pix(800);
    const boletoId = await paymentIdOf(voucher.id);
    const pixId = await paymentIdOf(code.id);
    server.clock.advance(2 * secondsPerDay + 1);
    assert.equal(await expireDisplayedPayments(server.deps), 2);
    for (const [intentId, paymentId] of [[voucher.id, boletoId], [code.id, pixId]]) {
      const expired = await stripe.paymentIntents.retrieve(intentId);
      assert.equal(expired.status, 'requires_payment_method');
      assert.equal(expired.last_payment_error?.code, 'payment_intent_payment_attempt_expired');
      assert.equal((await payments.get({ id: paymentId })).status, 'cancelled', 'no longer payable at Mercado Pago');
    }
    const cancels = proxy.exchanges.filter((exchange) => exchange.method === 'PUT');
    assert.deepEqual(cancels.map((exchange) => exchange.requestBody), [{ status: 'cancelled' }, { status: 'cancelled' }]);
    // The webhooks of the cancellation change nothing more.
    await sandbox.webhooksIdle();
    assert.equal(await statusOf(voucher.id), 'requires_payment_method');
  });

  it('Pix refunds: partial then the rest, each with its own X-Idempotency-Key; Mercado Pago\'s payment ends refunded; duplicated notifications change nothing', async () => {
    const intent = await pix(5000);
    const paymentId = await paymentIdOf(intent.id);
    // Every notification arrives twice: the copies are duplicates and change nothing.
    sandbox.setFaults({ webhookDuplicate: true });
    await payOnTicketPage(intent.next_action!.pix_display_qr_code!.hosted_instructions_url!);
    await eventually('the Pix is paid', async () => (await statusOf(intent.id)) === 'succeeded');
    await sandbox.webhooksIdle();
    sandbox.setFaults({ webhookDuplicate: false });
    const succeeded = await stripe.events.list({ type: 'payment_intent.succeeded' });
    assert.equal(succeeded.data.filter((event) => (event.data.object as Stripe.PaymentIntent).id === intent.id).length, 1);
    const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 1250 });
    assert.equal(partial.status, 'succeeded');
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    assert.equal(rest.status, 'succeeded');
    assert.equal(rest.amount, 3750);
    const refundCalls = proxy.exchanges.filter((exchange) => exchange.method === 'POST' && exchange.path === `/v1/payments/${paymentId}/refunds`);
    assert.deepEqual(refundCalls.map((exchange) => (exchange.requestBody as { amount: number }).amount), [12.5, 37.5]);
    assert.deepEqual(refundCalls.map((exchange) => exchange.idempotencyKey), [`payrail-refund-${partial.id}`, `payrail-refund-${rest.id}`]);
    const atMercadoPago = await payments.get({ id: paymentId });
    assert.equal(atMercadoPago.status, 'refunded');
    assert.equal(atMercadoPago.transaction_amount_refunded, 50);
    const charge = await stripe.charges.retrieve(partial.charge as string);
    assert.equal(charge.amount_refunded, 5000);
    assert.equal(charge.refunded, true);
    // The webhooks the refunds caused are applied once and change nothing more.
    await sandbox.webhooksIdle();
    assert.equal((await stripe.charges.retrieve(charge.id)).amount_refunded, 5000);
    assert.equal((await verifyLedger(server.db)).problemCount, 0);
  });

  it('a webhook with a bad, missing or stale signature is refused (400) and changes nothing', async () => {
    const intent = await pix(1500);
    const paymentId = await paymentIdOf(intent.id);
    const url = `${server.baseUrl}/payrail/webhooks/${configurationId}?data.id=${paymentId}&type=payment`;
    const body = JSON.stringify({ id: 1, live_mode: false, type: 'payment', action: 'payment.updated', api_version: 'v1', data: { id: paymentId } });
    const requestId = randomUUID();
    const ts = String(Math.floor(Date.now() / 1000));
    const sign = (secret: string, stamp: string) => createHmac('sha256', secret).update(`id:${paymentId};request-id:${requestId};ts:${stamp};`).digest('hex');
    const send = (headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers } });
    assert.equal((await send({ 'x-signature': `ts=${ts},v1=${sign('not-the-secret', ts)}` })).status, 400);
    assert.equal((await send({})).status, 400);
    const stale = String(Number(ts) - 3600);
    assert.equal((await send({ 'x-signature': `ts=${stale},v1=${sign(sandbox.webhookSecret, stale)}` })).status, 400);
    assert.equal(await statusOf(intent.id), 'requires_action');
    // The same notification correctly signed is taken (the payment is still pending: nothing to apply yet).
    const good = await send({ 'x-signature': `ts=${ts},v1=${sign(sandbox.webhookSecret, ts)}` });
    assert.equal(good.status, 200);
    assert.equal(await statusOf(intent.id), 'requires_action');
  });

  it('a create answered with 500s after Mercado Pago made the payment: retried under one X-Idempotency-Key, one payment; the janitor shows its QR code', async () => {
    const before = sandbox.records().payments.length;
    sandbox.setFaults({ status5xxRate: 1 });
    const intent = await pix(3100);
    sandbox.setFaults({ status5xxRate: 0 });
    assert.equal(intent.status, 'processing', 'the outcome is unknown: the intent waits for the janitor');
    const creates = proxy.exchanges.filter((exchange) => exchange.method === 'POST' && exchange.path === '/v1/payments');
    assert.ok(creates.length >= 3, 'the first request and at least two retries');
    assert.equal(new Set(creates.map((exchange) => exchange.idempotencyKey)).size, 1, 'the same key each time');
    assert.equal(sandbox.records().payments.length, before + 1, 'Mercado Pago made one payment');
    await resolveStuckAttempts(server.deps, 0);
    assert.equal(sandbox.records().payments.length, before + 1, 'the janitor\'s replay made no second payment');
    const resolved = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(resolved.status, 'requires_action');
    assert.equal(resolved.next_action?.pix_display_qr_code?.data, sandbox.records().payments.at(-1)!.pix?.qrCode);
    assert.equal(new Set(proxy.exchanges.filter((exchange) => exchange.method === 'POST' && exchange.path === '/v1/payments').map((exchange) => exchange.idempotencyKey)).size, 1);
  });

  it('a Pix without the payer\'s e-mail, which Mercado Pago requires, is declined naming billing_details[email], before anything is sent', async () => {
    const intent = await createIntent({ amount: 1000, currency: 'brl', payment_method_types: ['pix'] });
    const error = await stripeErrorOf(stripe.paymentIntents.confirm(intent.id, { payment_method_data: { type: 'pix' } } as Stripe.PaymentIntentConfirmParams));
    assert.equal(error.statusCode, 402);
    assert.equal(error.code, 'payment_method_invalid_parameter');
    assert.match(error.message, /billing_details\[email\]/);
    const failed = await stripe.paymentIntents.retrieve(intent.id);
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error?.code, 'payment_method_invalid_parameter');
    assert.equal(proxy.exchanges.filter((exchange) => exchange.path === '/v1/payments').length, 0, 'nothing reached Mercado Pago');
  });

  it('routing: a rule prefers Mercado Pago configurations for pix; one that cannot be reached fails over to the next', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await stripe.rawRequest('POST', '/v1/payrail/connector_configurations', {
      connector: 'mercadopago', credentials: { access_token: sandbox.accessToken, webhook_secret: sandbox.webhookSecret }, settings: { base_url: `http://127.0.0.1:${deadPort}` }, priority: 5,
    });
    await stripe.rawRequest('POST', '/v1/payrail/routing_profile', {
      strategy: 'priority',
      rules: [{ id: 'pix_mercadopago', conditions: { payment_method_types: ['pix'] }, action: { type: 'prefer', configurations: [unreachable.id, configurationId] } }],
    });
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
    try {
      const intent = await pix(2200);
      assert.equal(intent.status, 'requires_action');
      assert.equal(intent.next_action?.type, 'pix_display_qr_code');
      const charge = (await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] })).latest_charge as Stripe.Charge & { payrail_routing: Record<string, any> };
      assert.equal(charge.payrail_routing.connector_configuration, configurationId, 'the reachable configuration took the payment');
      assert.match(JSON.stringify(charge.payrail_routing), /pix_mercadopago/, 'the rule decided the order');
      await paymentIdOf(intent.id);
    } finally {
      await stripe.rawRequest('POST', '/v1/payrail/routing_profile', { rules: '' });
      await stripe.rawRequest('POST', `/v1/payrail/connector_configurations/${unreachable.id as string}`, { enabled: false });
      server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
    }
  });

  it('refuses a malformed access token, a type it does not carry (iDEAL), and a configuration without its webhook secret', async () => {
    await expectStripeError(
      stripe.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'mercadopago', credentials: { access_token: 'sk_test_123', webhook_secret: 'abc' } }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'credentials[access_token]', statusCode: 400 },
    );
    await expectStripeError(
      stripe.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'mercadopago', credentials: { access_token: sandbox.accessToken } }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param: 'credentials[webhook_secret]', statusCode: 400 },
    );
    await expectStripeError(
      stripe.rawRequest('POST', '/v1/payrail/connector_configurations', { connector: 'mercadopago', credentials: { access_token: sandbox.accessToken, webhook_secret: 'abc' }, payment_method_types: ['ideal'] }),
      { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'payment_method_types[0]', statusCode: 400 },
    );
  });
});
