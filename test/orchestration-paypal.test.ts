import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { AttemptRow } from '../src/orchestration/attempts-repository.ts';
import { startPayPalSandbox, type PayPalSandbox } from '../src/sandbox/paypal/server.ts';
import { paypalSpecs } from './helpers/paypal-openapi.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * The `paypal` payment method end to end, through the official stripe SDK against Payrail with a PayPal connector
 * configuration and the PayPal sandbox in-process: the PaymentMethod, the approval redirect (`requires_action` ->
 * the buyer approves on PayPal -> Payrail's return page completes the order -> the merchant's return_url), manual and
 * partial captures, voids, the buyer cancelling on PayPal, refunds (settled at once, or pending until PayPal's
 * webhook), and PayPal's CHECKOUT.ORDER.APPROVED webhook completing a payment whose buyer never came back. Every
 * request and response between the connector and the sandbox is validated against PayPal's published OpenAPI documents.
 *
 * Webhooks are delivered on demand (`deliverWebhooks`): the sandbox queues its events while it has no webhook URL and
 * sends them all when it gets one, so a test decides when PayPal's asynchronous report reaches Payrail.
 */

const clientId = 'payrail-orchestration-paypal-client';
const clientSecret = 'payrail-orchestration-paypal-secret';
const webhookId = 'WH7PAYRAILORCHESTRATION';
const merchantReturnUrl = 'https://shop.example.com/checkout/return?order=7';
const configurationsPath = '/v1/payrail/connector_configurations';
/** The sandbox's one buyer (src/sandbox/paypal/processor.ts `sandboxBuyer`). */
const sandboxBuyerEmail = 'buyer@payrail-sandbox.example';
/**
 * Statuses the sandbox's fault injection produces that PayPal's documents do not list for every operation: an outage's
 * 503, and the 500 (with PayPal's error body) of a request processed but answered with an error (`status5xxRate`).
 */
const undocumentedFaultStatuses = new Set([500, 503]);

// --- OpenAPI validation of the connector's traffic ---------------------------------------------------------------------

const realFetch = globalThis.fetch;
/** Spec violations found inside fetch, where throwing would look like a network failure to the connector. */
const specViolations: string[] = [];
/** Runs once after the next PayPal API answer has been read (to inject a fault between two requests of one operation). */
let afterNextExchange: ((path: string) => void) | null = null;

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
    if (!url.startsWith(`${sandboxUrl}/v`)) return realFetch(input, init);
    const method = init?.method ?? 'GET';
    const path = new URL(url).pathname;
    const spec = paypalSpecs.for(method, path);
    const operation = spec?.operationFor(method, path);
    // /v1/oauth2/token is PayPal's OAuth endpoint, documented outside these OpenAPI documents.
    if (spec && operation && method === 'POST') checked(() => spec.assertRequest(operation, init?.body === undefined ? undefined : JSON.parse(String(init.body))));
    const response = await realFetch(input, init);
    if (spec && operation && !undocumentedFaultStatuses.has(response.status)) {
      const text = await response.clone().text();
      checked(() => spec.assertResponse(operation, response.status, text === '' ? undefined : JSON.parse(text)));
    }
    // A token request (only when the cached one expires) is not one of the operation's own requests.
    if (path !== '/v1/oauth2/token') {
      const hook = afterNextExchange;
      afterNextExchange = null;
      hook?.(path);
    }
    return response;
  };
}

// --- Helpers -------------------------------------------------------------------------------------------------------

/** The charge with Payrail's `payrail_routing` extension. */
type RoutedCharge = Stripe.Charge & {
  payrail_routing: { connector: string; connector_configuration: string | null; attempt: string; capture_status: string | null } | null;
};

async function configurePayPal(account: TestAccount, sandbox: PayPalSandbox): Promise<string> {
  const created = await account.stripe.rawRequest('POST', configurationsPath, {
    connector: 'paypal',
    credentials: { client_id: clientId, client_secret: clientSecret, webhook_id: webhookId },
    settings: { base_url: sandbox.url },
  });
  assert.match(created.id, /^pcc_/);
  assert.deepEqual(created.payment_method_types, ['paypal']);
  return created.id as string;
}

async function chargeOf(stripe: Stripe, intent: Stripe.PaymentIntent): Promise<RoutedCharge> {
  assert.equal(typeof intent.latest_charge, 'string', 'the intent has a charge');
  return (await stripe.charges.retrieve(intent.latest_charge as string)) as unknown as RoutedCharge;
}

async function attemptsOfIntent(server: TestServer, intentId: string): Promise<AttemptRow[]> {
  return (await server.db.query<AttemptRow>('SELECT * FROM payment_attempts WHERE payment_intent_id = $1 ORDER BY started_at, position', [intentId])).rows;
}

/**
 * Intent parameters with `payment_method_types`, which Payrail takes (as Stripe's API versions before 2026-09-30 did);
 * the SDK's types for its pinned API version no longer list it.
 */
function withTypes<T extends object>(params: T, types: string[]): T {
  return { ...params, payment_method_types: types } as T;
}

/** The PayPal order id of an intent waiting for the buyer: the last segment of the approval link. */
function orderIdOf(intent: Stripe.PaymentIntent): string {
  const url = intent.next_action?.redirect_to_url?.url;
  assert.ok(url, 'the intent has a redirect');
  return new URL(url).pathname.split('/').at(-1)!;
}

/**
 * The buyer on PayPal: opens the approval page, presses a button, and returns where PayPal sends the browser next
 * (Payrail's return page after an approval, its cancel page after a cancel).
 */
async function buyer(approvalUrl: string, action: 'approve' | 'approve_declined_funding' | 'cancel'): Promise<URL> {
  const page = await realFetch(approvalUrl);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Pay with PayPal/);
  const response = await realFetch(approvalUrl, { method: 'POST', body: new URLSearchParams({ action }), redirect: 'manual' });
  assert.equal(response.status, 302);
  return new URL(response.headers.get('location')!);
}

/** The browser arriving at one of Payrail's redirect pages: Payrail answers 303 to the merchant's return_url. */
async function arriveAt(url: URL): Promise<URL> {
  const response = await realFetch(url, { redirect: 'manual' });
  assert.equal(response.status, 303, `Payrail's page answers with a redirect (${response.status}: ${await response.text()})`);
  return new URL(response.headers.get('location')!);
}

/** Checks the merchant's return_url as Stripe fills it after a redirect. */
function assertMerchantReturn(location: URL, intent: Stripe.PaymentIntent, redirectStatus: 'succeeded' | 'failed'): void {
  assert.equal(`${location.origin}${location.pathname}`, 'https://shop.example.com/checkout/return');
  assert.equal(location.searchParams.get('order'), '7', "the merchant's own query is kept");
  assert.equal(location.searchParams.get('payment_intent'), intent.id);
  assert.equal(location.searchParams.get('payment_intent_client_secret'), intent.client_secret);
  assert.equal(location.searchParams.get('redirect_status'), redirectStatus);
}

describe('PayPal payments through Payrail (the paypal payment method, PayPal connector and sandbox)', () => {
  let server: TestServer;
  let sandbox: PayPalSandbox;
  let stripe: Stripe;
  let configurationId: string;

  /** Delivers every webhook the sandbox has queued to Payrail's endpoint for the configuration, then stops delivering. */
  async function deliverWebhooks(): Promise<void> {
    sandbox.setWebhookUrl(`${server.baseUrl}/payrail/webhooks/${configurationId}`);
    await sandbox.webhooksIdle();
    sandbox.setWebhookUrl(undefined);
    for (const webhook of sandbox.records().webhooks) {
      if (webhook.attempts > 0) assert.equal(webhook.delivered, true, `webhook ${webhook.eventType} ${webhook.resourceId} was accepted (last status ${webhook.lastStatus})`);
    }
  }

  async function paypalPaymentMethod(billing: Stripe.PaymentMethodCreateParams.BillingDetails = {}): Promise<Stripe.PaymentMethod> {
    return stripe.paymentMethods.create({ type: 'paypal', billing_details: billing });
  }

  /** A confirmed PayPal PaymentIntent waiting for the buyer's approval. */
  async function awaitingApproval(options: { amount?: number; captureMethod?: 'automatic' | 'manual' } = {}): Promise<Stripe.PaymentIntent> {
    const paymentMethod = await paypalPaymentMethod();
    const intent = await stripe.paymentIntents.create(withTypes({
      amount: options.amount ?? 2500,
      currency: 'eur',
      payment_method: paymentMethod.id,
      capture_method: options.captureMethod ?? 'automatic',
    }, ['paypal']));
    assert.equal(intent.status, 'requires_confirmation');
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { return_url: merchantReturnUrl });
    assert.equal(confirmed.status, 'requires_action');
    return confirmed;
  }

  /** Approves on PayPal and returns to Payrail; answers the intent afterwards and where the browser ended. */
  async function approveAndReturn(intent: Stripe.PaymentIntent): Promise<{ intent: Stripe.PaymentIntent; merchantReturn: URL; payerId: string }> {
    const back = await buyer(intent.next_action!.redirect_to_url!.url!, 'approve');
    const merchantReturn = await arriveAt(back);
    return { intent: await stripe.paymentIntents.retrieve(intent.id), merchantReturn, payerId: back.searchParams.get('PayerID')! };
  }

  before(async () => {
    server = await startTestServer();
    stripe = server.account.stripe;
    sandbox = await startPayPalSandbox({ clientId, clientSecret, webhookId, webhookRetryDelaysMs: [] });
    globalThis.fetch = recordingFetch(sandbox.url);
    configurationId = await configurePayPal(server.account, sandbox);
    server.deps.routing.forget({ accountId: server.account.accountId, livemode: false });
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await sandbox.close();
    await server.close();
  });
  beforeEach(() => {
    afterNextExchange = null;
  });
  afterEach(() => {
    sandbox.setFaults({ outage: false, status5xxRate: 0, errorRate: 0, timeoutRate: 0, webhookDuplicate: false });
    assert.deepEqual(specViolations.splice(0), [], 'the connector exchanged something the PayPal spec does not allow');
  });

  describe('the paypal PaymentMethod', () => {
    it('is created without card data and renders as Stripe renders it: a paypal hash, null until PayPal tells, no card', async () => {
      const created = await paypalPaymentMethod({ email: 'jenny@example.com', name: 'Jenny Rosen' });
      assert.match(created.id, /^pm_/);
      assert.equal(created.type, 'paypal');
      assert.deepEqual(created.paypal, { country: null, payer_email: null, payer_id: null });
      assert.equal('card' in created, false, 'a paypal PaymentMethod has no card hash');
      assert.equal(created.billing_details.email, 'jenny@example.com');
      assert.equal(created.billing_details.name, 'Jenny Rosen');
      assert.deepEqual(await stripe.paymentMethods.retrieve(created.id), created);

      const row = (await server.db.query('SELECT type, card, card_number_encrypted, wallet FROM payment_methods WHERE id = $1', [created.id])).rows[0];
      assert.deepEqual(row, { type: 'paypal', card: null, card_number_encrypted: null, wallet: null });
    });

    it('refuses card data and card-only updates, and keeps its other updates', async () => {
      await expectStripeError(
        stripe.rawRequest('POST', '/v1/payment_methods', { type: 'paypal', card: { number: '4242424242424242', exp_month: 12, exp_year: 2031 } }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_method_invalid_parameter', param: 'card', statusCode: 400 },
      );
      await expectStripeError(stripe.paymentMethods.create({ type: 'card' }), { class: Stripe.errors.StripeInvalidRequestError, code: 'parameter_missing', param: 'card', statusCode: 400 });
      const paymentMethod = await paypalPaymentMethod();
      await expectStripeError(
        stripe.paymentMethods.update(paymentMethod.id, { card: { exp_month: 1 } }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_method_invalid_parameter', param: 'card', statusCode: 400 },
      );
      const updated = await stripe.paymentMethods.update(paymentMethod.id, { metadata: { shopper: '42' }, billing_details: { email: 'shopper@example.com' } });
      assert.deepEqual(updated.metadata, { shopper: '42' });
      assert.equal(updated.billing_details.email, 'shopper@example.com');
      assert.equal(updated.type, 'paypal');
    });

    it("is attached to customers and listed by type with the customer's cards", async () => {
      const customer = await stripe.customers.create({ email: 'lister@example.com' });
      const wallet = await paypalPaymentMethod();
      const card = await stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' } });
      await stripe.paymentMethods.attach(wallet.id, { customer: customer.id });
      await stripe.paymentMethods.attach(card.id, { customer: customer.id });
      const paypalOnly = await stripe.paymentMethods.list({ customer: customer.id, type: 'paypal' });
      assert.deepEqual(paypalOnly.data.map((method) => method.id), [wallet.id]);
      const cardsOnly = await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
      assert.deepEqual(cardsOnly.data.map((method) => method.id), [card.id]);
      const all = await stripe.paymentMethods.list({ customer: customer.id });
      assert.deepEqual(new Set(all.data.map((method) => method.id)), new Set([wallet.id, card.id]));
      const detached = await stripe.paymentMethods.detach(wallet.id);
      assert.equal(detached.customer, null);
      assert.equal(detached.type, 'paypal');
    });

    it("must be one of the intent's payment_method_types, as at Stripe", async () => {
      const wallet = await paypalPaymentMethod();
      // payment_method_types defaults to card.
      const refused = await expectStripeError(
        stripe.paymentIntents.create({ amount: 1000, currency: 'eur', payment_method: wallet.id }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_incompatible_payment_method', param: 'payment_method', statusCode: 400 },
      );
      assert.match(refused.message, /The PaymentMethod provided \(paypal\) is not allowed for this PaymentIntent.*one of the following types: card/);
      const cardIntent = await stripe.paymentIntents.create(withTypes({ amount: 1000, currency: 'eur' }, ['card']));
      await expectStripeError(
        stripe.paymentIntents.confirm(cardIntent.id, { payment_method: wallet.id, return_url: merchantReturnUrl }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_incompatible_payment_method', param: 'payment_method', statusCode: 400 },
      );
      await expectStripeError(
        stripe.paymentIntents.update(cardIntent.id, { payment_method: wallet.id }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_incompatible_payment_method', param: 'payment_method', statusCode: 400 },
      );
      const paypalIntent = await stripe.paymentIntents.create(withTypes({ amount: 1000, currency: 'eur' }, ['paypal']));
      await expectStripeError(
        stripe.paymentIntents.confirm(paypalIntent.id, { payment_method: 'pm_card_visa' }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_incompatible_payment_method', param: 'payment_method', statusCode: 400 },
      );
      assert.equal((await stripe.paymentIntents.retrieve(cardIntent.id)).status, 'requires_payment_method');
      assert.equal((await stripe.paymentIntents.retrieve(paypalIntent.id)).latest_charge, null, 'nothing was attempted');
      await expectStripeError(
        stripe.paymentIntents.create(withTypes({ amount: 1000, currency: 'eur' }, ['sofort'])),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'payment_method_types[0]', statusCode: 400 },
      );
    });
  });

  describe('the approval redirect', () => {
    it('confirms to requires_action with the approval link, and the return completes and captures the order', async () => {
      const waiting = await awaitingApproval({ amount: 2599 });
      assert.equal(waiting.next_action?.type, 'redirect_to_url');
      const orderId = orderIdOf(waiting);
      assert.equal(waiting.next_action?.redirect_to_url?.url, `${sandbox.url}/sandbox/paypal/approve/${orderId}`);
      assert.equal(waiting.next_action?.redirect_to_url?.return_url, merchantReturnUrl);
      const pending = await chargeOf(stripe, waiting);
      assert.equal(pending.status, 'pending');
      assert.deepEqual(pending.payment_method_details, {
        paypal: { country: null, payer_email: null, payer_id: null, payer_name: null, seller_protection: null, transaction_id: null },
        type: 'paypal',
      });
      const [attempt] = await attemptsOfIntent(server, waiting.id);
      assert.equal(attempt.status, 'requires_action');
      assert.equal(attempt.processor_reference, orderId);
      const order = sandbox.records().orders.find((record) => record.id === orderId)!;
      assert.equal(order.intent, 'CAPTURE');
      assert.equal(order.customId, attempt.id, "the order carries Payrail's attempt id");
      assert.deepEqual(order.amount, { currency_code: 'EUR', value: '25.99' });
      assert.equal(order.returnUrl, `${server.baseUrl}/payrail/return/${attempt.id}`);
      assert.equal(order.cancelUrl, `${server.baseUrl}/payrail/cancel/${configurationId}`);

      const back = await buyer(waiting.next_action!.redirect_to_url!.url!, 'approve');
      assert.equal(`${back.origin}${back.pathname}`, `${server.baseUrl}/payrail/return/${attempt.id}`, 'PayPal sends the buyer to Payrail first');
      assert.equal(back.searchParams.get('token'), orderId);
      const payerId = back.searchParams.get('PayerID');
      assert.match(payerId ?? '', /^[2-9A-HJ-NP-Z]{13}$/);
      const merchantReturn = await arriveAt(back);
      assertMerchantReturn(merchantReturn, waiting, 'succeeded');

      const succeeded = await stripe.paymentIntents.retrieve(waiting.id);
      assert.equal(succeeded.status, 'succeeded');
      assert.equal(succeeded.amount_received, 2599);
      assert.equal(succeeded.next_action, null);
      assert.equal(succeeded.payment_method, waiting.payment_method);
      const capture = sandbox.records().captures.filter((record) => record.orderId === orderId);
      assert.equal(capture.length, 1, 'captured once');
      const charge = await chargeOf(stripe, succeeded);
      assert.equal(charge.id, pending.id);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 2599);
      assert.equal(charge.paid, true);
      assert.notEqual(charge.balance_transaction, null, 'the capture is in the ledger');
      assert.deepEqual(charge.payment_method_details, {
        paypal: {
          country: 'US',
          payer_email: sandboxBuyerEmail,
          payer_id: payerId,
          payer_name: 'Sandbox Buyer',
          seller_protection: { dispute_categories: ['product_not_received', 'fraudulent'], status: 'eligible' },
          transaction_id: capture[0].id,
        },
        type: 'paypal',
      });
      assert.equal(charge.payrail_routing?.connector, 'paypal');
      assert.equal(charge.payrail_routing?.connector_configuration, configurationId);
      assert.equal(charge.payrail_routing?.attempt, attempt.id);
      const [authorized] = await attemptsOfIntent(server, waiting.id);
      assert.equal(authorized.status, 'authorized');

      // As at Stripe, the PaymentMethod now knows the payer.
      const learned = await stripe.paymentMethods.retrieve(waiting.payment_method as string);
      assert.deepEqual(learned.paypal, { country: 'US', payer_email: sandboxBuyerEmail, payer_id: payerId });

      // The browser reloads the return page: the same answer, no second capture.
      assertMerchantReturn(await arriveAt(back), waiting, 'succeeded');
      assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderId).length, 1);

      const events = await stripe.events.list({ limit: 20 });
      const ofIntent = events.data.filter((event) => (event.data.object as { id?: string }).id === waiting.id).map((event) => event.type);
      assert.ok(ofIntent.includes('payment_intent.requires_action'));
      assert.ok(ofIntent.includes('payment_intent.succeeded'));
    });

    it('setup_future_usage saves the PaymentMethod to the customer with the payer PayPal reported', async () => {
      const customer = await stripe.customers.create({ email: 'buyer@example.com' });
      const paymentMethod = await paypalPaymentMethod();
      const intent = await stripe.paymentIntents.create(withTypes({
        amount: 1900,
        currency: 'eur',
        customer: customer.id,
        payment_method: paymentMethod.id,
        setup_future_usage: 'off_session' as const,
        confirm: true,
        return_url: merchantReturnUrl,
      }, ['paypal']));
      assert.equal(intent.status, 'requires_action');
      const { intent: succeeded, payerId } = await approveAndReturn(intent);
      assert.equal(succeeded.status, 'succeeded');
      const saved = await stripe.paymentMethods.retrieve(paymentMethod.id);
      assert.equal(saved.customer, customer.id, 'attached to the customer');
      assert.equal(saved.paypal?.payer_id, payerId, 'and the payer recorded in the same statement');
    });

    it('takes payment_method_data[type]=paypal on create-and-confirm and stores the new PaymentMethod with the intent', async () => {
      const intent = await stripe.paymentIntents.create(withTypes({
        amount: 1500,
        currency: 'eur',
        payment_method_data: { type: 'paypal', billing_details: { email: 'data@example.com' } },
        confirm: true,
        return_url: merchantReturnUrl,
      }, ['paypal']));
      assert.equal(intent.status, 'requires_action');
      assert.match(intent.payment_method as string, /^pm_/);
      const paymentMethod = await stripe.paymentMethods.retrieve(intent.payment_method as string);
      assert.equal(paymentMethod.type, 'paypal');
      assert.equal(paymentMethod.billing_details.email, 'data@example.com');
      const { intent: succeeded, merchantReturn } = await approveAndReturn(intent);
      assertMerchantReturn(merchantReturn, intent, 'succeeded');
      assert.equal(succeeded.status, 'succeeded');

      await expectStripeError(
        stripe.paymentIntents.create(withTypes({ amount: 1500, currency: 'eur', payment_method: paymentMethod.id, payment_method_data: { type: 'paypal' }, confirm: true }, ['paypal'])),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'parameters_exclusive', param: 'payment_method_data', statusCode: 400 },
      );
      await expectStripeError(
        stripe.rawRequest('POST', '/v1/payment_intents', { amount: 1500, currency: 'eur', payment_method_data: { type: 'card' } }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'invalid_value', param: 'payment_method_data[type]', statusCode: 400 },
      );
    });

    it('takes payment_method_data on confirm, and a canceled waiting intent fails its charge', async () => {
      const intent = await stripe.paymentIntents.create(withTypes({ amount: 1800, currency: 'eur' }, ['paypal']));
      const waiting = await stripe.paymentIntents.confirm(intent.id, { payment_method_data: { type: 'paypal' }, return_url: merchantReturnUrl });
      assert.equal(waiting.status, 'requires_action');
      assert.equal((await stripe.paymentMethods.retrieve(waiting.payment_method as string)).type, 'paypal');
      const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
      assert.equal(canceled.status, 'canceled');
      assert.equal((await chargeOf(stripe, canceled)).status, 'failed');
      // The buyer approving afterwards changes nothing: the return page sends them back with the intent as it is.
      const back = await buyer(waiting.next_action!.redirect_to_url!.url!, 'approve');
      assertMerchantReturn(await arriveAt(back), waiting, 'failed');
      assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'canceled');
      assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderIdOf(waiting)).length, 0, 'nothing was captured');
    });

    it('the buyer cancelling on PayPal fails the payment with a clear last_payment_error; the intent can be confirmed again', async () => {
      const waiting = await awaitingApproval({ amount: 3100 });
      const orderId = orderIdOf(waiting);
      const back = await buyer(waiting.next_action!.redirect_to_url!.url!, 'cancel');
      assert.equal(`${back.origin}${back.pathname}`, `${server.baseUrl}/payrail/cancel/${configurationId}`);
      assert.equal(back.searchParams.get('token'), orderId);
      assertMerchantReturn(await arriveAt(back), waiting, 'failed');

      const failed = await stripe.paymentIntents.retrieve(waiting.id);
      assert.equal(failed.status, 'requires_payment_method');
      assert.equal(failed.payment_method, null);
      assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
      assert.match(failed.last_payment_error?.message ?? '', /failed authentication/);
      assert.equal(failed.last_payment_error?.payment_method?.type, 'paypal');
      const charge = await chargeOf(stripe, failed);
      assert.equal(charge.status, 'failed');
      assert.equal(charge.failure_code, 'payment_intent_authentication_failure');
      assert.equal(charge.failure_message, 'The customer did not approve the payment on PayPal.');
      assert.equal(charge.payment_method_details?.type, 'paypal');
      const [attempt] = await attemptsOfIntent(server, waiting.id);
      assert.equal(attempt.status, 'declined');
      assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderId).length, 0);

      // A cancel link for an order Payrail does not know is not found.
      const unknown = await realFetch(`${server.baseUrl}/payrail/cancel/${configurationId}?token=NOSUCHORDER000000`, { redirect: 'manual' });
      assert.equal(unknown.status, 404);

      // The customer tries again: a new charge and a new PayPal order.
      const retried = await stripe.paymentIntents.confirm(waiting.id, { payment_method: waiting.payment_method as string, return_url: merchantReturnUrl });
      assert.equal(retried.status, 'requires_action');
      assert.notEqual(retried.latest_charge, failed.latest_charge);
      assert.notEqual(orderIdOf(retried), orderId);
      const { intent: succeeded } = await approveAndReturn(retried);
      assert.equal(succeeded.status, 'succeeded');
    });

    it('a funding source PayPal declines fails the payment as a decline', async () => {
      const waiting = await awaitingApproval();
      const back = await buyer(waiting.next_action!.redirect_to_url!.url!, 'approve_declined_funding');
      assertMerchantReturn(await arriveAt(back), waiting, 'failed');
      const failed = await stripe.paymentIntents.retrieve(waiting.id);
      assert.equal(failed.status, 'requires_payment_method');
      assert.equal(failed.last_payment_error?.code, 'card_declined');
      assert.equal((await chargeOf(stripe, failed)).status, 'failed');
      assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderIdOf(waiting)).length, 0);
    });
  });

  describe('manual capture and voids', () => {
    it('authorizes (requires_capture), then captures part: the rest is released', async () => {
      const waiting = await awaitingApproval({ amount: 10_000, captureMethod: 'manual' });
      const orderId = orderIdOf(waiting);
      assert.equal(sandbox.records().orders.find((record) => record.id === orderId)!.intent, 'AUTHORIZE');
      const { intent: authorized, merchantReturn } = await approveAndReturn(waiting);
      assertMerchantReturn(merchantReturn, waiting, 'succeeded');
      assert.equal(authorized.status, 'requires_capture');
      assert.equal(authorized.amount_capturable, 10_000);
      const authorization = sandbox.records().authorizations.find((record) => record.orderId === orderId)!;
      assert.equal(authorization.status, 'CREATED');
      const held = await chargeOf(stripe, authorized);
      assert.equal(held.captured, false);
      assert.equal(held.status, 'succeeded');
      assert.equal((held.payment_method_details?.paypal as { transaction_id?: string }).transaction_id, authorization.id);

      const captured = await stripe.paymentIntents.capture(waiting.id, { amount_to_capture: 6_000 });
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 6_000);
      const charge = await chargeOf(stripe, captured);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 6_000);
      assert.equal(charge.amount_refunded, 4_000, 'the uncaptured rest is released, reported as refunded as at Stripe');
      const captures = sandbox.records().captures.filter((record) => record.orderId === orderId);
      assert.deepEqual(captures.map((record) => [record.amount.value, record.finalCapture, record.authorizationId]), [['60.00', true, authorization.id]]);
      assert.equal(sandbox.records().authorizations.find((record) => record.id === authorization.id)!.status, 'CAPTURED');
    });

    it('cancels an authorized payment by voiding the authorization at PayPal', async () => {
      const waiting = await awaitingApproval({ amount: 4_200, captureMethod: 'manual' });
      const orderId = orderIdOf(waiting);
      const { intent: authorized } = await approveAndReturn(waiting);
      assert.equal(authorized.status, 'requires_capture');
      const canceled = await stripe.paymentIntents.cancel(waiting.id, { cancellation_reason: 'requested_by_customer' });
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.amount_capturable, 0);
      const charge = await chargeOf(stripe, canceled);
      assert.equal(charge.amount_refunded, 4_200, 'a voided authorization is reported as refunded');
      assert.equal(charge.captured, false);
      assert.equal(sandbox.records().authorizations.find((record) => record.orderId === orderId)!.status, 'VOIDED');
      assert.equal(sandbox.records().orders.find((record) => record.id === orderId)!.status, 'VOIDED');
      assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderId).length, 0);
    });
  });

  describe('refunds', () => {
    it('refunds in parts, each settled at once by PayPal', async () => {
      const { intent } = await approveAndReturn(await awaitingApproval({ amount: 5_000 }));
      assert.equal(intent.status, 'succeeded');
      const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 1_250 });
      assert.equal(first.status, 'succeeded');
      const rest = await stripe.refunds.create({ payment_intent: intent.id });
      assert.equal(rest.status, 'succeeded');
      assert.equal(rest.amount, 3_750);
      const charge = await chargeOf(stripe, intent);
      assert.equal(charge.amount_refunded, 5_000);
      assert.equal(charge.refunded, true);
      const refunds = sandbox.records().refunds.filter((record) => record.customId === first.id || record.customId === rest.id);
      assert.deepEqual(refunds.map((record) => [record.customId, record.amount.value, record.status]), [[first.id, '12.50', 'COMPLETED'], [rest.id, '37.50', 'COMPLETED']]);
      await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }), { class: Stripe.errors.StripeInvalidRequestError, code: 'charge_already_refunded', statusCode: 400 });
    });

    it('a refund whose answer is lost stays pending until PayPal\'s PAYMENT.CAPTURE.REFUNDED webhook settles it', async () => {
      const { intent } = await approveAndReturn(await awaitingApproval({ amount: 2_000 }));
      await deliverWebhooks();
      // The refund reads the order first; PayPal then processes the refund but its answer is lost (HTTP 500). PayPal
      // will also deliver its webhook twice.
      afterNextExchange = (path) => {
        assert.match(path, /^\/v2\/checkout\/orders\//);
        sandbox.setFaults({ status5xxRate: 1, webhookDuplicate: true });
      };
      const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 800 });
      sandbox.setFaults({ status5xxRate: 0, webhookDuplicate: false });
      assert.equal(refund.status, 'pending');
      const atPayPal = sandbox.records().refunds.filter((record) => record.customId === refund.id);
      assert.equal(atPayPal.length, 1, 'PayPal made the refund');
      assert.equal((await stripe.refunds.retrieve(refund.id)).status, 'pending');

      await deliverWebhooks();
      const copies = sandbox.records().webhooks.filter((webhook) => webhook.eventType === 'PAYMENT.CAPTURE.REFUNDED' && webhook.resourceId === atPayPal[0].id);
      assert.equal(copies.length, 2, 'PayPal sent the event twice');
      assert.ok(copies.every((copy) => copy.delivered && copy.eventId === copies[0].eventId));
      const settled = await stripe.refunds.retrieve(refund.id);
      assert.equal(settled.status, 'succeeded');
      const charge = await chargeOf(stripe, intent);
      assert.equal(charge.amount_refunded, 800, 'the duplicate changed nothing');
      const applied = await server.db.query('SELECT 1 FROM provider_webhook_events WHERE connector_configuration_id = $1 AND event_key = $2', [configurationId, copies[0].eventId]);
      assert.equal(applied.rowCount, 1);
      assert.equal(sandbox.records().refunds.filter((record) => record.customId === refund.id).length, 1, 'refunded once');
    });
  });

  describe('PayPal webhooks', () => {
    it('CHECKOUT.ORDER.APPROVED completes a payment whose buyer never came back; the late return changes nothing', async () => {
      await deliverWebhooks();
      const waiting = await awaitingApproval({ amount: 3_300 });
      const orderId = orderIdOf(waiting);
      // The buyer approves, but the browser never reaches Payrail's return page.
      const back = await buyer(waiting.next_action!.redirect_to_url!.url!, 'approve');
      assert.equal((await stripe.paymentIntents.retrieve(waiting.id)).status, 'requires_action');
      assert.equal(sandbox.records().webhooks.filter((webhook) => webhook.eventType === 'CHECKOUT.ORDER.APPROVED' && webhook.resourceId === orderId).length, 1);

      await deliverWebhooks();
      const succeeded = await stripe.paymentIntents.retrieve(waiting.id);
      assert.equal(succeeded.status, 'succeeded');
      assert.equal(succeeded.amount_received, 3_300);
      assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderId).length, 1);
      const charge = await chargeOf(stripe, succeeded);
      assert.equal(charge.payrail_routing?.connector, 'paypal');
      assert.equal((charge.payment_method_details?.paypal as { payer_id?: string }).payer_id, back.searchParams.get('PayerID'));
      const processed = (await server.db.query('SELECT kind FROM provider_webhook_events WHERE connector_configuration_id = $1', [configurationId])).rows.map((row) => row.kind as string);
      assert.ok(processed.includes('approval'), 'the approval event is recorded once processed');

      // The buyer's browser arrives late: sent on as succeeded, nothing captured twice.
      assertMerchantReturn(await arriveAt(back), waiting, 'succeeded');
      assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderId).length, 1);
    });

    it('a manual-capture approval through the webhook authorizes the payment (requires_capture)', async () => {
      await deliverWebhooks();
      const waiting = await awaitingApproval({ amount: 2_400, captureMethod: 'manual' });
      await buyer(waiting.next_action!.redirect_to_url!.url!, 'approve');
      await deliverWebhooks();
      const authorized = await stripe.paymentIntents.retrieve(waiting.id);
      assert.equal(authorized.status, 'requires_capture');
      assert.equal(authorized.amount_capturable, 2_400);
      const captured = await stripe.paymentIntents.capture(waiting.id);
      assert.equal(captured.status, 'succeeded');
      assert.equal(sandbox.records().captures.filter((record) => record.orderId === orderIdOf(waiting)).length, 1);
    });

    it('refuses a webhook PayPal did not sign, and changes nothing', async () => {
      const waiting = await awaitingApproval();
      const forged = JSON.stringify({ id: 'WH-FORGED', event_type: 'CHECKOUT.ORDER.APPROVED', resource_type: 'checkout-order', resource: { id: orderIdOf(waiting), status: 'APPROVED' } });
      const response = await realFetch(`${server.baseUrl}/payrail/webhooks/${configurationId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...freshTransmissionHeaders() }, body: forged });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'webhook_not_verified');
      assert.equal((await stripe.paymentIntents.retrieve(waiting.id)).status, 'requires_action');
    });
  });

  describe('without a PayPal configuration', () => {
    it('a paypal PaymentIntent is refused with no_eligible_connector and nothing is recorded', async () => {
      const account = await server.createAccount('No PayPal');
      const paymentMethod = await account.stripe.paymentMethods.create({ type: 'paypal' });
      const intent = await account.stripe.paymentIntents.create(withTypes({ amount: 2000, currency: 'eur', payment_method: paymentMethod.id }, ['paypal']));
      const refused = await expectStripeError(
        account.stripe.paymentIntents.confirm(intent.id, { return_url: merchantReturnUrl }),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'no_eligible_connector', statusCode: 400 },
      );
      assert.match(refused.message, /paypal/);
      const unchanged = await account.stripe.paymentIntents.retrieve(intent.id);
      assert.equal(unchanged.status, 'requires_confirmation');
      assert.equal(unchanged.latest_charge, null);

      await expectStripeError(
        account.stripe.paymentIntents.create(withTypes({ amount: 2000, currency: 'eur', payment_method_data: { type: 'paypal' }, confirm: true, return_url: merchantReturnUrl }, ['paypal'])),
        { class: Stripe.errors.StripeInvalidRequestError, code: 'no_eligible_connector', statusCode: 400 },
      );
      const counts = (await server.db.query(
        `SELECT (SELECT count(*) FROM payment_intents WHERE account_id = $1)::int AS intents,
                (SELECT count(*) FROM charges WHERE account_id = $1)::int AS charges,
                (SELECT count(*) FROM payment_attempts WHERE account_id = $1)::int AS attempts,
                (SELECT count(*) FROM payment_methods WHERE account_id = $1)::int AS payment_methods`,
        [account.accountId],
      )).rows[0];
      assert.deepEqual(counts, { intents: 1, charges: 0, attempts: 0, payment_methods: 1 });
    });
  });

  /** PayPal's transmission headers with a signature the sandbox never made. */
  function freshTransmissionHeaders(): Record<string, string> {
    return {
      'paypal-transmission-id': crypto.randomUUID(),
      'paypal-transmission-time': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'paypal-transmission-sig': 'ab'.repeat(32),
      'paypal-cert-url': `${sandbox.url}/sandbox/paypal/certs/webhook-signing`,
      'paypal-auth-algo': 'HMACSHA256',
    };
  }
});
