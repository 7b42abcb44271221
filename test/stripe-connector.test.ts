import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { AuthorizeInput } from '../src/connectors/connector.ts';
import { StripeConnector, StripeRequestError, type StripeConnectorConfig } from '../src/connectors/stripe/connector.ts';
import { stripeApiVersion } from '../src/connectors/stripe/transformers.ts';
import { StripeWebhookError } from '../src/connectors/stripe/webhook.ts';
import { resolvePendingRefunds } from '../src/refunds/service.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';
import { submitChallengePage } from './helpers/challenge.ts';

/*
 * The Stripe connector against a second Payrail instance in test mode, which speaks Stripe's REST protocol: the
 * "Stripe" side is a real Payrail server over HTTP, checked through the official SDK after each flow.
 */

const returnUrl = 'https://merchant.example/stripe/return';

function attemptId(): string {
  return `ch_${randomBytes(12).toString('hex')}`;
}

function input(card: string, options: { capture?: boolean; amount?: number; id?: string } = {}): AuthorizeInput {
  return {
    attemptId: options.id ?? attemptId(),
    amount: options.amount ?? 1000,
    currency: 'usd',
    capture: options.capture ?? true,
    card: { number: card, expMonth: 12, expYear: new Date().getFullYear() + 3, brand: 'visa' },
  };
}

/** A receiver of the sandbox's webhook deliveries, keeping the raw body and headers exactly as they arrived. */
class Receiver {
  readonly deliveries: { headers: Record<string, string>; body: Buffer }[] = [];
  readonly #server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[key] = value;
      this.deliveries.push({ headers, body: Buffer.concat(chunks) });
      response.writeHead(200).end('ok');
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/stripe/webhooks`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** A local server that accepts connections and then answers as told (or never). */
async function localServer(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('Stripe connector against a Payrail sandbox', () => {
  let sandbox: TestServer;
  let stripe: Stripe;
  let connector: StripeConnector;
  let config: StripeConnectorConfig;

  before(async () => {
    // Generous timeouts for requests to live local servers, so a loaded machine does not fail a test; the tests of
    // timeouts below build connectors with short ones.
    sandbox = await startTestServer({ webhookWorker: { firstRetrySeconds: 1, retryDelayMaxSeconds: 2, timeoutMs: 30_000 } });
    stripe = sandbox.account.stripe;
    config = { baseUrl: sandbox.baseUrl, apiKey: sandbox.account.secretKey, webhookSecrets: ['whsec_unused'], timeoutMs: 30_000, returnUrl };
    connector = new StripeConnector(config);
  });
  after(async () => {
    await sandbox.close();
  });

  /** The sandbox's PaymentIntents created for one Payrail attempt. */
  async function intentsFor(id: string): Promise<Stripe.PaymentIntent[]> {
    const found: Stripe.PaymentIntent[] = [];
    for await (const intent of stripe.paymentIntents.list({ limit: 100 })) if (intent.metadata.payrail_attempt === id) found.push(intent);
    return found;
  }

  it('authorizes and captures a successful card in one call', async () => {
    const payment = input('4242424242424242');
    const output = await connector.authorize(payment);
    assert.equal(output.status, 'authorized');
    assert.ok(output.status === 'authorized');
    assert.equal(output.captured, true);
    assert.match(output.processorReference, /^pi_/);
    assert.ok(output.riskScore >= 0 && output.riskScore <= 100);
    const intent = await stripe.paymentIntents.retrieve(output.processorReference, { expand: ['payment_method'] });
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount_received, 1000);
    assert.equal(intent.capture_method, 'automatic');
    assert.equal(intent.metadata.payrail_attempt, payment.attemptId);
    assert.equal((intent.payment_method as Stripe.PaymentMethod).card?.last4, '4242');
  });

  it("asks Stripe for incremental authorization and increments through its API, idempotently", async () => {
    const payment: AuthorizeInput = { ...input('4242424242424242', { capture: false }), requestIncrementalAuthorization: true };
    const output = await connector.authorize(payment);
    assert.ok(output.status === 'authorized');
    assert.equal(output.incrementalAuthorization, true);
    const increment = { incrementId: `${payment.attemptId}.increment.1500`, attemptId: payment.attemptId, processorReference: output.processorReference, amount: 1500, currency: 'usd' };
    assert.deepEqual(await connector.incrementAuthorization(increment), { status: 'authorized', amount: 1500 });
    assert.deepEqual(await connector.incrementAuthorization(increment), { status: 'authorized', amount: 1500 }, 'a retry replays the same increment');
    const intent = await stripe.paymentIntents.retrieve(output.processorReference);
    assert.equal(intent.amount, 1500);
    assert.equal(intent.amount_capturable, 1500);
    const declined = await connector.incrementAuthorization({ ...increment, incrementId: `${payment.attemptId}.increment.2005`, amount: 2005 });
    assert.ok(declined.status === 'declined');
    assert.equal(declined.decline.declineCode, 'generic_decline');
    assert.equal((await stripe.paymentIntents.retrieve(output.processorReference)).amount, 1500);

    const plain = await connector.authorize(input('4242424242424242', { capture: false }));
    assert.ok(plain.status === 'authorized');
    assert.equal(plain.incrementalAuthorization ?? false, false, 'not asked for, not offered');
    const challenged = await connector.authorize({ ...input('4242424242424242'), requestThreeDSecure: 'any' });
    assert.equal(challenged.status, 'requires_authentication', 'request_three_d_secure=any is forwarded to Stripe');
  });

  it('maps issuer declines one to one from the 402 card error', async () => {
    const generic = input('4000000000000002');
    const declined = await connector.authorize(generic);
    assert.equal(declined.status, 'declined');
    assert.ok(declined.status === 'declined');
    assert.deepEqual(declined.decline, { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.', blocked: false, networkStatus: 'declined_by_network' });
    assert.match(declined.processorReference ?? '', /^pi_/);
    const intent = await stripe.paymentIntents.retrieve(declined.processorReference!);
    assert.equal(intent.status, 'requires_payment_method');
    assert.equal(intent.last_payment_error?.decline_code, 'generic_decline');

    const insufficient = await connector.authorize(input('4000000000009995'));
    assert.ok(insufficient.status === 'declined');
    assert.equal(insufficient.decline.code, 'card_declined');
    assert.equal(insufficient.decline.declineCode, 'insufficient_funds');
    assert.equal(insufficient.decline.message, 'Your card has insufficient funds.');
    assert.equal(insufficient.decline.blocked, false);
  });

  it('reports a payment blocked by the risk check as blocked, from the charge outcome', async () => {
    const output = await connector.authorize(input('4100000000000019'));
    assert.ok(output.status === 'declined');
    assert.equal(output.decline.declineCode, 'fraudulent');
    assert.equal(output.decline.blocked, true);
    assert.equal(output.decline.networkStatus, 'not_sent_to_network');
  });

  it('authorizes for manual capture, then captures part of it', async () => {
    const payment = input('4242424242424242', { capture: false, amount: 2000 });
    const output = await connector.authorize(payment);
    assert.ok(output.status === 'authorized');
    assert.equal(output.captured, false);
    assert.equal((await stripe.paymentIntents.retrieve(output.processorReference)).status, 'requires_capture');

    const reference = { attemptId: payment.attemptId, processorReference: output.processorReference, amount: 1500, currency: 'usd' };
    assert.deepEqual(await connector.capture(reference), { status: 'succeeded', processorReference: output.processorReference });
    const intent = await stripe.paymentIntents.retrieve(output.processorReference, { expand: ['latest_charge'] });
    assert.equal(intent.status, 'succeeded');
    assert.equal(intent.amount_received, 1500);
    assert.equal((intent.latest_charge as Stripe.Charge).amount_captured, 1500);
    // A retried capture replays Stripe's stored answer instead of failing on an already captured intent.
    assert.deepEqual(await connector.capture(reference), { status: 'succeeded', processorReference: output.processorReference });
  });

  it('voids an authorization, and a second void replays the first', async () => {
    const payment = input('4242424242424242', { capture: false });
    const output = await connector.authorize(payment);
    assert.ok(output.status === 'authorized');
    const reference = { attemptId: payment.attemptId, processorReference: output.processorReference, amount: 1000, currency: 'usd' };
    assert.deepEqual(await connector.void(reference), { status: 'succeeded', processorReference: output.processorReference });
    assert.equal((await stripe.paymentIntents.retrieve(output.processorReference)).status, 'canceled');
    assert.deepEqual(await connector.void(reference), { status: 'succeeded', processorReference: output.processorReference });
  });

  it('refuses to capture a canceled intent as a failure, not an exception', async () => {
    const payment = input('4242424242424242', { capture: false });
    const output = await connector.authorize(payment);
    assert.ok(output.status === 'authorized');
    const reference = { attemptId: payment.attemptId, processorReference: output.processorReference, amount: 1000, currency: 'usd' };
    await connector.void(reference);
    assert.deepEqual(await connector.capture(reference), { status: 'failed', reason: 'stripe_payment_intent_unexpected_state' });
  });

  it('refunds in part, keyed by the Payrail refund id, and finds the refund again by its metadata', async () => {
    const payment = input('4242424242424242');
    const output = await connector.authorize(payment);
    assert.ok(output.status === 'authorized');
    const refund = { attemptId: payment.attemptId, processorReference: output.processorReference, amount: 300, currency: 'usd', refundId: `re_payrail${randomBytes(8).toString('hex')}` };
    const refunded = await connector.refund(refund);
    assert.equal(refunded.status, 'succeeded');
    assert.ok(refunded.status === 'succeeded');
    assert.match(refunded.processorReference, /^re_/);

    const stripeRefund = await stripe.refunds.retrieve(refunded.processorReference);
    assert.equal(stripeRefund.amount, 300);
    assert.equal(stripeRefund.payment_intent, output.processorReference);
    assert.equal(stripeRefund.metadata?.payrail_refund, refund.refundId);
    assert.deepEqual(await connector.syncRefund(refund), refunded);
    // The same Payrail refund sent again is Stripe's stored answer, not a second refund.
    assert.deepEqual(await connector.refund(refund), refunded);
    const all = await stripe.refunds.list({ payment_intent: output.processorReference });
    assert.equal(all.data.length, 1);

    const second = { ...refund, amount: 700, refundId: `re_payrail${randomBytes(8).toString('hex')}` };
    const secondOutput = await connector.refund(second);
    assert.ok(secondOutput.status === 'succeeded');
    assert.notEqual(secondOutput.processorReference, refunded.processorReference);
    assert.equal((await stripe.paymentIntents.retrieve(output.processorReference, { expand: ['latest_charge'] }).then((intent) => (intent.latest_charge as Stripe.Charge).amount_refunded)), 1000);
  });

  it('follows a pending refund to its failure with syncRefund', async () => {
    const payment = input('4000000000005126');
    const output = await connector.authorize(payment);
    assert.ok(output.status === 'authorized');
    const refund = { attemptId: payment.attemptId, processorReference: output.processorReference, amount: 1000, currency: 'usd', refundId: `re_payrail${randomBytes(8).toString('hex')}` };
    assert.deepEqual(await connector.refund(refund), { status: 'pending' });
    assert.deepEqual(await connector.syncRefund(refund), { status: 'pending' });
    // The sandbox's own refund sweep settles its pending refunds (its processor reports the failure).
    assert.ok((await resolvePendingRefunds(sandbox.deps)) >= 1);
    assert.deepEqual(await connector.syncRefund(refund), { status: 'failed', reason: 'expired_or_canceled_card' });
  });

  it('sends a refund whose first request never reached Stripe when syncRefund does not find it', async () => {
    const payment = input('4242424242424242');
    const output = await connector.authorize(payment);
    assert.ok(output.status === 'authorized');
    const refund = { attemptId: payment.attemptId, processorReference: output.processorReference, amount: 400, currency: 'usd', refundId: `re_payrail${randomBytes(8).toString('hex')}` };
    const synced = await connector.syncRefund(refund);
    assert.ok(synced.status === 'succeeded');
    assert.deepEqual(await connector.syncRefund(refund), synced);
    assert.equal((await stripe.refunds.list({ payment_intent: output.processorReference })).data.length, 1);
  });

  it('syncs by replaying the create: the same PaymentIntent, never a second one', async () => {
    const payment = input('4242424242424242', { capture: false });
    const first = await connector.authorize(payment);
    assert.ok(first.status === 'authorized');
    const synced = await connector.sync(payment);
    assert.deepEqual(synced, first);
    assert.deepEqual(await connector.sync({ ...payment }), first);
    const intents = await intentsFor(payment.attemptId);
    assert.equal(intents.length, 1);
    assert.equal(intents[0].id, first.processorReference);

    // An attempt whose request never arrived is authorized exactly once by its sync.
    const unsent = input('4242424242424242');
    const resolved = await connector.sync(unsent);
    assert.ok(resolved.status === 'authorized' && resolved.captured);
    assert.deepEqual(await connector.sync(unsent), resolved);
    assert.equal((await intentsFor(unsent.attemptId)).length, 1);

    // A declined attempt syncs to the same decline.
    const declined = input('4000000000009995');
    const decline = await connector.authorize(declined);
    assert.deepEqual(await connector.sync(declined), decline);
    assert.equal((await intentsFor(declined.attemptId)).length, 1);
  });

  it('asks for 3-D Secure with the redirect, then reads the outcome once the customer is back', async () => {
    const payment = input('4000002760003184', { capture: false });
    const output = await connector.authorize(payment);
    assert.equal(output.status, 'requires_authentication');
    assert.ok(output.status === 'requires_authentication');
    assert.match(output.processorReference ?? '', /^pi_/);
    assert.ok(output.nextAction);
    assert.equal(output.nextAction.type, 'redirect_to_url');
    assert.ok(output.nextAction.url.startsWith(`${sandbox.baseUrl}/3ds/`), output.nextAction.url);
    const intent = await stripe.paymentIntents.retrieve(output.processorReference!);
    assert.equal(intent.status, 'requires_action');
    assert.equal(intent.next_action?.redirect_to_url?.return_url, returnUrl);
    // Before the customer acts, sync still says authentication is required (and creates nothing).
    assert.equal((await connector.sync(payment)).status, 'requires_authentication');

    // The customer completes the challenge on "Stripe"'s page and is sent back to the merchant's return URL.
    const answer = await submitChallengePage(output.nextAction.url, 'complete');
    assert.equal(answer.status, 303);
    assert.ok(answer.headers.get('location')?.startsWith(returnUrl));

    const authenticated = await connector.authorize({ ...payment, authentication: { status: 'succeeded' } });
    assert.ok(authenticated.status === 'authorized');
    assert.equal(authenticated.captured, false);
    assert.equal(authenticated.processorReference, output.processorReference);
    // With the PaymentIntent id at hand, sync retrieves it directly.
    assert.deepEqual(await connector.sync({ ...payment, processorReference: output.processorReference! }), authenticated);
    assert.equal((await intentsFor(payment.attemptId)).length, 1);
  });

  it('declines when the customer fails 3-D Secure', async () => {
    const payment = input('4000002760003184');
    const output = await connector.authorize(payment);
    assert.ok(output.status === 'requires_authentication' && output.nextAction);
    assert.equal((await submitChallengePage(output.nextAction.url, 'fail')).status, 303);
    const failed = await connector.authorize({ ...payment, authentication: { status: 'failed' } });
    assert.ok(failed.status === 'declined');
    assert.equal(failed.decline.code, 'payment_intent_authentication_failure');
    assert.equal(failed.processorReference, output.processorReference);
  });

  it('treats a request that times out as pending, and a 5xx as pending', async () => {
    const silent = await localServer(() => {
      // Never answers: the connector's deadline decides.
    });
    const failing = await localServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"type":"api_error","message":"unavailable"}}');
    });
    try {
      const slow = new StripeConnector({ ...config, baseUrl: silent.url, timeoutMs: 200 });
      assert.deepEqual(await slow.authorize(input('4242424242424242')), { status: 'pending' });
      const reference = { attemptId: attemptId(), processorReference: 'pi_unknown', amount: 1000, currency: 'usd' };
      assert.deepEqual(await slow.capture(reference), { status: 'pending' });
      assert.deepEqual(await slow.refund({ ...reference, refundId: 're_payrail_timeout' }), { status: 'pending' });
      const broken = new StripeConnector({ ...config, baseUrl: failing.url });
      assert.deepEqual(await broken.authorize(input('4242424242424242')), { status: 'pending' });
      assert.deepEqual(await broken.void(reference), { status: 'pending' });
    } finally {
      await silent.close();
      await failing.close();
    }
  });

  it('resolves an attempt whose answer was lost with sync, without authorizing twice', async () => {
    // A proxy that passes everything to "Stripe" but swallows the answer to the PaymentIntent create: the request
    // reached Stripe and acted there, and the connector only sees a timeout.
    let swallowed = 0;
    const createHeaders: http.IncomingHttpHeaders[] = [];
    const lossy = await localServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'idempotency-key', 'stripe-version']) {
          const value = request.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        const forwarded = await fetch(sandbox.baseUrl + request.url, { method: request.method, headers, body: request.method === 'POST' ? Buffer.concat(chunks) : undefined });
        const text = await forwarded.text();
        if (request.method === 'POST' && request.url === '/v1/payment_intents') {
          createHeaders.push(request.headers);
          swallowed += 1;
          return; // never answered
        }
        response.writeHead(forwarded.status, { 'content-type': 'application/json' }).end(text);
      });
    });
    try {
      const payment = input('4242424242424242', { capture: false });
      const unlucky = new StripeConnector({ ...config, baseUrl: lossy.url, timeoutMs: 1_000 });
      assert.deepEqual(await unlucky.authorize(payment), { status: 'pending' });
      // The proxy's own exchange with "Stripe" may finish after the connector gave up; wait for it, not for time.
      await until('the swallowed create', () => (swallowed === 1 ? true : undefined));
      assert.equal(createHeaders[0]['idempotency-key'], `payrail.${payment.attemptId}.authorize`);
      assert.equal(createHeaders[0]['stripe-version'], stripeApiVersion);
      assert.equal(createHeaders[0]['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(createHeaders[0].authorization, `Bearer ${sandbox.account.secretKey}`);
      const intents = await intentsFor(payment.attemptId);
      assert.equal(intents.length, 1);
      assert.equal(intents[0].status, 'requires_capture');

      const resolved = await connector.sync(payment);
      assert.ok(resolved.status === 'authorized');
      assert.equal(resolved.captured, false);
      assert.equal(resolved.processorReference, intents[0].id);
      assert.equal((await intentsFor(payment.attemptId)).length, 1);
    } finally {
      await lossy.close();
    }
  });

  it('throws typed errors for a wrong key (configuration) and an unreachable host (not sent)', async () => {
    const wrongKey = new StripeConnector({ ...config, apiKey: 'sk_test_wrong' + randomBytes(8).toString('hex') });
    await assert.rejects(wrongKey.authorize(input('4242424242424242')), (error: unknown) => {
      assert.ok(error instanceof StripeRequestError);
      assert.equal(error.kind, 'configuration');
      assert.equal(error.httpStatus, 401);
      return true;
    });
    await assert.rejects(wrongKey.capture({ attemptId: attemptId(), processorReference: 'pi_x', amount: 1, currency: 'usd' }), (error: unknown) => error instanceof StripeRequestError && error.kind === 'configuration');

    const closed = await localServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const unreachable = new StripeConnector({ ...config, baseUrl: url });
    await assert.rejects(unreachable.authorize(input('4242424242424242')), (error: unknown) => {
      assert.ok(error instanceof StripeRequestError);
      assert.equal(error.kind, 'not_sent');
      return true;
    });
    assert.deepEqual(await unreachable.void({ attemptId: attemptId(), processorReference: 'pi_x', amount: 1, currency: 'usd' }), { status: 'failed', reason: 'provider_unreachable' });
  });

  it("verifies and parses webhooks delivered by the sandbox's own worker", async () => {
    const receiver = new Receiver();
    const url = await receiver.listen();
    try {
      const endpoint = await stripe.webhookEndpoints.create({ url, enabled_events: ['payment_intent.succeeded', 'payment_intent.payment_failed', 'charge.refunded', 'refund.created'] });
      assert.ok(endpoint.secret);
      const hooked = new StripeConnector({ ...config, webhookSecrets: ['whsec_previous_secret', endpoint.secret] });

      const payment = input('4242424242424242');
      const output = await hooked.authorize(payment);
      assert.ok(output.status === 'authorized');
      const refundId = `re_payrail${randomBytes(8).toString('hex')}`;
      const refunded = await hooked.refund({ attemptId: payment.attemptId, processorReference: output.processorReference, amount: 250, currency: 'usd', refundId });
      assert.ok(refunded.status === 'succeeded');

      const parsed = async () => Promise.all(receiver.deliveries.map((delivery) => hooked.parseWebhook(delivery.headers, delivery.body)));
      const events = await until('the three deliveries', async () => {
        const all = await parsed();
        return all.length >= 3 ? all : undefined;
      });
      const notifications = events.flat();
      const authorization = notifications.find((notification) => notification.kind === 'authorization');
      assert.ok(authorization && authorization.kind === 'authorization', JSON.stringify(notifications));
      assert.equal(authorization.attemptId, payment.attemptId);
      assert.equal(authorization.processorReference, output.processorReference);
      assert.equal(authorization.result.status, 'authorized');
      assert.match(authorization.eventKey, /^evt_/);
      const capture = notifications.find((notification) => notification.kind === 'capture');
      assert.ok(capture && capture.kind === 'capture');
      assert.equal(capture.status, 'succeeded');
      const refund = notifications.find((notification) => notification.kind === 'refund' && notification.refundId === refundId);
      assert.ok(refund && refund.kind === 'refund', JSON.stringify(notifications));
      assert.equal(refund.status, 'succeeded');

      // The official library agrees with the verification, and a tampered body fails ours.
      const delivery = receiver.deliveries[0];
      const official = Stripe.webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'], endpoint.secret);
      assert.equal(official.id, JSON.parse(delivery.body.toString('utf8')).id);
      const tampered = Buffer.from(delivery.body.toString('utf8').replace('"livemode":false', '"livemode":true'));
      assert.notDeepEqual(tampered, delivery.body);
      await assert.rejects(hooked.parseWebhook(delivery.headers, tampered), (error: unknown) => error instanceof StripeWebhookError && error.reason === 'signature_invalid');
      const stranger = new StripeConnector({ ...config, webhookSecrets: ['whsec_someone_else'] });
      await assert.rejects(stranger.parseWebhook(delivery.headers, delivery.body), (error: unknown) => error instanceof StripeWebhookError && error.reason === 'signature_invalid');
    } finally {
      await receiver.close();
    }
  });
});
