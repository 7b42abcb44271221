import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import Stripe from 'stripe';
import { corsMaxAgeSeconds, publishableRouteMatcher } from '../src/api/cors.ts';
import { allRoutes } from '../src/api/routes/index.ts';
import { publishablePaymentIntentFields } from '../src/payments/client-secret.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// A shopper's browser holds the merchant's publishable key and one PaymentIntent's client secret: with both it may
// read and confirm that intent (as Stripe.js does), see only its public fields, and nothing else; CORS lets a page on
// any origin make those calls and no others; publishable keys are rate-limited per key and per client address.

const expYear = new Date().getUTCFullYear() + 3;

/** The call fails with this HTTP status and error code; answers the SDK's error. */
async function failsWith(call: Promise<unknown>, status: number, code: string): Promise<Stripe.errors.StripeError> {
  const error = await stripeErrorOf(call);
  assert.equal(error.statusCode, status, error.message);
  assert.equal(error.code, code, error.message);
  return error;
}

/** Confirm parameters with the client secret, which the SDK's types leave out (Stripe's document has it). */
function withSecret(params: Stripe.PaymentIntentConfirmParams & { client_secret: string }): Stripe.PaymentIntentConfirmParams {
  return params;
}

describe('publishable keys with a client secret, through the official stripe SDK', () => {
  let server: TestServer;
  let secret: Stripe;
  let publishable: Stripe;
  before(async () => {
    server = await startTestServer();
    secret = server.account.stripe;
    publishable = server.stripeFor(server.account.publishableKey);
  });
  after(async () => {
    await server.close();
  });

  async function cardFromBrowser(number: string): Promise<Stripe.PaymentMethod> {
    return publishable.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: expYear, cvc: '123' } });
  }

  it('retrieves an intent with its client secret, showing only the public fields', async () => {
    const customer = await secret.customers.create({ email: 'jenny@example.com' });
    const intent = await secret.paymentIntents.create({ amount: 4200, currency: 'eur', customer: customer.id, metadata: { order: '6735' }, description: 'Order 6735' });
    const seen = await publishable.paymentIntents.retrieve(intent.id, { client_secret: intent.client_secret! });
    assert.deepEqual(Object.keys(seen).sort(), [...publishablePaymentIntentFields].sort());
    assert.equal(seen.id, intent.id);
    assert.equal(seen.amount, 4200);
    assert.equal(seen.currency, 'eur');
    assert.equal(seen.status, 'requires_payment_method');
    assert.equal(seen.client_secret, intent.client_secret);
    assert.equal(seen.description, 'Order 6735');
    // The merchant's customer, metadata and bookkeeping stay on the server side.
    for (const hidden of ['customer', 'metadata', 'latest_charge', 'amount_received', 'payment_method_options', 'statement_descriptor']) assert.equal(hidden in seen, false, hidden);
    // A secret key still sees everything, and ignores a client_secret it does not need.
    const full = await secret.paymentIntents.retrieve(intent.id, { client_secret: 'pi_wrong_secret_x' });
    assert.equal(full.customer, customer.id);
    assert.deepEqual(full.metadata, { order: '6735' });
  });

  it('answers a wrong secret, another intent\'s secret and another account\'s intent alike, revealing nothing', async () => {
    const intent = await secret.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const other = await secret.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const foreignAccount = await server.createAccount('Another merchant');
    const foreign = await foreignAccount.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const attempts: [string, string][] = [
      [intent.id, `${intent.id}_secret_wrong`],
      [intent.id, other.client_secret!],
      [intent.id, intent.client_secret!.slice(0, -1)],
      [foreign.id, foreign.client_secret!],
      ['pi_doesnotexist', 'pi_doesnotexist_secret_x'],
    ];
    for (const [id, clientSecret] of attempts) {
      const error = await failsWith(publishable.paymentIntents.retrieve(id, { client_secret: clientSecret }), 404, 'resource_missing');
      assert.equal(error.message, `No such payment_intent: '${id}'`);
      const confirmError = await failsWith(publishable.paymentIntents.confirm(id, withSecret({ client_secret: clientSecret, payment_method: 'pm_card_visa' })), 404, 'resource_missing');
      assert.equal(confirmError.message, `No such payment_intent: '${id}'`);
    }
    assert.equal((await secret.paymentIntents.retrieve(intent.id)).status, 'requires_payment_method');
    assert.equal((await foreignAccount.stripe.paymentIntents.retrieve(foreign.id)).status, 'requires_payment_method');
  });

  it('refuses a publishable key without the client secret as a secret-key call', async () => {
    const intent = await secret.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await failsWith(publishable.paymentIntents.retrieve(intent.id), 401, 'secret_key_required');
    await failsWith(publishable.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }), 401, 'secret_key_required');
    // The other intent routes stay secret-key only, client secret or not.
    await failsWith(publishable.paymentIntents.update(intent.id, { description: 'x', client_secret: intent.client_secret } as Stripe.PaymentIntentUpdateParams), 401, 'secret_key_required');
    await failsWith(publishable.paymentIntents.cancel(intent.id), 401, 'secret_key_required');
    await failsWith(publishable.paymentIntents.search({ query: 'status:"succeeded"' }), 401, 'secret_key_required');
  });

  it('confirms with a card the browser tokenized, and answers the public fields', async () => {
    const intent = await secret.paymentIntents.create({ amount: 2500, currency: 'usd', metadata: { cart: '42' } });
    const card = await cardFromBrowser('4242424242424242');
    const confirmed = await publishable.paymentIntents.confirm(intent.id, withSecret({ client_secret: intent.client_secret!, payment_method: card.id, return_url: 'https://shop.example/done' }));
    assert.equal(confirmed.status, 'succeeded');
    assert.equal(confirmed.payment_method, card.id);
    assert.deepEqual(Object.keys(confirmed).sort(), [...publishablePaymentIntentFields].sort());
    const full = await secret.paymentIntents.retrieve(intent.id);
    assert.equal(full.status, 'succeeded');
    assert.equal(full.amount_received, 2500);
    assert.match(String(full.latest_charge), /^ch_/);
  });

  it('answers a decline with 402 and the intent\'s public fields inside the error', async () => {
    const intent = await secret.paymentIntents.create({ amount: 2500, currency: 'usd', metadata: { cart: '43' } });
    const card = await cardFromBrowser('4000000000000002');
    const error = await failsWith(publishable.paymentIntents.confirm(intent.id, withSecret({ client_secret: intent.client_secret!, payment_method: card.id })), 402, 'card_declined');
    const inside = (error.raw as { payment_intent?: Record<string, unknown> }).payment_intent!;
    assert.equal(inside.id, intent.id);
    assert.equal(inside.status, 'requires_payment_method');
    assert.equal('metadata' in inside, false);
    assert.equal('latest_charge' in inside, false);
    // The shopper retries with another card, with the same client secret.
    const retry = await cardFromBrowser('4242424242424242');
    const confirmed = await publishable.paymentIntents.confirm(intent.id, withSecret({ client_secret: intent.client_secret!, payment_method: retry.id }));
    assert.equal(confirmed.status, 'succeeded');
  });

  it('lets a publishable key expand the PaymentMethod only', async () => {
    const intent = await secret.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const seen = await publishable.paymentIntents.retrieve(intent.id, { client_secret: intent.client_secret!, expand: ['payment_method'] });
    const method = seen.payment_method as Stripe.PaymentMethod;
    assert.equal(method.object, 'payment_method');
    assert.equal(method.card?.last4, '4242');
    const error = await failsWith(publishable.paymentIntents.retrieve(intent.id, { client_secret: intent.client_secret!, expand: ['latest_charge'] }), 400, 'invalid_expand');
    assert.equal(error.param, 'expand');
  });
});

describe('CORS for publishable-key routes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  async function preflight(path: string, method: string): Promise<{ status: number; headers: Headers }> {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key' },
    });
    await response.arrayBuffer();
    return { status: response.status, headers: response.headers };
  }

  it('answers preflights for the routes a publishable key may call, without credentials', async () => {
    for (const [path, method] of [['/v1/payment_methods', 'POST'], ['/v1/tokens', 'POST'], ['/v1/payment_intents/pi_123', 'GET'], ['/v1/payment_intents/pi_123/confirm', 'POST']]) {
      const { status, headers } = await preflight(path, method);
      assert.equal(status, 204, `${method} ${path}`);
      assert.equal(headers.get('access-control-allow-origin'), '*');
      assert.equal(headers.get('access-control-allow-credentials'), null);
      assert.match(headers.get('access-control-allow-methods') ?? '', new RegExp(method));
      const allowed = (headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const header of ['authorization', 'content-type', 'idempotency-key']) assert.ok(allowed.includes(header), header);
      assert.equal(headers.get('access-control-max-age'), String(corsMaxAgeSeconds));
    }
  });

  it('tells the routes apart as the router does: static segments before parameters, a trailing slash ignored', () => {
    const isOpen = publishableRouteMatcher(allRoutes());
    assert.equal(isOpen('POST', '/v1/tokens'), true);
    assert.equal(isOpen('POST', '/v1/tokens/'), true);
    assert.equal(isOpen('GET', '/v1/payment_intents/pi_123'), true);
    assert.equal(isOpen('POST', '/v1/payment_intents/pi_123/confirm'), true);
    assert.equal(isOpen('GET', '/v1/payment_intents/search'), false);
    assert.equal(isOpen('POST', '/v1/payment_intents/pi_123'), false);
    assert.equal(isOpen('GET', '/v1/payment_intents'), false);
    assert.equal(isOpen('DELETE', '/v1/tokens'), false);
  });

  it('grants nothing to routes that need a secret key', async () => {
    for (const [path, method] of [['/v1/customers', 'POST'], ['/v1/payment_intents', 'POST'], ['/v1/payment_intents/search', 'GET'], ['/v1/payment_intents/pi_123/capture', 'POST'], ['/v1/payment_intents/pi_123', 'POST'], ['/v1/charges', 'GET']]) {
      const { status, headers } = await preflight(path, method);
      assert.equal(status, 404, `${method} ${path}`);
      assert.equal(headers.get('access-control-allow-origin'), null, `${method} ${path}`);
    }
    const answer = await fetch(`${server.baseUrl}/v1/customers`, { headers: { Origin: 'https://shop.example', Authorization: `Bearer ${server.account.secretKey}` } });
    assert.equal(answer.status, 200);
    await answer.arrayBuffer();
    assert.equal(answer.headers.get('access-control-allow-origin'), null);
  });

  it('lets a page on another origin confirm in Chromium, and blocks it from anything else', async (t) => {
    const chromiumPath = process.env.PAYRAIL_CHROMIUM ?? '/usr/bin/chromium';
    assert.ok(fs.existsSync(chromiumPath), `the browser test needs Chromium at ${chromiumPath} (apt-get install chromium, or set PAYRAIL_CHROMIUM)`);
    const intent = await server.account.stripe.paymentIntents.create({ amount: 1999, currency: 'usd' });
    // The merchant's page: its own origin (localhost, another port), served by the test.
    const merchant = http.createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><html><head><title>Shop</title></head><body>Shop</body></html>');
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
    const merchantUrl = `http://localhost:${(merchant.address() as AddressInfo).port}/`;
    let browser: Browser | undefined;
    t.after(async () => {
      await browser?.close();
      await new Promise((resolve) => merchant.close(resolve));
    });
    browser = await chromium.launch({ executablePath: chromiumPath, timeout: 60_000, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const page = await browser.newPage();
    await page.goto(merchantUrl);
    const outcome = await page.evaluate(async ({ api, key, secretKey, intentId, clientSecret, year }) => {
      // No named helpers in here: the test's compiler would wrap them in a function the page does not have.
      const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-www-form-urlencoded' };
      const card = new URLSearchParams({ type: 'card', 'card[number]': '4242424242424242', 'card[exp_month]': '12', 'card[exp_year]': String(year), 'card[cvc]': '123' });
      const method = (await (await fetch(`${api}/v1/payment_methods`, { method: 'POST', headers, body: card.toString() })).json()) as { id: string };
      const confirmBody = new URLSearchParams({ client_secret: clientSecret, payment_method: method.id });
      const confirmResponse = await fetch(`${api}/v1/payment_intents/${intentId}/confirm`, { method: 'POST', headers: { ...headers, 'Idempotency-Key': `browser-${intentId}` }, body: confirmBody.toString() });
      const confirmed = (await confirmResponse.json()) as Record<string, unknown>;
      const readable = { requestId: confirmResponse.headers.get('Request-Id'), idempotencyKey: confirmResponse.headers.get('Idempotency-Key') };
      // A secret key in a page is still refused by the browser: the route grants no CORS.
      let blocked = '';
      try {
        await fetch(`${api}/v1/customers`, { headers: { Authorization: `Bearer ${secretKey}` } });
      } catch (error) {
        blocked = (error as Error).name;
      }
      return { methodId: method.id as string, status: confirmed.status as string, hasMetadata: 'metadata' in confirmed, readable, blocked };
    }, { api: server.baseUrl, key: server.account.publishableKey, secretKey: server.account.secretKey, intentId: intent.id, clientSecret: intent.client_secret!, year: expYear });
    assert.match(outcome.methodId, /^pm_/);
    assert.equal(outcome.status, 'succeeded');
    assert.equal(outcome.hasMetadata, false);
    assert.match(outcome.readable.requestId ?? '', /^req_/);
    assert.equal(outcome.readable.idempotencyKey, `browser-${intent.id}`);
    assert.equal(outcome.blocked, 'TypeError');
    const full = await server.account.stripe.paymentIntents.retrieve(intent.id);
    assert.equal(full.status, 'succeeded');
    assert.equal(full.payment_method, outcome.methodId);
  });
});

describe('rate limits on publishable keys', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ publishableRateLimits: { perKeyPerMinute: 5, perAddressPerMinute: 3 } });
  });
  after(async () => {
    await server.close();
  });

  it('answers 429 rate_limit with Retry-After past the per-address limit, and never limits secret keys', async () => {
    const publishable = server.stripeFor(server.account.publishableKey);
    for (let i = 0; i < 3; i += 1) await publishable.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: expYear, cvc: '123' } });
    const error = await failsWith(publishable.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: expYear, cvc: '123' } }), 429, 'rate_limit');
    assert.ok(error instanceof Stripe.errors.StripeRateLimitError);
    assert.equal(error.type, 'StripeRateLimitError');
    const raw = await server.request('POST', '/v1/payment_methods', { key: server.account.publishableKey, contentType: 'application/x-www-form-urlencoded', body: `type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=${expYear}` });
    assert.equal(raw.status, 429);
    assert.equal(raw.json.error.type, 'invalid_request_error');
    assert.equal(raw.json.error.code, 'rate_limit');
    const retryAfter = Number(raw.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(raw.headers.get('stripe-should-retry'), 'true');
    // Nothing was made by the refused requests.
    const made = await server.db.query("SELECT count(*)::int AS n FROM payment_methods WHERE account_id = $1", [server.account.accountId]);
    assert.equal(made.rows[0].n, 3);
    // The merchant's server is not limited by its shoppers' traffic.
    for (let i = 0; i < 6; i += 1) await server.account.stripe.customers.list({ limit: 1 });
  });

  /** A request from another loopback address (127.0.0.x): the server sees each as another shopper. */
  function postFrom(address: string, key: string, path: string, body: string): Promise<{ status: number; code: string | undefined }> {
    return new Promise((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port: server.port, localAddress: address, method: 'POST', path, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-www-form-urlencoded' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, code: JSON.parse(Buffer.concat(chunks).toString('utf8')).error?.code }));
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  it('limits each publishable key in all, whatever the addresses, and each key on its own', async () => {
    const busy = await server.createAccount('Busy merchant');
    const body = `type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=${expYear}`;
    const statuses: number[] = [];
    // Three shoppers, two requests each: no address reaches its limit (3), the key reaches its own (5).
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      for (let i = 0; i < 2; i += 1) statuses.push((await postFrom(address, busy.publishableKey, '/v1/payment_methods', body)).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    assert.equal((await postFrom('127.0.0.5', busy.publishableKey, '/v1/payment_methods', body)).code, 'rate_limit');
    // Another merchant's key, from one of the same addresses, has counts of its own.
    const quiet = await server.createAccount('Quiet merchant');
    assert.equal((await postFrom('127.0.0.2', quiet.publishableKey, '/v1/payment_methods', body)).status, 200);
  });
});
