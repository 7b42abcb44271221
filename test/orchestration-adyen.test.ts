import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { AttemptRow } from '../src/orchestration/attempts-repository.ts';
import { sweepsOf } from '../src/jobs/sweeps.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { startAdyenSandbox, type AdyenSandbox } from '../src/sandbox/adyen/server.ts';
import { OpenApiSpec } from './helpers/openapi-spec.ts';
import { stripeErrorOf } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';

/*
 * End to end through the official stripe SDK against Payrail with an Adyen connector configuration, the Adyen sandbox
 * running in-process: card payments, declines, 3-D Secure through Adyen's redirect, manual and partial captures,
 * voids, refunds settled by Adyen's REFUND webhooks, webhooks resolving ambiguous payments, the janitor, and failover
 * between two Adyen configurations. Every Checkout API exchange the connector makes is validated against Adyen's
 * published OpenAPI spec, and every webhook the sandbox delivers against the Webhooks spec.
 *
 * Webhooks are delivered on demand (`deliverWebhooks`): the sandbox queues its notifications while no target is set
 * and sends them all when one is, so a test decides when Adyen's asynchronous report reaches Payrail instead of
 * racing it.
 */

const apiKey = 'AQE_orchestration_adyen_test_key';
const hmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const merchantAccount = 'PayrailECOM';
const merchantReturnUrl = 'https://shop.example.com/checkout/return?order=42';
const configurationsPath = '/v1/payrail/connector_configurations';
const routingProfilePath = '/v1/payrail/routing_profile';
/** Connector timeout where the sandbox answers: generous, so a loaded machine does not fail a test. */
const generousTimeoutMs = 30_000;
/** Connector timeout where the sandbox is made never to answer (the wait for it is all the test costs). */
const unansweredTimeoutMs = 2_000;

/** Adyen's documented test cards (src/sandbox/adyen/test-cards.ts). */
const authorisingCard = '4111111145551142';
const threeDSecureCard = '4917610000000000';

// --- OpenAPI validation of the traffic -------------------------------------------------------------------------------

const checkoutSpec = OpenApiSpec.load('adyen/CheckoutService-v71.json');
const webhooksSpec = OpenApiSpec.load('adyen/Webhooks-v1.json');
/** Statuses the sandbox's fault injection produces that Adyen's spec does not document (an outage's 503). */
const undocumentedFaultStatuses = new Set([503]);

interface Exchange {
  sandboxUrl: string;
  path: string;
  idempotencyKey: string | null;
  body: Record<string, unknown>;
  status: number | null;
  response: unknown;
}

const exchanges: Exchange[] = [];
const sandboxUrls = new Set<string>();
/** Runs once after the next Checkout API answer has been read (to change a fault between a request and its retry). */
let afterNextExchange: (() => void) | null = null;
/** Awaited before the next request reaches the sandbox: holds a provider call open for as long as a test needs. */
let beforeNextExchange: (() => Promise<void>) | null = null;
const realFetch = globalThis.fetch;

/** fetch, recording every Checkout API exchange with a sandbox and validating both sides against the spec. */
const recordingFetch: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const sandboxUrl = [...sandboxUrls].find((base) => url.startsWith(`${base}/v71/`));
  if (sandboxUrl === undefined) return realFetch(input, init);
  const path = new URL(url).pathname;
  const operation = checkoutSpec.operationFor(init?.method ?? 'GET', path);
  const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
  checkoutSpec.assertRequest(operation, body);
  const exchange: Exchange = { sandboxUrl, path, idempotencyKey: new Headers(init?.headers).get('idempotency-key'), body, status: null, response: null };
  exchanges.push(exchange);
  const gate = beforeNextExchange;
  beforeNextExchange = null;
  if (gate) await gate();
  const response = await realFetch(input, init);
  exchange.status = response.status;
  const text = await response.clone().text();
  exchange.response = text === '' ? undefined : JSON.parse(text);
  if (!undocumentedFaultStatuses.has(response.status)) checkoutSpec.assertResponse(operation, response.status, exchange.response);
  const hook = afterNextExchange;
  afterNextExchange = null;
  hook?.();
  return response;
};

async function startSandbox(options: { merchantAccounts?: string[] } = {}): Promise<AdyenSandbox> {
  const sandbox = await startAdyenSandbox({ apiKey, hmacKeyHex, merchantAccounts: options.merchantAccounts ?? [merchantAccount] });
  sandboxUrls.add(sandbox.url);
  return sandbox;
}

/**
 * Delivers every notification the sandbox has queued to Payrail's webhook endpoint for `configurationId`, waits until
 * all are delivered, checks each against Adyen's Webhooks spec, and stops delivering again.
 */
async function deliverWebhooks(server: TestServer, sandbox: AdyenSandbox, configurationId: string): Promise<void> {
  sandbox.setWebhookTarget({ url: `${server.baseUrl}/payrail/webhooks/${configurationId}` });
  await sandbox.webhooksIdle();
  sandbox.setWebhookTarget(undefined);
  for (const notification of sandbox.records().notifications) {
    webhooksSpec.assertWebhook(notification.eventCode, notification.body);
    if (notification.attempts > 0) assert.equal(notification.delivered, true, `notification ${notification.eventCode} ${notification.pspReference} was accepted (last status ${notification.lastStatus})`);
  }
}

// --- Payrail helpers -------------------------------------------------------------------------------------------------

async function configureAdyen(account: TestAccount, sandbox: AdyenSandbox, options: { priority?: number; merchantAccount?: string } = {}): Promise<string> {
  const created = await account.stripe.rawRequest('POST', configurationsPath, {
    connector: 'adyen',
    credentials: { api_key: apiKey, hmac_key: hmacKeyHex },
    settings: { merchant_account: options.merchantAccount ?? merchantAccount, base_url: sandbox.url },
    priority: options.priority ?? 1,
  });
  assert.match(created.id, /^pcc_/);
  return created.id as string;
}

async function card(stripe: Stripe, number: string): Promise<string> {
  const paymentMethod = await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 3, exp_year: 2030, cvc: '737' } });
  return paymentMethod.id;
}

/** The charge with Payrail's `payrail_routing` extension. */
type RoutedCharge = Stripe.Charge & {
  payrail_routing: {
    connector: string;
    connector_configuration: string | null;
    attempt: string;
    capture_status: string | null;
    strategy?: string;
    attempts?: { id: string; connector: string; connector_configuration: string | null; status: string; decline_code: string | null; failure_code: string | null; latency_ms: number | null; routing_reason: string }[];
  } | null;
};

async function chargeOf(stripe: Stripe, intent: Stripe.PaymentIntent): Promise<RoutedCharge> {
  assert.equal(typeof intent.latest_charge, 'string', 'the intent has a charge');
  return (await stripe.charges.retrieve(intent.latest_charge as string)) as unknown as RoutedCharge;
}

async function attemptsOf(server: TestServer, chargeId: string): Promise<AttemptRow[]> {
  return (await server.db.query<AttemptRow>('SELECT * FROM payment_attempts WHERE charge_id = $1 ORDER BY position', [chargeId])).rows;
}

async function attemptsOfIntent(server: TestServer, intentId: string): Promise<AttemptRow[]> {
  return (await server.db.query<AttemptRow>('SELECT * FROM payment_attempts WHERE payment_intent_id = $1 ORDER BY started_at, position', [intentId])).rows;
}

async function eventCount(server: TestServer, type: string, objectId: string): Promise<number> {
  const result = await server.db.query<{ count: string }>(`SELECT count(*) FROM events WHERE type = $1 AND data->'object'->>'id' = $2`, [type, objectId]);
  return Number(result.rows[0].count);
}

function paymentsAt(sandbox: AdyenSandbox, attemptId: string) {
  return sandbox.records().payments.filter((payment) => payment.merchantReference === attemptId);
}

function modificationsAt(sandbox: AdyenSandbox, pspReference: string) {
  return sandbox.records().modifications.filter((modification) => modification.paymentPspReference === pspReference);
}


describe('Adyen through Payrail, end to end with the stripe SDK', () => {
  let server: TestServer;
  let stripe: Stripe;
  let sandbox: AdyenSandbox;
  let configuration: string;

  before(async () => {
    // A generous connector timeout: the sandbox answers every request here, slowly only when the machine is loaded.
    server = await startTestServer({ orchestration: { connectorTimeoutMs: generousTimeoutMs, inlineSyncDelayMs: 10 } });
    stripe = server.account.stripe;
    globalThis.fetch = recordingFetch;
    sandbox = await startSandbox();
    configuration = await configureAdyen(server.account, sandbox);
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await sandbox.close();
    await server.close();
  });
  afterEach(() => {
    sandbox.setFaults({ timeoutRate: 0, status5xxRate: 0, errorRate: 0, outage: false, webhookDuplicate: false });
    afterNextExchange = null;
    beforeNextExchange = null;
  });

  describe('card payments', () => {
    it('authorizes and captures a card through Adyen, with the routing on the charge and one attempt', async () => {
      const paymentMethod = await card(stripe, authorisingCard);
      const intent = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: paymentMethod, confirm: true, return_url: merchantReturnUrl });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.amount_received, 2000);

      const charge = await chargeOf(stripe, intent);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 2000);
      assert.equal(charge.payment_method_details?.card?.three_d_secure, null);
      const routing = charge.payrail_routing;
      assert.ok(routing, 'payrail_routing is set');
      assert.equal(routing.connector, 'adyen');
      assert.equal(routing.connector_configuration, configuration);
      assert.equal(routing.attempts?.length, 1);
      assert.deepEqual(
        { ...routing.attempts![0], latency_ms: typeof routing.attempts![0].latency_ms },
        { id: routing.attempt, connector: 'adyen', connector_configuration: configuration, status: 'authorized', decline_code: null, failure_code: null, latency_ms: 'number', routing_reason: routing.attempts![0].routing_reason },
      );

      const [attempt, ...others] = await attemptsOf(server, charge.id);
      assert.equal(others.length, 0);
      assert.equal(attempt.id, routing.attempt);
      assert.equal(attempt.status, 'authorized');
      assert.equal(attempt.position, 1);
      assert.equal(attempt.connector_configuration_id, configuration);
      assert.equal(attempt.next_sync_at, null);
      assert.equal(attempt.sync_count, 0);

      // What Adyen received and did.
      const [payment, ...morePayments] = paymentsAt(sandbox, attempt.id);
      assert.equal(morePayments.length, 0, 'one authorization at Adyen');
      assert.equal(payment.pspReference, attempt.processor_reference);
      assert.equal(payment.status, 'authorised');
      assert.deepEqual(payment.amount, { currency: 'USD', value: 2000 });
      assert.equal(payment.captureMode, 'immediate');
      assert.equal(payment.capturedValue, 2000);
      const request = exchanges.find((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attempt.id);
      assert.ok(request);
      assert.equal(request.idempotencyKey, `payrail.${attempt.id}.authorize`);
      assert.equal(request.body.captureDelayHours, 0);
      assert.equal(request.body.returnUrl, `${server.baseUrl}/payrail/return/${attempt.id}`);

      // The capture reached the ledger: one charge balance transaction for the full amount.
      assert.equal(typeof charge.balance_transaction, 'string');
      const balanceTransaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
      assert.equal(balanceTransaction.amount, 2000);
      assert.equal(balanceTransaction.source, charge.id);

      // Adyen's AUTHORISATION webhook for a payment Payrail already applied changes nothing.
      await deliverWebhooks(server, sandbox, configuration);
      assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
      assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
    });

    it('declines a card Adyen refuses, with the mapped decline code on the error, charge and attempt', async () => {
      // Stripe's 4242 test card is not one of Adyen's: Adyen's test platform refuses it as "Invalid Card Number".
      const paymentMethod = await card(stripe, '4242424242424242');
      const error = await stripeErrorOf(stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: paymentMethod, confirm: true }));
      assert.ok(error instanceof Stripe.errors.StripeCardError, `expected a card error, got ${error.constructor.name}`);
      assert.equal(error.statusCode, 402);
      assert.equal(error.code, 'incorrect_number');
      assert.equal(error.decline_code, 'incorrect_number');
      const failedIntent = (error.raw as { payment_intent?: Stripe.PaymentIntent }).payment_intent;
      assert.ok(failedIntent);
      assert.equal(failedIntent.status, 'requires_payment_method');
      assert.equal(failedIntent.last_payment_error?.decline_code, 'incorrect_number');

      const charge = await chargeOf(stripe, failedIntent);
      assert.equal(charge.status, 'failed');
      assert.equal(charge.failure_code, 'incorrect_number');
      assert.equal(charge.outcome?.network_status, 'declined_by_network');
      assert.equal(charge.payrail_routing?.connector, 'adyen');
      assert.equal(charge.payrail_routing?.attempts?.length, 1);
      assert.equal(charge.payrail_routing?.attempts?.[0].status, 'declined');
      assert.equal(charge.payrail_routing?.attempts?.[0].decline_code, 'incorrect_number');

      const [attempt, ...others] = await attemptsOf(server, charge.id);
      assert.equal(others.length, 0, 'a hard decline is not retried');
      assert.equal(attempt.status, 'declined');
      assert.equal(attempt.decline_code, 'incorrect_number');
      assert.equal(attempt.failure_code, 'incorrect_number');
      const [payment] = paymentsAt(sandbox, attempt.id);
      assert.equal(payment.status, 'refused');
      assert.equal(payment.refusalReason, 'Invalid Card Number');
      assert.equal(attempt.processor_reference, payment.pspReference);
      assert.equal(await eventCount(server, 'payment_intent.payment_failed', failedIntent.id), 1);
    });

    it('refuses with insufficient_funds when the holder name is Adyen\'s NOT_ENOUGH_BALANCE trigger', async () => {
      const paymentMethod = await stripe.paymentMethods.create({
        type: 'card',
        card: { number: authorisingCard, exp_month: 3, exp_year: 2030, cvc: '737' },
        billing_details: { name: 'NOT_ENOUGH_BALANCE' },
      });
      const error = await stripeErrorOf(stripe.paymentIntents.create({ amount: 1500, currency: 'usd', payment_method: paymentMethod.id, confirm: true }));
      assert.ok(error instanceof Stripe.errors.StripeCardError, `expected a card error, got ${error.constructor.name}`);
      assert.equal(error.code, 'card_declined');
      assert.equal(error.decline_code, 'insufficient_funds');
      const failedIntent = (error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent;
      assert.equal(failedIntent.status, 'requires_payment_method');
      const charge = await chargeOf(stripe, failedIntent);
      assert.equal(charge.status, 'failed');
      assert.equal(charge.failure_code, 'card_declined');
      assert.equal(charge.outcome?.reason, 'insufficient_funds');
      const [attempt, ...others] = await attemptsOf(server, charge.id);
      assert.equal(others.length, 0);
      assert.equal(attempt.status, 'declined');
      assert.equal(attempt.decline_code, 'insufficient_funds');
      assert.equal(attempt.failure_code, 'card_declined');
      const [payment] = paymentsAt(sandbox, attempt.id);
      assert.equal(payment.holderName, 'NOT_ENOUGH_BALANCE');
      assert.equal(payment.refusalReason, 'Not enough balance');
      assert.equal(payment.status, 'refused');
    });
  });

  describe('3-D Secure through Adyen\'s redirect', () => {
    /** Confirms with the 3-D Secure card and returns the intent waiting for the shopper, at the sandbox's challenge page. */
    async function requireAction(): Promise<{ intent: Stripe.PaymentIntent; challengeUrl: string }> {
      const paymentMethod = await card(stripe, threeDSecureCard);
      const intent = await stripe.paymentIntents.create({ amount: 3100, currency: 'usd', payment_method: paymentMethod, confirm: true, return_url: merchantReturnUrl });
      assert.equal(intent.status, 'requires_action');
      assert.equal(intent.next_action?.type, 'redirect_to_url');
      const challengeUrl = intent.next_action?.redirect_to_url?.url;
      assert.ok(challengeUrl);
      assert.ok(challengeUrl.startsWith(`${sandbox.url}/sandbox/3ds/`), challengeUrl);
      assert.equal(intent.next_action?.redirect_to_url?.return_url, merchantReturnUrl);
      return { intent, challengeUrl };
    }

    /**
     * The shopper's browser: opens the challenge page, submits its form, follows Adyen's redirect to Payrail's return
     * page, and returns Payrail's answer there (not followed).
     */
    async function authenticate(challengeUrl: string, password: string, attemptId: string): Promise<Response> {
      const page = await fetch(challengeUrl);
      assert.equal(page.status, 200);
      const html = await page.text();
      const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
      assert.ok(action, 'the challenge page has a form');
      assert.match(html, /name="password"/);
      const submitted = await fetch(new URL(action, challengeUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password }).toString(),
        redirect: 'manual',
      });
      assert.ok(submitted.status === 302 || submitted.status === 303, `the challenge redirects back (HTTP ${submitted.status})`);
      const back = submitted.headers.get('location');
      assert.ok(back);
      const backUrl = new URL(back);
      assert.equal(backUrl.origin + backUrl.pathname, `${server.baseUrl}/payrail/return/${attemptId}`);
      assert.ok(backUrl.searchParams.get('redirectResult'), 'Adyen adds a redirectResult');
      return fetch(backUrl, { redirect: 'manual' });
    }

    function expectMerchantReturn(response: Response, intent: Stripe.PaymentIntent, redirectStatus: 'succeeded' | 'failed'): void {
      assert.equal(response.status, 303);
      const location = response.headers.get('location');
      assert.ok(location);
      const target = new URL(location);
      assert.equal(target.origin + target.pathname, 'https://shop.example.com/checkout/return');
      assert.equal(target.searchParams.get('order'), '42');
      assert.equal(target.searchParams.get('payment_intent'), intent.id);
      assert.equal(target.searchParams.get('payment_intent_client_secret'), intent.client_secret);
      assert.equal(target.searchParams.get('redirect_status'), redirectStatus);
    }

    it('completes a challenge: requires_action at Adyen\'s page, then succeeded with three_d_secure on the charge', async () => {
      const { intent, challengeUrl } = await requireAction();
      const waitingCharge = await chargeOf(stripe, intent);
      assert.equal(waitingCharge.status, 'pending');
      const [waiting] = await attemptsOf(server, waitingCharge.id);
      assert.equal(waiting.status, 'requires_action');
      assert.equal(waiting.redirect?.url, challengeUrl);

      const returned = await authenticate(challengeUrl, 'password', waiting.id);
      expectMerchantReturn(returned, intent, 'succeeded');

      const succeeded = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(succeeded.status, 'succeeded');
      assert.equal(succeeded.amount_received, 3100);
      const charge = await chargeOf(stripe, succeeded);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.captured, true);
      assert.equal(charge.payment_method_details?.card?.three_d_secure?.result, 'authenticated');
      assert.equal(charge.payrail_routing?.connector, 'adyen');
      assert.equal(charge.payrail_routing?.attempts?.[0].status, 'authorized');
      const [attempt, ...others] = await attemptsOf(server, charge.id);
      assert.equal(others.length, 0);
      assert.equal(attempt.status, 'authorized');

      const [payment, ...morePayments] = paymentsAt(sandbox, attempt.id);
      assert.equal(morePayments.length, 0);
      assert.equal(payment.authentication, 'authenticated');
      assert.equal(payment.status, 'authorised');
      assert.equal(payment.capturedValue, 3100);
      const details = exchanges.filter((exchange) => exchange.path === '/v71/payments/details' && exchange.idempotencyKey === `payrail.${attempt.id}.details`);
      assert.equal(details.length, 1);

      // The return page reloaded (the shopper's back button) changes nothing and still sends them on.
      const again = await fetch(`${server.baseUrl}/payrail/return/${attempt.id}?redirectResult=stale`, { redirect: 'manual' });
      expectMerchantReturn(again, intent, 'succeeded');
      assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
    });

    it('fails a challenge with the wrong password: requires_payment_method with an authentication failure', async () => {
      const { intent, challengeUrl } = await requireAction();
      const waitingCharge = await chargeOf(stripe, intent);
      const [waiting] = await attemptsOf(server, waitingCharge.id);

      const returned = await authenticate(challengeUrl, 'wrong-password', waiting.id);
      expectMerchantReturn(returned, intent, 'failed');

      const failed = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(failed.status, 'requires_payment_method');
      // As at Stripe: a failed authentication is payment_intent_authentication_failure, not an issuer decline.
      assert.equal(failed.last_payment_error?.type, 'card_error');
      assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
      assert.equal(failed.payment_method, null);
      const charge = await chargeOf(stripe, intent);
      assert.equal(charge.status, 'failed');
      assert.equal(charge.payment_method_details?.card?.three_d_secure, null, 'a failed challenge is not shown as authenticated');
      assert.equal(charge.payrail_routing?.attempts?.[0].decline_code, 'authentication_required');
      const [attempt] = await attemptsOf(server, charge.id);
      assert.equal(attempt.status, 'declined');
      assert.equal(attempt.decline_code, 'authentication_required');
      const [payment] = paymentsAt(sandbox, attempt.id);
      assert.equal(payment.authentication, 'failed');
      assert.equal(payment.status, 'refused');
      assert.equal(payment.capturedValue, 0);
    });
  });

  describe('SetupIntents', () => {
    /**
     * The shopper's browser on Adyen's 3-D Secure page (through Payrail's POST form when Adyen asks for one): passes it,
     * comes back to Payrail's return page (`back`), and returns where that page sent it and the page's address.
     */
    async function passAdyenChallenge(challengeUrl: string, back: string): Promise<{ returned: Response; returnPage: URL }> {
      let page = await fetch(challengeUrl);
      let html = await page.text();
      const redirectForm = /<form id="redirect" method="post" action="([^"]+)">(.*?)<\/form>/s.exec(html);
      if (redirectForm) {
        const fields = new URLSearchParams([...redirectForm[2].matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((match): [string, string] => [match[1], match[2].replace(/&amp;/g, '&')]));
        page = await fetch(redirectForm[1].replace(/&amp;/g, '&'), { method: 'POST', body: fields });
        html = await page.text();
      }
      const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
      assert.ok(action, 'Adyen\'s challenge page has a form');
      const submitted = await fetch(new URL(action, page.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ password: 'password' }).toString(), redirect: 'manual' });
      const returnPage = new URL(submitted.headers.get('location')!);
      assert.equal(returnPage.origin + returnPage.pathname, back);
      const returned = await fetch(returnPage, { redirect: 'manual' });
      assert.equal(returned.status, 303);
      return { returned, returnPage };
    }

    it('verifies and stores a card at Adyen with a zero-value payment, keeping Adyen\'s token for the PaymentMethod', async () => {
      const customer = await stripe.customers.create({ email: 'saver@example.com' });
      const paymentMethod = await card(stripe, authorisingCard);
      const intent = await stripe.setupIntents.create({ customer: customer.id, payment_method: paymentMethod, confirm: true, usage: 'off_session', return_url: merchantReturnUrl });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.payment_method, paymentMethod);
      assert.equal((await stripe.paymentMethods.retrieve(paymentMethod)).customer, customer.id, 'the verified card is attached to the customer');

      const attemptId = intent.latest_attempt as string;
      const [payment, ...more] = paymentsAt(sandbox, attemptId);
      assert.equal(more.length, 0, 'one verification at Adyen');
      assert.equal(payment.amount.value, 0);
      assert.equal(payment.capturedValue, 0, 'a verification holds and captures nothing');
      const request = exchanges.find((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attemptId);
      assert.ok(request);
      assert.equal(request.idempotencyKey, `payrail.${attemptId}.verify`);
      assert.equal(request.body.storePaymentMethod, true);
      assert.equal(request.body.shopperReference, customer.id);
      assert.equal(request.body.recurringProcessingModel, 'UnscheduledCardOnFile', 'usage off_session is an unscheduled card on file');
      assert.equal(request.body.shopperInteraction, 'Ecommerce');

      const stored = sandbox.records().storedPaymentMethods.filter((method) => method.firstPspReference === payment.pspReference);
      assert.equal(stored.length, 1);
      const references = await server.db.query<{ connector: string; connector_configuration_key: string; provider_token: string; shopper_reference: string; network_transaction_id: string; usage: string; source_attempt_id: string }>(
        'SELECT * FROM payment_method_provider_references WHERE payment_method_id = $1', [paymentMethod]);
      assert.deepEqual(references.rows.map((row) => [row.connector, row.connector_configuration_key, row.provider_token, row.shopper_reference, row.network_transaction_id, row.usage, row.source_attempt_id]), [
        ['adyen', configuration, stored[0].storedPaymentMethodId, customer.id, stored[0].networkTxReference, 'off_session', attemptId],
      ]);
      assert.equal(await eventCount(server, 'setup_intent.succeeded', intent.id), 1);
    });

    it('passes Adyen\'s 3-D Secure on setup: requires_action at Adyen\'s page, then succeeded once the shopper returns', async () => {
      const paymentMethod = await card(stripe, threeDSecureCard);
      const intent = await stripe.setupIntents.create({ payment_method: paymentMethod, confirm: true, usage: 'on_session', return_url: merchantReturnUrl });
      assert.equal(intent.status, 'requires_action');
      assert.equal(intent.next_action?.type, 'redirect_to_url');
      const challengeUrl = intent.next_action?.redirect_to_url?.url;
      assert.ok(challengeUrl);
      const attemptId = intent.latest_attempt as string;
      const [waiting] = paymentsAt(sandbox, attemptId);
      assert.equal(waiting.authentication, 'pending');
      assert.equal(sandbox.records().storedPaymentMethods.filter((method) => method.firstPspReference === waiting.pspReference).length, 0, 'nothing stored before the challenge');

      const { returned, returnPage: back } = await passAdyenChallenge(challengeUrl, `${server.baseUrl}/payrail/setup_return/${attemptId}`);
      const target = new URL(returned.headers.get('location')!);
      assert.equal(target.origin + target.pathname, 'https://shop.example.com/checkout/return');
      assert.equal(target.searchParams.get('setup_intent'), intent.id);
      assert.equal(target.searchParams.get('redirect_status'), 'succeeded');

      const succeeded = await stripe.setupIntents.retrieve(intent.id);
      assert.equal(succeeded.status, 'succeeded');
      const [payment] = paymentsAt(sandbox, attemptId);
      assert.equal(payment.authentication, 'authenticated');
      const details = exchanges.filter((exchange) => exchange.path === '/v71/payments/details' && exchange.idempotencyKey === `payrail.${attemptId}.details`);
      assert.equal(details.length, 1);
      const verify = exchanges.find((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attemptId);
      assert.equal(verify?.body.recurringProcessingModel, 'CardOnFile', 'usage on_session is a card on file');
      const stored = sandbox.records().storedPaymentMethods.filter((method) => method.firstPspReference === payment.pspReference);
      assert.equal(stored.length, 1, 'stored once the challenge is passed');
      // The shopper's back button: the return page again changes nothing.
      const again = await fetch(back, { redirect: 'manual' });
      assert.equal(again.status, 303);
      assert.equal(await eventCount(server, 'setup_intent.succeeded', intent.id), 1);
    });

    it('charges a card Adyen stored as a merchant-initiated payment: its token, ContAuth, no card number sent', async () => {
      const customer = await stripe.customers.create({});
      const paymentMethod = await card(stripe, threeDSecureCard);
      // Set up with 3-D Secure at Adyen, as a card in Europe is.
      const setup = await stripe.setupIntents.create({ customer: customer.id, payment_method: paymentMethod, confirm: true, usage: 'off_session', return_url: merchantReturnUrl });
      assert.equal(setup.status, 'requires_action');
      await passAdyenChallenge(setup.next_action!.redirect_to_url!.url!, `${server.baseUrl}/payrail/setup_return/${setup.latest_attempt as string}`);
      assert.equal((await stripe.setupIntents.retrieve(setup.id)).status, 'succeeded');
      const [stored] = sandbox.records().storedPaymentMethods.filter((method) => method.shopperReference === customer.id);
      assert.ok(stored);

      // The merchant charges it later, without the customer: no challenge, although the card asks for one on session.
      const intent = await stripe.paymentIntents.create({ amount: 4900, currency: 'eur', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true });
      assert.equal(intent.status, 'succeeded');
      const [attempt] = await attemptsOfIntent(server, intent.id);
      assert.equal(attempt.merchant_initiated, true);
      const request = exchanges.find((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attempt.id);
      assert.ok(request);
      assert.deepEqual(request.body.paymentMethod, { type: 'scheme', storedPaymentMethodId: stored.storedPaymentMethodId });
      assert.equal(request.body.shopperInteraction, 'ContAuth');
      assert.equal(request.body.recurringProcessingModel, 'UnscheduledCardOnFile');
      assert.equal(request.body.shopperReference, customer.id);
      assert.ok(!JSON.stringify(request.body).includes(threeDSecureCard), 'the card number is not sent: Adyen has it');
      const [payment] = paymentsAt(sandbox, attempt.id);
      assert.equal(payment.shopperInteraction, 'ContAuth');
      assert.equal(payment.storedPaymentMethodId, stored.storedPaymentMethodId);
      assert.equal(payment.authentication, undefined, 'no challenge');
      assert.equal(payment.capturedValue, 4900);
    });

    it('saves a card with setup_future_usage on a payment at Adyen, then charges it off-session with the token Adyen returned', async () => {
      const customer = await stripe.customers.create({});
      const paymentMethod = await card(stripe, authorisingCard);
      const first = await stripe.paymentIntents.create({ amount: 3000, currency: 'eur', customer: customer.id, payment_method: paymentMethod, setup_future_usage: 'off_session', confirm: true });
      assert.equal(first.status, 'succeeded');
      const [firstAttempt] = await attemptsOfIntent(server, first.id);
      const saving = exchanges.find((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === firstAttempt.id);
      assert.equal(saving?.body.storePaymentMethod, true);
      assert.equal(saving?.body.shopperReference, customer.id);
      assert.equal(saving?.body.recurringProcessingModel, 'UnscheduledCardOnFile');
      assert.equal(saving?.body.shopperInteraction, 'Ecommerce');
      const [stored] = sandbox.records().storedPaymentMethods.filter((method) => method.firstPspReference === paymentsAt(sandbox, firstAttempt.id)[0].pspReference);
      assert.ok(stored, 'Adyen stored the card');
      const charge = await chargeOf(stripe, first);
      assert.equal((charge.payment_method_details?.card as { network_transaction_id?: string | null }).network_transaction_id, stored.networkTxReference);
      const references = await server.db.query<{ provider_token: string; source_attempt_id: string }>('SELECT provider_token, source_attempt_id FROM payment_method_provider_references WHERE payment_method_id = $1', [paymentMethod]);
      assert.deepEqual(references.rows, [{ provider_token: stored.storedPaymentMethodId, source_attempt_id: firstAttempt.id }]);

      const later = await stripe.paymentIntents.create({ amount: 1100, currency: 'eur', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true });
      assert.equal(later.status, 'succeeded');
      const [laterAttempt] = await attemptsOfIntent(server, later.id);
      const [payment] = paymentsAt(sandbox, laterAttempt.id);
      assert.equal(payment.storedPaymentMethodId, stored.storedPaymentMethodId);
      assert.equal(payment.shopperInteraction, 'ContAuth');
    });

    it('sends an off-session payment of a card never set up at Adyen as a one-off payment', async () => {
      const customer = await stripe.customers.create({});
      const paymentMethod = await card(stripe, authorisingCard);
      await stripe.paymentMethods.attach(paymentMethod, { customer: customer.id });
      const intent = await stripe.paymentIntents.create({ amount: 700, currency: 'eur', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true });
      assert.equal(intent.status, 'succeeded');
      const [attempt] = await attemptsOfIntent(server, intent.id);
      const request = exchanges.find((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attempt.id);
      assert.equal(request?.body.shopperInteraction, 'Ecommerce');
      assert.equal((request?.body.paymentMethod as { number?: string }).number, authorisingCard);
    });

    it('fails a SetupIntent whose card Adyen refuses, storing nothing', async () => {
      const paymentMethod = await stripe.paymentMethods.create({ type: 'card', card: { number: authorisingCard, exp_month: 3, exp_year: 2030, cvc: '737' }, billing_details: { name: 'DECLINED' } });
      const error = await stripeErrorOf(stripe.setupIntents.create({ payment_method: paymentMethod.id, confirm: true }));
      assert.ok(error instanceof Stripe.errors.StripeCardError);
      const failed = (error.raw as { setup_intent: Stripe.SetupIntent }).setup_intent;
      assert.equal(failed.status, 'requires_payment_method');
      const [payment] = paymentsAt(sandbox, failed.latest_attempt as string);
      assert.equal(payment.status, 'refused');
      assert.equal(sandbox.records().storedPaymentMethods.filter((method) => method.firstPspReference === payment.pspReference).length, 0);
      const references = await server.db.query('SELECT 1 FROM payment_method_provider_references WHERE payment_method_id = $1', [paymentMethod.id]);
      assert.equal(references.rowCount, 0);
    });
  });

  describe('manual capture', () => {
    async function authorize(amount: number): Promise<{ intent: Stripe.PaymentIntent; attempt: AttemptRow }> {
      const paymentMethod = await card(stripe, authorisingCard);
      const intent = await stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: paymentMethod, confirm: true, capture_method: 'manual' });
      assert.equal(intent.status, 'requires_capture');
      assert.equal(intent.amount_capturable, amount);
      const charge = await chargeOf(stripe, intent);
      assert.equal(charge.captured, false);
      assert.equal(charge.status, 'succeeded');
      const [attempt] = await attemptsOf(server, charge.id);
      assert.equal(attempt.status, 'authorized');
      const [payment] = paymentsAt(sandbox, attempt.id);
      assert.equal(payment.captureMode, 'manual');
      assert.equal(payment.capturedValue, 0);
      const request = exchanges.find((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attempt.id);
      assert.deepEqual(request?.body.additionalData, { manualCapture: 'true' });
      return { intent, attempt };
    }

    it('captures an authorization in full', async () => {
      const { intent, attempt } = await authorize(2500);
      const captured = await stripe.paymentIntents.capture(intent.id);
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 2500);
      assert.equal(captured.amount_capturable, 0);
      const charge = await chargeOf(stripe, captured);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 2500);

      const captures = modificationsAt(sandbox, attempt.processor_reference!).filter((modification) => modification.kind === 'capture');
      assert.equal(captures.length, 1);
      assert.deepEqual(captures[0].amount, { currency: 'USD', value: 2500 });
      assert.equal(captures[0].status, 'succeeded');
      assert.equal(captures[0].reference, attempt.id);
      assert.equal(captures[0].idempotencyKey, `payrail.${attempt.id}.capture`);

      // Adyen's CAPTURE webhook confirms the capture on the charge.
      assert.equal(charge.payrail_routing?.capture_status, null);
      await deliverWebhooks(server, sandbox, configuration);
      assert.equal((await chargeOf(stripe, captured)).payrail_routing?.capture_status, 'succeeded');
      assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
    });

    it('holds no lock while Adyen works on a capture: other writes go ahead, a cancel or another amount is refused', async () => {
      // Its own account and configuration; the connector timeout is generous: the capture is held open below.
      const merchant = await server.createAccount('capture without lock');
      await configureAdyen(merchant, sandbox);
      const paymentMethod = await card(merchant.stripe, authorisingCard);
      const intent = await merchant.stripe.paymentIntents.create({ amount: 2200, currency: 'usd', payment_method: paymentMethod, confirm: true, capture_method: 'manual' });
      assert.equal(intent.status, 'requires_capture');

      let release!: () => void;
      const released = new Promise<void>((resolve) => { release = resolve; });
      let sent!: () => void;
      const captureSent = new Promise<void>((resolve) => { sent = resolve; });
      beforeNextExchange = async () => {
        sent();
        await released;
      };
      const finished: string[] = [];
      const capturing = merchant.stripe.paymentIntents.capture(intent.id).then((captured) => {
        finished.push('capture');
        return captured;
      });
      await captureSent;
      const reservation = async () => (await server.db.query<{ capture_status: string | null }>('SELECT capture_status FROM charges WHERE payment_intent_id = $1', [intent.id])).rows[0]?.capture_status;
      assert.equal(await reservation(), 'pending', 'the capture is reserved before Adyen is asked');
      // Writing the intent takes its row lock: it goes ahead while the capture waits for Adyen.
      await merchant.stripe.paymentIntents.update(intent.id, { metadata: { order: 'A-7' } });
      finished.push('update');
      const cancel = await stripeErrorOf(merchant.stripe.paymentIntents.cancel(intent.id));
      assert.equal(cancel.code, 'payment_intent_unexpected_state');
      const otherAmount = await stripeErrorOf(merchant.stripe.paymentIntents.capture(intent.id, { amount_to_capture: 100 }));
      assert.equal(otherAmount.code, 'payment_intent_unexpected_state');
      release();

      const captured = await capturing;
      assert.deepEqual(finished, ['update', 'capture']);
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 2200);
      assert.equal(captured.metadata.order, 'A-7');
      assert.equal(await reservation(), null, 'the reservation ends with the capture');
    });

    it('keeps a capture in doubt from being canceled, and posts it once Adyen reports it', async () => {
      const { intent, attempt } = await authorize(4400);
      // Adyen captures, then answers 500: Payrail cannot tell whether the capture happened.
      sandbox.setFaults({ status5xxRate: 1 });
      const inDoubt = await stripeErrorOf(stripe.paymentIntents.capture(intent.id, { amount_to_capture: 4000 }));
      sandbox.setFaults({ status5xxRate: 0 });
      assert.equal(inDoubt.statusCode, 402);
      assert.equal(inDoubt.code, 'processing_error');
      assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'requires_capture');
      const row = (await server.db.query('SELECT capture_status, capture_requested_amount FROM charges WHERE attempt_id = $1', [attempt.id])).rows[0];
      assert.deepEqual(row, { capture_status: 'pending', capture_requested_amount: 4000 });

      // Releasing the authorization now could leave money Adyen captured while Payrail shows the intent canceled.
      const cancel = await stripeErrorOf(stripe.paymentIntents.cancel(intent.id));
      assert.equal(cancel.statusCode, 400);
      assert.equal(cancel.code, 'payment_intent_unexpected_state');
      // A retry with another amount could capture twice.
      const otherAmount = await stripeErrorOf(stripe.paymentIntents.capture(intent.id, { amount_to_capture: 1000 }));
      assert.equal(otherAmount.code, 'payment_intent_unexpected_state');
      assert.equal(otherAmount.param, 'amount_to_capture');

      // Adyen's CAPTURE webhook settles it: the capture is posted once, for the amount asked.
      await deliverWebhooks(server, sandbox, configuration);
      const settled = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(settled.status, 'succeeded');
      assert.equal(settled.amount_received, 4000);
      const charge = await chargeOf(stripe, settled);
      assert.equal(charge.amount_captured, 4000);
      assert.equal(charge.payrail_routing?.capture_status, 'succeeded');
      const captures = modificationsAt(sandbox, attempt.processor_reference!).filter((modification) => modification.kind === 'capture');
      assert.equal(captures.length, 1, 'one capture at Adyen');
      assert.equal((await server.db.query('SELECT id FROM balance_transactions WHERE source_id = $1', [charge.id])).rowCount, 1);
      assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
    });

    it('settles a capture in doubt by retrying it: Adyen replays the capture it made', async () => {
      const { intent, attempt } = await authorize(3600);
      sandbox.setFaults({ status5xxRate: 1 });
      await stripeErrorOf(stripe.paymentIntents.capture(intent.id));
      sandbox.setFaults({ status5xxRate: 0 });
      const retried = await stripe.paymentIntents.capture(intent.id);
      assert.equal(retried.status, 'succeeded');
      assert.equal(retried.amount_received, 3600);
      const captures = modificationsAt(sandbox, attempt.processor_reference!).filter((modification) => modification.kind === 'capture');
      assert.equal(captures.length, 1, 'the retry did not capture again');
      const row = (await server.db.query('SELECT capture_status, capture_requested_amount FROM charges WHERE attempt_id = $1', [attempt.id])).rows[0];
      assert.deepEqual(row, { capture_status: null, capture_requested_amount: null });
    });

    it('captures part of an authorization and releases the rest', async () => {
      const { intent, attempt } = await authorize(5000);
      const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3000 });
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 3000);
      const charge = await chargeOf(stripe, captured);
      assert.equal(charge.amount, 5000);
      assert.equal(charge.amount_captured, 3000);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_refunded, 2000, 'the released remainder shows as refunded, as at Stripe');
      const balanceTransaction = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
      assert.equal(balanceTransaction.amount, 3000);

      const captures = modificationsAt(sandbox, attempt.processor_reference!).filter((modification) => modification.kind === 'capture');
      assert.equal(captures.length, 1);
      assert.deepEqual(captures[0].amount, { currency: 'USD', value: 3000 });
      const [payment] = paymentsAt(sandbox, attempt.id);
      assert.equal(payment.capturedValue, 3000);
    });

    it('voids an authorization when the intent is canceled', async () => {
      const { intent, attempt } = await authorize(1800);
      const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'requested_by_customer' });
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.amount_capturable, 0);
      const charge = await chargeOf(stripe, canceled);
      assert.equal(charge.captured, false);
      assert.equal(charge.refunded, true, 'a released authorization shows as refunded, as at Stripe');

      const cancels = modificationsAt(sandbox, attempt.processor_reference!).filter((modification) => modification.kind === 'cancel');
      assert.equal(cancels.length, 1);
      assert.equal(cancels[0].status, 'succeeded');
      assert.equal(cancels[0].reference, attempt.id);
      assert.equal(paymentsAt(sandbox, attempt.id)[0].status, 'cancelled');
      assert.equal(modificationsAt(sandbox, attempt.processor_reference!).filter((modification) => modification.kind === 'capture').length, 0);

      // Adyen's CANCELLATION webhook changes nothing more.
      await deliverWebhooks(server, sandbox, configuration);
      assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'canceled');
    });
  });

  describe('refunds', () => {
    async function capturedPayment(amount: number): Promise<{ intent: Stripe.PaymentIntent; attempt: AttemptRow }> {
      const paymentMethod = await card(stripe, authorisingCard);
      const intent = await stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: paymentMethod, confirm: true });
      assert.equal(intent.status, 'succeeded');
      const [attempt] = await attemptsOfIntent(server, intent.id);
      return { intent, attempt };
    }

    it('refunds in full: pending until Adyen\'s REFUND webhook, then succeeded', async () => {
      const { intent, attempt } = await capturedPayment(2200);
      const refund = await stripe.refunds.create({ payment_intent: intent.id });
      assert.equal(refund.status, 'pending');
      assert.equal(refund.amount, 2200);
      const [atAdyen, ...more] = modificationsAt(sandbox, attempt.processor_reference!).filter((modification) => modification.kind === 'refund');
      assert.equal(more.length, 0);
      assert.equal(atAdyen.reference, refund.id);
      assert.deepEqual(atAdyen.amount, { currency: 'USD', value: 2200 });
      assert.equal(atAdyen.idempotencyKey, `payrail.${refund.id}.refund`);

      await deliverWebhooks(server, sandbox, configuration);
      const settled = await stripe.refunds.retrieve(refund.id);
      assert.equal(settled.status, 'succeeded');
      const charge = await chargeOf(stripe, intent);
      assert.equal(charge.amount_refunded, 2200);
      assert.equal(charge.refunded, true);
      assert.equal(await eventCount(server, 'refund.updated', refund.id), 1);
    });

    it('refunds in part, twice, each settled by its own webhook', async () => {
      const { intent, attempt } = await capturedPayment(3000);
      const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 500 });
      const second = await stripe.refunds.create({ payment_intent: intent.id, amount: 700 });
      assert.deepEqual([first.status, second.status], ['pending', 'pending']);
      const refundsAtAdyen = modificationsAt(sandbox, attempt.processor_reference!).filter((modification) => modification.kind === 'refund');
      assert.deepEqual(refundsAtAdyen.map((modification) => [modification.reference, modification.amount.value]), [[first.id, 500], [second.id, 700]]);

      await deliverWebhooks(server, sandbox, configuration);
      assert.equal((await stripe.refunds.retrieve(first.id)).status, 'succeeded');
      assert.equal((await stripe.refunds.retrieve(second.id)).status, 'succeeded');
      const charge = await chargeOf(stripe, intent);
      assert.equal(charge.amount_refunded, 1200);
      assert.equal(charge.refunded, false);
    });

    it('the refund sweep alone does not settle an Adyen refund: asked again, Adyen only answers `received`; the REFUND webhook does', async () => {
      const { intent } = await capturedPayment(1300);
      const refund = await stripe.refunds.create({ payment_intent: intent.id });
      assert.equal(refund.status, 'pending');
      // The pending_refunds sweep's round (every PAYRAIL_MAINTENANCE_INTERVAL_MS, 15 s by default) asks Adyen again.
      const sweep = sweepsOf({ maintenanceIntervalMs: 1000, ledgerIntervalMs: 1000 }).find((candidate) => candidate.name === 'pending_refunds')!;
      await sweep.run(server.deps);
      await sweep.run(server.deps);
      assert.equal((await stripe.refunds.retrieve(refund.id)).status, 'pending', 'Adyen\'s refund endpoint answers `received` whenever asked: only its webhook tells the outcome');
      await deliverWebhooks(server, sandbox, configuration);
      assert.equal((await stripe.refunds.retrieve(refund.id)).status, 'succeeded');
    });

    it('a REFUND webhook that arrives before the refund call returns settles the refund once its reference is written', async () => {
      const { intent, attempt } = await capturedPayment(1700);
      await deliverWebhooks(server, sandbox, configuration);
      // Live delivery, and Adyen's answer to the refund held back after processing: its REFUND notification reaches
      // Payrail while the refund request is still waiting (under the PaymentIntent's lock), before Payrail has the
      // refund's pspReference.
      sandbox.setWebhookTarget({ url: `${server.baseUrl}/payrail/webhooks/${configuration}` });
      sandbox.setFaults({ answerDelayMs: 1500 });
      try {
        const refund = await stripe.refunds.create({ payment_intent: intent.id });
        await sandbox.webhooksIdle();
        const notification = sandbox.records().notifications.find((record) => record.eventCode === 'REFUND' && record.originalReference === attempt.processor_reference);
        assert.equal(notification?.delivered, true);
        const deadline = Date.now() + 30_000;
        while ((await stripe.refunds.retrieve(refund.id)).status !== 'succeeded') {
          assert.ok(Date.now() < deadline, 'the early REFUND webhook settles the refund without the sweep');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal((await chargeOf(stripe, intent)).amount_refunded, 1700);
        assert.equal(await eventCount(server, 'refund.updated', refund.id), 1);
      } finally {
        sandbox.setFaults({ answerDelayMs: 0 });
        sandbox.setWebhookTarget(undefined);
      }
    });

    it('fails a refund Adyen refuses (REFUND with success false) and gives the money back to the balance', async () => {
      const { intent, attempt } = await capturedPayment(1000);
      // Someone refunded the whole payment in Adyen's Customer Area, outside Payrail: Adyen will refuse Payrail's.
      const outside = await fetch(`${sandbox.url}/v71/payments/${attempt.processor_reference}/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ merchantAccount, amount: { currency: 'USD', value: 1000 }, reference: 'customer-area-refund' }),
      });
      assert.equal(outside.status, 201);
      const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 400 });
      assert.equal(refund.status, 'pending');
      const refused = modificationsAt(sandbox, attempt.processor_reference!).find((modification) => modification.reference === refund.id);
      assert.equal(refused?.status, 'failed');

      await deliverWebhooks(server, sandbox, configuration);
      const failed = await stripe.refunds.retrieve(refund.id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failure_reason, 'declined');
      assert.equal(typeof failed.failure_balance_transaction, 'string', 'the failure returns the money with its own balance transaction');
      const charge = await chargeOf(stripe, intent);
      assert.equal(charge.amount_refunded, 0);
      assert.equal(await eventCount(server, 'refund.failed', refund.id), 1);
    });
  });

  describe('answers that time out', () => {
    // A server of its own whose connector gives up quickly and does not ask again within the request (inlineSyncs 0),
    // and a sandbox of its own (with its own webhook queue): a request the sandbox never answers leaves an `unknown`
    // attempt for webhooks and the janitor. Its other requests are answered, well within the timeout.
    let server: TestServer;
    let stripe: Stripe;
    let sandbox: AdyenSandbox;
    let configuration: string;
    before(async () => {
      server = await startTestServer({ orchestration: { connectorTimeoutMs: unansweredTimeoutMs, inlineSyncs: 0, inlineSyncDelayMs: 10 } });
      stripe = server.account.stripe;
      sandbox = await startSandbox();
      configuration = await configureAdyen(server.account, sandbox);
    });
    after(async () => {
      await sandbox?.close();
      await server?.close();
    });
    afterEach(() => {
      sandbox.setFaults({ timeoutRate: 0, webhookDuplicate: false });
    });

    describe('provider webhooks', () => {
      it('moves a payment whose answer timed out to succeeded, once, despite duplicate deliveries and a forged one', async () => {
        sandbox.setFaults({ timeoutRate: 1, webhookDuplicate: true });
        const paymentMethod = await card(stripe, authorisingCard);
        const intent = await stripe.paymentIntents.create({ amount: 4100, currency: 'usd', payment_method: paymentMethod, confirm: true });
        sandbox.setFaults({ timeoutRate: 0, webhookDuplicate: false });
        assert.equal(intent.status, 'processing');
        const [attempt] = await attemptsOfIntent(server, intent.id);
        assert.equal(attempt.status, 'unknown');
        assert.ok(attempt.next_sync_at, 'the janitor is scheduled');

        // Adyen processed it: its AUTHORISATION notification waits, twice (the duplication fault).
        const [payment] = paymentsAt(sandbox, attempt.id);
        assert.equal(payment.status, 'authorised');
        const notifications = sandbox.records().notifications.filter((notification) => notification.eventCode === 'AUTHORISATION' && notification.pspReference === payment.pspReference);
        assert.deepEqual(notifications.map((notification) => notification.duplicate), [false, true]);

        // A forged notification (the amount changed after signing) is refused and changes nothing.
        const forged = structuredClone(notifications[0].body) as { notificationItems: { NotificationRequestItem: { amount: { value: number } } }[] };
        forged.notificationItems[0].NotificationRequestItem.amount.value = 1;
        const webhookUrl = `${server.baseUrl}/payrail/webhooks/${configuration}`;
        const refused = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
        assert.equal(refused.status, 400);
        assert.equal((await refused.json() as { error: { code: string } }).error.code, 'webhook_not_verified');
        assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'processing');
        const eventKey = `AUTHORISATION:${payment.pspReference}:true`;
        const seen = async () => Number((await server.db.query<{ count: string }>('SELECT count(*) FROM provider_webhook_events WHERE connector_configuration_id = $1 AND event_key = $2', [configuration, eventKey])).rows[0].count);
        assert.equal(await seen(), 0);

        await deliverWebhooks(server, sandbox, configuration);
        const delivered = sandbox.records().notifications.filter((notification) => notification.eventCode === 'AUTHORISATION' && notification.pspReference === payment.pspReference);
        assert.deepEqual(delivered.map((notification) => [notification.delivered, notification.lastStatus]), [[true, 200], [true, 200]]);

        const succeeded = await stripe.paymentIntents.retrieve(intent.id);
        assert.equal(succeeded.status, 'succeeded');
        assert.equal(succeeded.amount_received, 4100);
        const charge = await chargeOf(stripe, succeeded);
        assert.equal(charge.status, 'succeeded');
        assert.equal(charge.captured, true);
        assert.equal(charge.payrail_routing?.connector, 'adyen');
        const [resolved] = await attemptsOfIntent(server, intent.id);
        assert.equal(resolved.status, 'authorized');
        assert.equal(resolved.processor_reference, payment.pspReference);
        assert.equal(resolved.next_sync_at, null);
        assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
        assert.equal(await eventCount(server, 'charge.succeeded', charge.id), 1);
        assert.equal(await seen(), 1);
        const ledger = await server.db.query('SELECT id FROM balance_transactions WHERE source_id = $1', [charge.id]);
        assert.equal(ledger.rowCount, 1, 'the capture is posted once');

        // A late redelivery of the genuine notification is acknowledged and changes nothing.
        const redelivered = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notifications[0].body) });
        assert.equal(redelivered.status, 200);
        assert.equal((await redelivered.text()).trim(), '[accepted]');
        assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
        assert.equal(paymentsAt(sandbox, attempt.id).length, 1, 'never authorized twice');
      });

      it('moves a timed-out payment that Adyen refused to requires_payment_method with the decline', async () => {
        sandbox.setFaults({ timeoutRate: 1 });
        const paymentMethod = await card(stripe, '4242424242424242');
        const intent = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: paymentMethod, confirm: true });
        sandbox.setFaults({ timeoutRate: 0 });
        assert.equal(intent.status, 'processing');

        await deliverWebhooks(server, sandbox, configuration);
        const failed = await stripe.paymentIntents.retrieve(intent.id);
        assert.equal(failed.status, 'requires_payment_method');
        assert.equal(failed.last_payment_error?.decline_code, 'incorrect_number');
        const [attempt] = await attemptsOfIntent(server, intent.id);
        assert.equal(attempt.status, 'declined');
        assert.equal(attempt.decline_code, 'incorrect_number');
        assert.equal((await chargeOf(stripe, failed)).status, 'failed');
        assert.equal(await eventCount(server, 'payment_intent.payment_failed', intent.id), 1);
      });

      it('settles a refund whose request timed out by the REFUND webhook that arrived meanwhile (matched by payment and amount)', async () => {
        const paymentMethod = await card(stripe, authorisingCard);
        const intent = await stripe.paymentIntents.create({ amount: 2600, currency: 'usd', payment_method: paymentMethod, confirm: true });
        assert.equal(intent.status, 'succeeded');
        await deliverWebhooks(server, sandbox, configuration);
        // Adyen processes the refund and never answers; its REFUND notification is delivered while Payrail still waits.
        sandbox.setWebhookTarget({ url: `${server.baseUrl}/payrail/webhooks/${configuration}` });
        sandbox.setFaults({ timeoutRate: 1 });
        try {
          const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1100 });
          sandbox.setFaults({ timeoutRate: 0 });
          assert.equal(refund.status, 'pending');
          await sandbox.webhooksIdle();
          const deadline = Date.now() + 30_000;
          let settled = await stripe.refunds.retrieve(refund.id);
          while (settled.status !== 'succeeded') {
            assert.ok(Date.now() < deadline, 'the REFUND that came during the unanswered request settles the refund');
            await new Promise((resolve) => setTimeout(resolve, 100));
            settled = await stripe.refunds.retrieve(refund.id);
          }
          const [attempt] = await attemptsOfIntent(server, intent.id);
          const atAdyen = modificationsAt(sandbox, attempt.processor_reference!).find((modification) => modification.reference === refund.id);
          const stored = await server.db.query<{ processor_reference: string | null }>('SELECT processor_reference FROM refunds WHERE id = $1', [refund.id]);
          assert.equal(stored.rows[0].processor_reference, atAdyen?.pspReference, 'the refund keeps Adyen\'s pspReference from the notification');
          assert.equal((await chargeOf(stripe, intent)).amount_refunded, 1100);
        } finally {
          sandbox.setFaults({ timeoutRate: 0 });
          sandbox.setWebhookTarget(undefined);
        }
      });

      it('answers 404 for a webhook to an unknown configuration', async () => {
        const response = await fetch(`${server.baseUrl}/payrail/webhooks/pcc_000000000000000000000000`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        assert.equal(response.status, 404);
      });
    });

    describe('janitor', () => {
      it('resolves a timed-out attempt by asking Adyen, without a second authorization', async () => {
        sandbox.setFaults({ timeoutRate: 1 });
        const paymentMethod = await card(stripe, authorisingCard);
        const intent = await stripe.paymentIntents.create({ amount: 6100, currency: 'usd', payment_method: paymentMethod, confirm: true });
        sandbox.setFaults({ timeoutRate: 0 });
        assert.equal(intent.status, 'processing');
        const [stuck] = await attemptsOfIntent(server, intent.id);
        assert.equal(stuck.status, 'unknown');
        assert.ok(stuck.next_sync_at);
        assert.ok(stuck.next_sync_at.getTime() > Date.now(), 'due later, on the janitor schedule');
        assert.equal(stuck.sync_count, 0);

        assert.ok((await resolveStuckAttempts(server.deps, 0)) >= 1);

        const succeeded = await stripe.paymentIntents.retrieve(intent.id);
        assert.equal(succeeded.status, 'succeeded');
        const [attempt] = await attemptsOfIntent(server, intent.id);
        assert.equal(attempt.status, 'authorized');
        assert.equal(attempt.sync_count, 1);
        assert.equal(attempt.next_sync_at, null);
        const payments = paymentsAt(sandbox, attempt.id);
        assert.equal(payments.length, 1, 'exactly one authorization at Adyen');
        assert.equal(attempt.processor_reference, payments[0].pspReference);
        // The janitor asked with the original Idempotency-Key: Adyen replayed its stored answer.
        const asked = exchanges.filter((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attempt.id);
        assert.equal(asked.length, 2);
        assert.ok(asked.every((exchange) => exchange.idempotencyKey === `payrail.${attempt.id}.authorize`));
        assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
        const charge = await chargeOf(stripe, succeeded);
        assert.equal(charge.payrail_routing?.connector, 'adyen');

        // Adyen's AUTHORISATION webhook arriving after the janitor changes nothing.
        await deliverWebhooks(server, sandbox, configuration);
        assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
      });

      it('resolves a timed-out merchant-initiated payment by replaying the very same token request', async () => {
        const customer = await stripe.customers.create({});
        const paymentMethod = await card(stripe, authorisingCard);
        assert.equal((await stripe.setupIntents.create({ customer: customer.id, payment_method: paymentMethod, confirm: true })).status, 'succeeded');
        sandbox.setFaults({ timeoutRate: 1 });
        const intent = await stripe.paymentIntents.create({ amount: 5200, currency: 'eur', customer: customer.id, payment_method: paymentMethod, off_session: true, confirm: true });
        sandbox.setFaults({ timeoutRate: 0 });
        assert.equal(intent.status, 'processing');

        assert.ok((await resolveStuckAttempts(server.deps, 0)) >= 1);
        assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
        const [attempt] = await attemptsOfIntent(server, intent.id);
        assert.equal(attempt.merchant_initiated, true);
        assert.equal(paymentsAt(sandbox, attempt.id).length, 1, 'one payment at Adyen');
        const asked = exchanges.filter((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attempt.id);
        assert.equal(asked.length, 2);
        assert.equal(asked[1].idempotencyKey, asked[0].idempotencyKey);
        assert.deepEqual(asked[1].body, asked[0].body, 'the janitor sends the first request again, token and all');
        assert.equal(asked[0].body.shopperInteraction, 'ContAuth');
      });

      it('resolves a timed-out card verification of a SetupIntent by asking Adyen again with the same key, storing the card once', async () => {
        sandbox.setFaults({ timeoutRate: 1 });
        const paymentMethod = await card(stripe, authorisingCard);
        const intent = await stripe.setupIntents.create({ payment_method: paymentMethod, confirm: true, usage: 'off_session' });
        sandbox.setFaults({ timeoutRate: 0 });
        assert.equal(intent.status, 'processing');
        const attemptId = intent.latest_attempt as string;
        const stuck = await server.db.query<{ status: string; next_sync_at: Date | null }>('SELECT status, next_sync_at FROM setup_attempts WHERE id = $1', [attemptId]);
        assert.equal(stuck.rows[0].status, 'processing');
        assert.ok(stuck.rows[0].next_sync_at && stuck.rows[0].next_sync_at.getTime() > Date.now(), 'due later, on the janitor schedule');
        // Time passes: the attempt falls due, and the janitor's round (the sweep job's own code) asks Adyen again.
        await server.db.query('UPDATE setup_attempts SET next_sync_at = now() WHERE id = $1', [attemptId]);
        const janitor = sweepsOf({ maintenanceIntervalMs: 1000, ledgerIntervalMs: 1000 }).find((sweep) => sweep.name === 'janitor')!;
        assert.match((await janitor.run(server.deps)) ?? '', /resolved 1 setup attempt/);

        const succeeded = await stripe.setupIntents.retrieve(intent.id);
        assert.equal(succeeded.status, 'succeeded');
        const payments = paymentsAt(sandbox, attemptId);
        assert.equal(payments.length, 1, 'exactly one verification at Adyen');
        const asked = exchanges.filter((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attemptId);
        assert.equal(asked.length, 2);
        assert.ok(asked.every((exchange) => exchange.idempotencyKey === `payrail.${attemptId}.verify`), 'the janitor replays the verification, never a new one');
        assert.equal(sandbox.records().storedPaymentMethods.filter((method) => method.firstPspReference === payments[0].pspReference).length, 1);
        assert.equal(await eventCount(server, 'setup_intent.succeeded', intent.id), 1);
        assert.doesNotMatch((await janitor.run(server.deps)) ?? '', /setup attempt/, 'no setup attempt left to resolve');
      });
    });

    describe('janitor past the idempotency window', () => {
      it('stops asking about an attempt older than Adyen keeps idempotency keys, rather than risk a second authorization', async () => {
        sandbox.setFaults({ timeoutRate: 1 });
        const paymentMethod = await card(stripe, authorisingCard);
        const intent = await stripe.paymentIntents.create({ amount: 6300, currency: 'usd', payment_method: paymentMethod, confirm: true });
        sandbox.setFaults({ timeoutRate: 0 });
        assert.equal(intent.status, 'processing');
        const [stuck] = await attemptsOfIntent(server, intent.id);
        // As if it had been unresolved for a week (Adyen keeps keys for at least 7 days; Payrail stops at 6).
        await server.db.query(`UPDATE payment_attempts SET started_at = now() - interval '7 days', next_sync_at = now() - interval '1 second' WHERE id = $1`, [stuck.id]);
        const asked = () => exchanges.filter((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === stuck.id).length;
        const before = asked();

        assert.equal(await resolveStuckAttempts(server.deps), 0);
        assert.equal(asked(), before, 'Adyen was not asked again');
        const [left] = await attemptsOfIntent(server, intent.id);
        assert.equal(left.status, 'unknown');
        assert.equal(left.next_sync_at, null, 'off the janitor schedule');
        assert.match(left.detail ?? '', /idempotency window/);
        assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'processing');
      });
    });

  });

  describe('failover between two Adyen configurations', () => {
    let merchant: TestAccount;
    let primarySandbox: AdyenSandbox;
    let secondarySandbox: AdyenSandbox;
    let primary: string;
    let secondary: string;
    let primaryClosed = false;

    before(async () => {
      merchant = await server.createAccount('failover');
      primarySandbox = await startSandbox({ merchantAccounts: ['PayrailPrimary'] });
      secondarySandbox = await startSandbox({ merchantAccounts: ['PayrailSecondary'] });
      primary = await configureAdyen(merchant, primarySandbox, { priority: 1, merchantAccount: 'PayrailPrimary' });
      secondary = await configureAdyen(merchant, secondarySandbox, { priority: 2, merchantAccount: 'PayrailSecondary' });
      // Deterministic order: by priority, no exploration.
      await merchant.stripe.rawRequest('POST', routingProfilePath, { strategy: 'priority', exploration_bps: 0 });
      server.deps.routing.forget({ accountId: merchant.accountId, livemode: false });
    });
    after(async () => {
      if (!primaryClosed) await primarySandbox.close();
      await secondarySandbox.close();
    });

    async function pay(number: string, amount = 2700, holderName?: string) {
      const paymentMethod = await merchant.stripe.paymentMethods.create({
        type: 'card',
        card: { number, exp_month: 3, exp_year: 2030, cvc: '737' },
        ...(holderName !== undefined ? { billing_details: { name: holderName } } : {}),
      });
      return merchant.stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: paymentMethod.id, confirm: true });
    }

    it('does not fail over after a 500 that Adyen processed: the sync resolves it at the first configuration', async () => {
      const secondaryPayments = secondarySandbox.records().payments.length;
      primarySandbox.setFaults({ status5xxRate: 1 });
      // The first answer is a 500 after processing; the fault is gone by the time Payrail asks again.
      afterNextExchange = () => primarySandbox.setFaults({ status5xxRate: 0 });
      const intent = await pay(authorisingCard);
      assert.equal(intent.status, 'succeeded');
      const charge = await chargeOf(merchant.stripe, intent);
      assert.equal(charge.payrail_routing?.connector_configuration, primary);
      assert.equal(charge.payrail_routing?.attempts?.length, 1);
      assert.equal(charge.payrail_routing?.attempts?.[0].status, 'authorized');
      const [attempt, ...others] = await attemptsOf(server, charge.id);
      assert.equal(others.length, 0, 'no second attempt');
      assert.equal(attempt.status, 'authorized');
      assert.match(attempt.detail ?? '', /ambiguous/);
      assert.equal(paymentsAt(primarySandbox, attempt.id).length, 1, 'one authorization at the first configuration');
      assert.equal(secondarySandbox.records().payments.length, secondaryPayments, 'the second configuration was never asked');
      const asked = exchanges.filter((exchange) => exchange.path === '/v71/payments' && exchange.body.reference === attempt.id);
      assert.deepEqual(asked.map((exchange) => exchange.status), [500, 200]);
    });

    it('does not fail over a hard decline', async () => {
      const secondaryPayments = secondarySandbox.records().payments.length;
      const error = await stripeErrorOf(pay('4242424242424242'));
      assert.ok(error instanceof Stripe.errors.StripeCardError);
      assert.equal(error.decline_code, 'incorrect_number');
      const failedIntent = (error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent;
      const attempts = await attemptsOfIntent(server, failedIntent.id);
      assert.equal(attempts.length, 1);
      assert.equal(attempts[0].connector_configuration_id, primary);
      assert.equal(secondarySandbox.records().payments.length, secondaryPayments);
    });

    it('fails over a soft decline (issuer unavailable) to the second configuration', async () => {
      // Adyen's ISSUER_UNAVAILABLE holder-name trigger: both sandboxes refuse it, so both attempts are declined.
      const error = await stripeErrorOf(pay(authorisingCard, 2700, 'ISSUER_UNAVAILABLE'));
      assert.ok(error instanceof Stripe.errors.StripeCardError);
      assert.equal(error.decline_code, 'issuer_not_available');
      const failedIntent = (error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent;
      const charge = await chargeOf(merchant.stripe, failedIntent);
      assert.deepEqual(charge.payrail_routing?.attempts?.map((attempt) => [attempt.connector_configuration, attempt.status, attempt.decline_code]), [
        [primary, 'declined', 'issuer_not_available'],
        [secondary, 'declined', 'issuer_not_available'],
      ]);
      const attempts = await attemptsOf(server, charge.id);
      assert.deepEqual(attempts.map((attempt) => [attempt.position, attempt.connector_configuration_id, attempt.status]), [[1, primary, 'declined'], [2, secondary, 'declined']]);
      assert.match(attempts[1].routing_reason, /^failover after soft decline issuer_not_available/);
      assert.equal(paymentsAt(primarySandbox, attempts[0].id).length, 1);
      assert.equal(paymentsAt(secondarySandbox, attempts[1].id).length, 1);
      assert.equal(await eventCount(server, 'payment_intent.payment_failed', failedIntent.id), 1);
    });

    it('does not fail over insufficient funds (a hard decline by default)', async () => {
      const secondaryPayments = secondarySandbox.records().payments.length;
      const error = await stripeErrorOf(pay(authorisingCard, 2700, 'NOT_ENOUGH_BALANCE'));
      assert.ok(error instanceof Stripe.errors.StripeCardError);
      assert.equal(error.decline_code, 'insufficient_funds');
      const failedIntent = (error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent;
      const attempts = await attemptsOfIntent(server, failedIntent.id);
      assert.deepEqual(attempts.map((attempt) => [attempt.connector_configuration_id, attempt.status, attempt.decline_code]), [[primary, 'declined', 'insufficient_funds']]);
      assert.equal(secondarySandbox.records().payments.length, secondaryPayments, 'the second configuration was never asked');
    });

    it('fails over to the second configuration when the first refuses connections', async () => {
      // The first configuration's Adyen is down: nothing listens on its port any more, so nothing can have been sent.
      await primarySandbox.close();
      primaryClosed = true;
      const intent = await pay(authorisingCard, 3300);
      assert.equal(intent.status, 'succeeded');
      const charge = await chargeOf(merchant.stripe, intent);
      const routing = charge.payrail_routing;
      assert.ok(routing);
      assert.equal(routing.connector, 'adyen');
      assert.equal(routing.connector_configuration, secondary);
      assert.equal(routing.strategy, 'priority');
      assert.deepEqual(routing.attempts?.map((attempt) => [attempt.connector_configuration, attempt.status, attempt.failure_code]), [
        [primary, 'failed', 'not_sent'],
        [secondary, 'authorized', null],
      ]);

      const attempts = await attemptsOf(server, charge.id);
      assert.deepEqual(attempts.map((attempt) => [attempt.position, attempt.connector_configuration_id, attempt.status, attempt.failure_code]), [
        [1, primary, 'failed', 'not_sent'],
        [2, secondary, 'authorized', null],
      ]);
      assert.equal(routing.attempt, attempts[1].id);
      assert.match(attempts[1].routing_reason, /^failover after not_sent/);
      const [payment, ...more] = paymentsAt(secondarySandbox, attempts[1].id);
      assert.equal(more.length, 0);
      assert.equal(payment.merchantAccount, 'PayrailSecondary');
      assert.equal(payment.status, 'authorised');
      assert.equal(attempts[1].processor_reference, payment.pspReference);
      assert.equal(await eventCount(server, 'payment_intent.succeeded', intent.id), 1);
    });
  });
});
