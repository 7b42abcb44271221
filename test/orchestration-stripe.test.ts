import assert from 'node:assert/strict';
import { subscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import type { AuthorizeInput, AuthorizeOutput } from '../src/connectors/connector.ts';
import type { ConnectorConfigurationRow } from '../src/connectors/configurations/repository.ts';
import type { AttemptRow } from '../src/orchestration/attempts-repository.ts';
import { attemptOutcomeChannel, type AttemptOutcomeMessage } from '../src/orchestration/attempt-outcome.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { startAdyenSandbox, type AdyenSandbox } from '../src/sandbox/adyen/server.ts';
import { expectStripeError } from './helpers/stripe-errors.ts';
import { startTestServer, type TestAccount, type TestServer } from './helpers/server.ts';
import { until } from './helpers/until.ts';
import { challengeFormToken } from './helpers/challenge.ts';

/*
 * Stripe as an acquirer, end to end through the official stripe SDK: Payrail "A" (the merchant's Payrail) has a
 * `stripe` connector configuration whose Stripe is a second Payrail instance "B" in test mode (its API is
 * Stripe-compatible, its built-in test processor follows Stripe's test cards). Every flow is checked on both sides:
 * A's intent, charge (`payrail_routing`) and payment attempts, and B's PaymentIntents and refunds through B's own SDK.
 * B's webhook worker runs, so B's signed events can move A's payments; payments whose answer A never got are
 * resolved by those webhooks or by the janitor. The last part gives a second merchant account on A two
 * configurations, Adyen (the Adyen sandbox in-process) and Stripe (its own account on B), for routing rules, weighted
 * splits, lowest cost, failover and eligibility.
 *
 * Each sandbox only knows its own provider's test cards (Adyen refuses 4242... as an unknown card; B approves any
 * card it has no special behaviour for, Adyen's 4111111145551142 included), so each payment is routed to a connector
 * that knows its card.
 */

const configurationsPath = '/v1/payrail/connector_configurations';
const routingProfilePath = '/v1/payrail/routing_profile';
const merchantReturnUrl = 'https://shop.example.com/checkout/complete?order=7';

/** Adyen's sandbox credentials and its documented authorising test card (src/sandbox/adyen/test-cards.ts). */
const adyenApiKey = 'AQE_orchestration_stripe_test_key';
const adyenHmacKeyHex = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const adyenMerchantAccount = 'PayrailECOM';
const adyenCard = '4111111145551142';

/** Timeout of a request to a live local server: generous, so a loaded machine does not fail a test. */
const generousTimeoutMs = 30_000;
/** A's orchestration settings: a generous connector timeout, and a short pause before asking again. */
const merchantOrchestration = { connectorTimeoutMs: generousTimeoutMs, inlineSyncDelayMs: 10 };

/** Expiry for Stripe's test cards: any future date. */
const stripeCardExpiryYear = new Date().getFullYear() + 3;

interface AttemptSummary {
  id: string;
  connector: string;
  connector_configuration: string | null;
  status: string;
  decline_code: string | null;
  failure_code: string | null;
  latency_ms: number | null;
  routing_reason: string;
}

/** A charge with Payrail's `payrail_routing` extension. */
type RoutedCharge = Stripe.Charge & {
  payrail_routing: {
    connector: string;
    connector_configuration: string | null;
    attempt: string;
    capture_status: string | null;
    strategy: string;
    rule: string | null;
    explored: boolean;
    reason: string;
    attempts: AttemptSummary[];
  } | null;
};

async function routedCharge(stripe: Stripe, chargeId: string | Stripe.Charge | null): Promise<RoutedCharge> {
  assert.equal(typeof chargeId, 'string', 'the intent has a charge');
  return (await stripe.charges.retrieve(chargeId as string)) as unknown as RoutedCharge;
}

function routingOf(charge: RoutedCharge): NonNullable<RoutedCharge['payrail_routing']> {
  assert.ok(charge.payrail_routing, `charge ${charge.id} shows its routing`);
  return charge.payrail_routing;
}

async function attemptsOf(server: TestServer, intentId: string): Promise<AttemptRow[]> {
  return (await server.db.query<AttemptRow>('SELECT * FROM payment_attempts WHERE payment_intent_id = $1 ORDER BY position', [intentId])).rows;
}

async function chargeProcessorReference(server: TestServer, chargeId: string): Promise<string | null> {
  return (await server.db.query<{ processor_reference: string | null }>('SELECT processor_reference FROM charges WHERE id = $1', [chargeId])).rows[0].processor_reference;
}

/** B's PaymentIntents created for one of A's attempts (the connector tags them with `metadata[payrail_attempt]`). */
async function acquirerIntentsFor(acquirer: Stripe, attemptId: string): Promise<Stripe.PaymentIntent[]> {
  const found: Stripe.PaymentIntent[] = [];
  for await (const intent of acquirer.paymentIntents.list({ limit: 100 })) if (intent.metadata.payrail_attempt === attemptId) found.push(intent);
  return found;
}

async function stripeCard(stripe: Stripe, number: string): Promise<string> {
  return (await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: stripeCardExpiryYear, cvc: '123' } })).id;
}

/** An Adyen test card (documented expiry and CVC); `holderName` is Adyen's refusal trigger. */
async function adyenTestCard(stripe: Stripe, holderName?: string): Promise<string> {
  return (await stripe.paymentMethods.create({
    type: 'card',
    card: { number: adyenCard, exp_month: 3, exp_year: 2030, cvc: '737' },
    ...(holderName ? { billing_details: { name: holderName } } : {}),
  })).id;
}

async function configureStripe(account: TestAccount, acquirerUrl: string, acquirer: TestAccount, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await account.stripe.rawRequest('POST', configurationsPath, {
    connector: 'stripe',
    credentials: { secret_key: acquirer.secretKey },
    settings: { base_url: acquirerUrl },
    ...extra,
  });
  assert.match(created.id, /^pcc_/);
  assert.equal(created.connector, 'stripe');
  return created.id as string;
}

/** Every attempt outcome applied in this process (A's and B's), as applyAttemptOutcome publishes it. */
const outcomes: AttemptOutcomeMessage[] = [];
subscribe(attemptOutcomeChannel.name, (message) => outcomes.push(message as AttemptOutcomeMessage));
const appliedOrigins = (intentId: string) => outcomes.filter((outcome) => outcome.paymentIntentId === intentId && outcome.applied).map((outcome) => outcome.origin);

describe('Stripe as an acquirer: Payrail in front of a second Payrail, through the stripe SDK', () => {
  let a: TestServer;
  let b: TestServer;
  /** The merchant's SDK, against A. */
  let stripe: Stripe;
  /** The acquirer's SDK, against B (the account whose secret key A's configuration holds). */
  let acquirer: Stripe;
  let configuration: string;

  before(async () => {
    // B's webhook worker delivers its events (to A's provider webhook endpoint on loopback).
    // Generous timeouts (A asking B, B delivering to A): both are live servers here, slow only when the machine is.
    b = await startTestServer({ webhookWorker: { allowPrivateAddresses: true, firstRetrySeconds: 1, retryDelayMaxSeconds: 2, timeoutMs: generousTimeoutMs } });
    a = await startTestServer({ orchestration: merchantOrchestration });
    stripe = a.account.stripe;
    acquirer = b.account.stripe;
    configuration = await configureStripe(a.account, b.baseUrl, b.account);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  describe('card payments', () => {
    it('authorizes and captures a test card at Stripe, recording the acquirer PaymentIntent on the charge and attempt', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      assert.equal(intent.status, 'succeeded');
      assert.equal(intent.amount_received, 2500);

      const charge = await routedCharge(stripe, intent.latest_charge);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 2500);
      assert.equal(charge.outcome?.network_status, 'approved_by_network');
      assert.equal(typeof charge.balance_transaction, 'string', 'the capture was posted to the ledger');
      const routing = routingOf(charge);
      assert.equal(routing.connector, 'stripe');
      assert.equal(routing.connector_configuration, configuration);
      assert.equal(routing.attempts.length, 1);
      assert.equal(routing.attempts[0].id, routing.attempt);
      assert.equal(routing.attempts[0].connector, 'stripe');
      assert.equal(routing.attempts[0].status, 'authorized');

      const attempts = await attemptsOf(a, intent.id);
      assert.equal(attempts.length, 1);
      assert.equal(attempts[0].id, routing.attempt);
      assert.equal(attempts[0].status, 'authorized');
      assert.equal(attempts[0].connector_configuration_id, configuration);
      assert.match(attempts[0].processor_reference ?? '', /^pi_/);
      assert.ok(attempts[0].latency_ms !== null && attempts[0].latency_ms >= 0);
      const reference = attempts[0].processor_reference!;
      assert.equal(await chargeProcessorReference(a, charge.id), reference);

      // At the acquirer: one PaymentIntent for the attempt, confirmed and captured, with the card A holds.
      const remote = await acquirer.paymentIntents.retrieve(reference, { expand: ['payment_method'] });
      assert.equal(remote.status, 'succeeded');
      assert.equal(remote.amount, 2500);
      assert.equal(remote.amount_received, 2500);
      assert.equal(remote.currency, 'usd');
      assert.equal(remote.capture_method, 'automatic');
      assert.equal(remote.metadata.payrail_attempt, attempts[0].id);
      assert.equal((remote.payment_method as Stripe.PaymentMethod).card?.last4, '4242');
      assert.equal((await acquirerIntentsFor(acquirer, attempts[0].id)).length, 1);
    });

    it('raises the decline the acquirer gave as a StripeCardError, with the decline recorded on both sides', async () => {
      const cases = [
        { number: '4000000000000002', declineCode: 'generic_decline', message: 'Your card was declined.' },
        { number: '4000000000009995', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' },
      ];
      for (const { number, declineCode, message } of cases) {
        const paymentMethod = await stripeCard(stripe, number);
        const error = await expectStripeError(
          stripe.paymentIntents.create({ amount: 1800, currency: 'usd', payment_method: paymentMethod, confirm: true }),
          { class: Stripe.errors.StripeCardError, type: 'card_error', code: 'card_declined', statusCode: 402 },
        );
        assert.equal(error.decline_code, declineCode);
        assert.equal(error.message, message);
        const raw = error.raw as { charge?: string; payment_intent?: Stripe.PaymentIntent };
        assert.ok(raw.payment_intent, 'the error carries the PaymentIntent');
        assert.equal(raw.payment_intent.status, 'requires_payment_method');
        assert.equal(raw.payment_intent.last_payment_error?.decline_code, declineCode);

        const charge = await routedCharge(stripe, raw.payment_intent.latest_charge as string);
        assert.equal(raw.charge, charge.id);
        assert.equal(charge.status, 'failed');
        assert.equal(charge.failure_code, 'card_declined');
        assert.equal(charge.outcome?.reason, declineCode);
        assert.equal(charge.outcome?.type, 'issuer_declined');
        const routing = routingOf(charge);
        assert.equal(routing.connector, 'stripe');
        assert.deepEqual(routing.attempts.map((attempt) => [attempt.connector, attempt.status, attempt.decline_code]), [['stripe', 'declined', declineCode]]);

        const [attempt] = await attemptsOf(a, raw.payment_intent.id);
        assert.equal(attempt.status, 'declined');
        assert.equal(attempt.decline_code, declineCode);
        assert.equal(attempt.failure_code, 'card_declined');
        const remote = await acquirer.paymentIntents.retrieve(attempt.processor_reference ?? '');
        assert.equal(remote.status, 'requires_payment_method');
        assert.equal(remote.last_payment_error?.decline_code, declineCode);
        assert.equal(remote.metadata.payrail_attempt, attempt.id);
      }
    });
  });

  describe('3-D Secure at the acquirer', () => {
    /** Confirms a 3-D Secure card on A and checks that A sends the customer to B's challenge page. */
    async function challenged(amount: number): Promise<{ intent: Stripe.PaymentIntent; attempt: AttemptRow; challengeUrl: string }> {
      const paymentMethod = await stripeCard(stripe, '4000002760003184');
      const intent = await stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: paymentMethod, confirm: true, return_url: merchantReturnUrl });
      assert.equal(intent.status, 'requires_action');
      assert.equal(intent.next_action?.type, 'redirect_to_url');
      const challengeUrl = intent.next_action?.redirect_to_url?.url ?? '';
      assert.ok(challengeUrl.startsWith(`${b.baseUrl}/3ds/auth_`), `the customer goes to the acquirer's challenge page, not ${challengeUrl}`);
      assert.equal(intent.next_action?.redirect_to_url?.return_url, merchantReturnUrl);

      const [attempt] = await attemptsOf(a, intent.id);
      assert.equal(attempt.status, 'requires_action');
      assert.match(attempt.processor_reference ?? '', /^pi_/);
      const remote = await acquirer.paymentIntents.retrieve(attempt.processor_reference!);
      assert.equal(remote.status, 'requires_action');
      // B sends the customer back to A's return page of this attempt, never straight to the merchant.
      assert.equal(remote.next_action?.redirect_to_url?.return_url, `${a.baseUrl}/payrail/return/${attempt.id}`);
      return { intent, attempt, challengeUrl };
    }

    /** The customer's browser: opens B's page, answers the challenge, and follows B's redirect to A's return page. */
    async function answerChallenge(challengeUrl: string, action: 'complete' | 'fail', attempt: AttemptRow): Promise<URL> {
      const page = await fetch(challengeUrl);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Complete authentication/);
      const body = new URLSearchParams({ csrf_token: challengeFormToken(html), action }).toString();
      const answered = await fetch(challengeUrl, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
      assert.equal(answered.status, 303);
      const toPayrail = new URL(answered.headers.get('location') ?? '');
      assert.equal(`${toPayrail.origin}${toPayrail.pathname}`, `${a.baseUrl}/payrail/return/${attempt.id}`);
      assert.equal(toPayrail.searchParams.get('payment_intent'), attempt.processor_reference);
      assert.equal(toPayrail.searchParams.get('redirect_status'), action === 'complete' ? 'succeeded' : 'failed');

      const returned = await fetch(toPayrail, { redirect: 'manual' });
      assert.equal(returned.status, 303);
      return new URL(returned.headers.get('location') ?? '');
    }

    it("sends the customer to the acquirer's challenge and back through Payrail to the merchant, then succeeds", async () => {
      const { intent, attempt, challengeUrl } = await challenged(4200);
      const toMerchant = await answerChallenge(challengeUrl, 'complete', attempt);
      assert.equal(`${toMerchant.origin}${toMerchant.pathname}`, 'https://shop.example.com/checkout/complete');
      assert.equal(toMerchant.searchParams.get('order'), '7');
      assert.equal(toMerchant.searchParams.get('payment_intent'), intent.id);
      assert.equal(toMerchant.searchParams.get('payment_intent_client_secret'), intent.client_secret);
      assert.equal(toMerchant.searchParams.get('redirect_status'), 'succeeded');

      const done = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.amount_received, 4200);
      assert.equal(done.next_action, null);
      const charge = await routedCharge(stripe, done.latest_charge);
      assert.equal(charge.status, 'succeeded');
      assert.equal(charge.payment_method_details?.card?.three_d_secure?.result, 'authenticated');
      assert.equal(routingOf(charge).connector, 'stripe');
      const [finished] = await attemptsOf(a, intent.id);
      assert.equal(finished.status, 'authorized');
      assert.equal(finished.processor_reference, attempt.processor_reference);

      const remote = await acquirer.paymentIntents.retrieve(attempt.processor_reference!);
      assert.equal(remote.status, 'succeeded');
      assert.equal(remote.amount_received, 4200);
      assert.equal((await acquirerIntentsFor(acquirer, attempt.id)).length, 1, 'the return retrieved the intent, it did not create another');
    });

    it('fails the payment when the customer fails the challenge at the acquirer', async () => {
      const { intent, attempt, challengeUrl } = await challenged(4300);
      const toMerchant = await answerChallenge(challengeUrl, 'fail', attempt);
      assert.equal(toMerchant.searchParams.get('payment_intent'), intent.id);
      assert.equal(toMerchant.searchParams.get('redirect_status'), 'failed');

      const failed = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(failed.status, 'requires_payment_method');
      // As at Stripe: a failed authentication is payment_intent_authentication_failure, not an issuer decline.
      assert.equal(failed.last_payment_error?.type, 'card_error');
      assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure');
      assert.equal(failed.last_payment_error?.decline_code, undefined);
      const charge = await routedCharge(stripe, failed.latest_charge);
      assert.equal(charge.status, 'failed');
      assert.equal(charge.payment_method_details?.card?.three_d_secure, null, 'a failed challenge is not shown as authenticated');
      assert.equal(routingOf(charge).attempts[0].decline_code, 'authentication_required');
      const [finished] = await attemptsOf(a, intent.id);
      assert.equal(finished.status, 'declined');
      assert.equal(finished.decline_code, 'authentication_required');
      assert.equal((await acquirer.paymentIntents.retrieve(attempt.processor_reference!)).status, 'requires_payment_method');
    });
  });

  describe('captures, voids and refunds go to the acquirer', () => {
    async function authorized(amount: number): Promise<{ intent: Stripe.PaymentIntent; reference: string }> {
      const intent = await stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual' });
      assert.equal(intent.status, 'requires_capture');
      assert.equal(intent.amount_capturable, amount);
      const [attempt] = await attemptsOf(a, intent.id);
      const remote = await acquirer.paymentIntents.retrieve(attempt.processor_reference ?? '');
      assert.equal(remote.status, 'requires_capture');
      assert.equal(remote.capture_method, 'manual');
      assert.equal(remote.amount_capturable, amount);
      return { intent, reference: remote.id };
    }

    it('captures a manual-capture authorization in full', async () => {
      const { intent, reference } = await authorized(3100);
      const charge = await routedCharge(stripe, intent.latest_charge);
      assert.equal(charge.captured, false);
      assert.equal(routingOf(charge).connector, 'stripe');

      const captured = await stripe.paymentIntents.capture(intent.id);
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 3100);
      const remote = await acquirer.paymentIntents.retrieve(reference, { expand: ['latest_charge'] });
      assert.equal(remote.status, 'succeeded');
      assert.equal(remote.amount_received, 3100);
      assert.equal((remote.latest_charge as Stripe.Charge).amount_captured, 3100);
    });

    it('increments an authorization at the acquirer and captures the new total', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, capture_method: 'manual',
        payment_method_options: { card: { request_incremental_authorization: 'if_available' } }, expand: ['latest_charge'],
      });
      assert.deepEqual((intent.latest_charge as Stripe.Charge).payment_method_details?.card?.incremental_authorization, { status: 'available' }, 'the acquirer offered it');
      const [attempt] = await attemptsOf(a, intent.id);
      const incremented = await stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 2600 });
      assert.equal(incremented.amount, 2600);
      const remote = await acquirer.paymentIntents.retrieve(attempt.processor_reference ?? '');
      assert.equal(remote.amount, 2600);
      assert.equal(remote.amount_capturable, 2600);
      // The acquirer's decline comes back as Payrail's 402, and neither side changes.
      const declined = await stripe.paymentIntents.incrementAuthorization(intent.id, { amount: 3005 }).then(() => assert.fail('declined'), (error: Stripe.errors.StripeError) => error);
      assert.equal(declined.statusCode, 402);
      assert.equal(declined.code, 'card_declined');
      assert.equal((await acquirer.paymentIntents.retrieve(remote.id)).amount, 2600);
      const captured = await stripe.paymentIntents.capture(intent.id);
      assert.equal(captured.amount_received, 2600);
      assert.equal((await acquirer.paymentIntents.retrieve(remote.id)).amount_received, 2600);
    });

    it('captures part of an authorization, releasing the rest at the acquirer too', async () => {
      const { intent, reference } = await authorized(5000);
      const captured = await stripe.paymentIntents.capture(intent.id, { amount_to_capture: 3000 });
      assert.equal(captured.status, 'succeeded');
      assert.equal(captured.amount_received, 3000);
      assert.equal(captured.amount_capturable, 0);
      const charge = await routedCharge(stripe, captured.latest_charge);
      assert.equal(charge.captured, true);
      assert.equal(charge.amount_captured, 3000);

      const remote = await acquirer.paymentIntents.retrieve(reference, { expand: ['latest_charge'] });
      assert.equal(remote.status, 'succeeded');
      assert.equal(remote.amount_received, 3000);
      assert.equal(remote.amount_capturable, 0);
      assert.equal((remote.latest_charge as Stripe.Charge).amount_captured, 3000);
    });

    it('voids an authorization by canceling the intent, which cancels it at the acquirer', async () => {
      const { intent, reference } = await authorized(2200);
      const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'requested_by_customer' });
      assert.equal(canceled.status, 'canceled');
      assert.equal(canceled.amount_capturable, 0);
      const charge = await routedCharge(stripe, canceled.latest_charge);
      assert.equal(charge.captured, false);
      assert.equal(charge.amount_captured, 0);
      const remote = await acquirer.paymentIntents.retrieve(reference);
      assert.equal(remote.status, 'canceled');
      // A capture after the void is refused by A's state machine, before any call to the acquirer.
      await expectStripeError(stripe.paymentIntents.capture(intent.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'payment_intent_unexpected_state', statusCode: 400 });
      assert.equal((await acquirer.paymentIntents.retrieve(reference)).status, 'canceled');
    });

    it('refunds in full at the acquirer', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 2700, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const [attempt] = await attemptsOf(a, intent.id);
      const refund = await stripe.refunds.create({ payment_intent: intent.id });
      assert.equal(refund.status, 'succeeded');
      assert.equal(refund.amount, 2700);
      const charge = await routedCharge(stripe, intent.latest_charge);
      assert.equal(charge.refunded, true);
      assert.equal(charge.amount_refunded, 2700);

      const remoteRefunds = await acquirer.refunds.list({ payment_intent: attempt.processor_reference! });
      assert.equal(remoteRefunds.data.length, 1);
      assert.equal(remoteRefunds.data[0].amount, 2700);
      assert.equal(remoteRefunds.data[0].status, 'succeeded');
      assert.equal(remoteRefunds.data[0].metadata?.payrail_refund, refund.id);
      const remote = await acquirer.paymentIntents.retrieve(attempt.processor_reference!, { expand: ['latest_charge'] });
      assert.equal((remote.latest_charge as Stripe.Charge).refunded, true);
    });

    it('refunds in parts, each part once at the acquirer, up to the captured amount', async () => {
      const intent = await stripe.paymentIntents.create({ amount: 6000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const [attempt] = await attemptsOf(a, intent.id);
      const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 2000 });
      assert.equal(first.status, 'succeeded');
      const second = await stripe.refunds.create({ payment_intent: intent.id });
      assert.equal(second.status, 'succeeded');
      assert.equal(second.amount, 4000, 'the rest');
      await expectStripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }), { class: Stripe.errors.StripeInvalidRequestError, statusCode: 400 });

      const charge = await routedCharge(stripe, intent.latest_charge);
      assert.equal(charge.amount_refunded, 6000);
      assert.equal(charge.refunded, true);
      const remoteRefunds = (await acquirer.refunds.list({ payment_intent: attempt.processor_reference! })).data;
      assert.deepEqual(remoteRefunds.map((refund) => [refund.metadata?.payrail_refund, refund.amount, refund.status]).sort(), [[first.id, 2000, 'succeeded'], [second.id, 4000, 'succeeded']].sort());
      const remote = await acquirer.paymentIntents.retrieve(attempt.processor_reference!, { expand: ['latest_charge'] });
      assert.equal((remote.latest_charge as Stripe.Charge).amount_refunded, 6000);
    });
  });

  describe('answers Payrail never got: the janitor and the acquirer\'s webhooks', () => {
    // Here A is a server of its own that never asks again within the request (inlineSyncs 0), with its own
    // configuration on B's account: a lost answer stays lost until the janitor or a webhook brings it.
    let a: TestServer;
    let stripe: Stripe;
    let configuration: string;
    before(async () => {
      a = await startTestServer({ orchestration: { ...merchantOrchestration, inlineSyncs: 0 } });
      stripe = a.account.stripe;
      configuration = await configureStripe(a.account, b.baseUrl, b.account);
    });
    after(async () => {
      await a?.close();
    });

    /**
     * Confirms a payment whose authorization reaches the acquirer but whose answer is lost on the way back, on the
     * server that does not ask again: A is left with an `unknown` attempt, exactly what a timeout after sending leaves.
     * A webhook from the acquirer that arrives meanwhile is held until the confirmation has answered, so the
     * confirmation's own answer is always the one of a payment in doubt.
     */
    async function withLostAnswer(paymentMethod: string, amount: number): Promise<{ intent: Stripe.PaymentIntent; attempt: AttemptRow }> {
      const row = (await a.db.query<ConnectorConfigurationRow>('SELECT * FROM connector_configurations WHERE id = $1', [configuration])).rows[0];
      const connector = a.deps.connectors.forConfiguration(row);
      const realAuthorize = connector.authorize.bind(connector);
      const realParseWebhook = connector.parseWebhook.bind(connector);
      let release!: () => void;
      const answered = new Promise<void>((resolve) => { release = resolve; });
      let sent = 0;
      connector.authorize = async (input: AuthorizeInput): Promise<AuthorizeOutput> => {
        await realAuthorize(input);
        sent += 1;
        return { status: 'pending' };
      };
      connector.parseWebhook = async (headers, body) => {
        await answered;
        return realParseWebhook(headers, body);
      };
      let intent: Stripe.PaymentIntent;
      try {
        intent = await stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: paymentMethod, confirm: true });
      } finally {
        delete (connector as Partial<typeof connector>).authorize;
        delete (connector as Partial<typeof connector>).parseWebhook;
        release();
      }
      assert.equal(sent, 1);
      assert.equal(intent.status, 'processing');
      const attempts = await attemptsOf(a, intent.id);
      assert.equal(attempts.length, 1);
      assert.equal(attempts[0].status, 'unknown');
      assert.equal(attempts[0].processor_reference, null);
      return { intent, attempt: attempts[0] };
    }

    it('the janitor resolves a lost answer by asking the acquirer, without authorizing twice', async () => {
      const { intent, attempt } = await withLostAnswer('pm_card_visa', 3200);
      const [remote] = await acquirerIntentsFor(acquirer, attempt.id);
      assert.equal(remote.status, 'succeeded');

      // Every attempt started at least 0 s ago is asked now (the schedule would wait 30 s).
      assert.equal(await resolveStuckAttempts(a.deps, 0), 1);
      const settled = await stripe.paymentIntents.retrieve(intent.id);
      assert.equal(settled.status, 'succeeded');
      assert.equal(settled.amount_received, 3200);
      const [resolved] = await attemptsOf(a, intent.id);
      assert.equal(resolved.status, 'authorized');
      assert.equal(resolved.processor_reference, remote.id);
      assert.equal(resolved.sync_count, 1);
      assert.equal(await chargeProcessorReference(a, settled.latest_charge as string), remote.id);
      // The sync replayed the create under the same Idempotency-Key: still the one PaymentIntent at the acquirer.
      assert.equal((await acquirerIntentsFor(acquirer, attempt.id)).length, 1);
      assert.equal(await resolveStuckAttempts(a.deps, 0), 0, 'nothing left to resolve');
      assert.deepEqual(appliedOrigins(intent.id), ['janitor']);
    });

    it("moves payments with the acquirer's signed webhooks, and refuses a tampered body", async () => {
      const endpoint = await acquirer.webhookEndpoints.create({
        url: `${a.baseUrl}/payrail/webhooks/${configuration}`,
        enabled_events: ['payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.amount_capturable_updated'],
      });
      assert.ok(endpoint.secret?.startsWith('whsec_'));
      try {
        // Credentials given replace the stored ones entirely: the key again, with the endpoint's signing secret.
        const updated = await stripe.rawRequest('POST', `${configurationsPath}/${configuration}`, { credentials: { secret_key: b.account.secretKey, webhook_secret: endpoint.secret } });
        assert.equal(updated.id, configuration);
        a.deps.routing.forget({ accountId: a.account.accountId, livemode: false });

        const { intent, attempt: unknown } = await withLostAnswer('pm_card_visa', 3300);

        const [remote] = await acquirerIntentsFor(acquirer, unknown.id);
        assert.equal(remote.status, 'succeeded');

        // B's worker delivers payment_intent.succeeded to A's endpoint for this configuration; A applies it.
        const charge = await until('the webhook to settle the payment', async () => {
          const current = await routedCharge(stripe, intent.latest_charge);
          return current.status === 'succeeded' && current.payrail_routing?.capture_status === 'succeeded' ? current : undefined;
        });
        const settled = await stripe.paymentIntents.retrieve(intent.id);
        assert.equal(settled.status, 'succeeded');
        assert.equal(settled.amount_received, 3300);
        assert.equal(charge.captured, true);
        assert.equal(charge.amount_captured, 3300);
        assert.equal(routingOf(charge).connector, 'stripe');
        assert.equal(await chargeProcessorReference(a, charge.id), remote.id);
        const [resolved] = await attemptsOf(a, intent.id);
        assert.equal(resolved.status, 'authorized');
        assert.equal(resolved.processor_reference, remote.id);
        assert.equal((await acquirerIntentsFor(acquirer, unknown.id)).length, 1, 'never authorized twice');
        assert.deepEqual(appliedOrigins(intent.id), ['provider_webhook'], "the webhook's outcome went through applyAttemptOutcome");

        const event = (await acquirer.events.list({ type: 'payment_intent.succeeded', limit: 100 })).data.find((item) => (item.data.object as Stripe.PaymentIntent).id === remote.id);
        assert.ok(event, "B recorded the intent's payment_intent.succeeded");
        const recorded = (await a.db.query<{ event_key: string; kind: string }>('SELECT event_key, kind FROM provider_webhook_events WHERE connector_configuration_id = $1 AND event_key LIKE $2 ORDER BY event_key', [configuration, `${event.id}%`])).rows;
        assert.deepEqual(recorded, [{ event_key: `${event.id}:authorization`, kind: 'authorization' }, { event_key: `${event.id}:capture`, kind: 'capture' }]);

        // The same event signed with the endpoint's secret is a duplicate: acknowledged, nothing applied again.
        const payload = JSON.stringify(event);
        const send = (body: string, secret: string) => a.request('POST', `/payrail/webhooks/${configuration}`, {
          body, contentType: 'application/json', headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }) },
        });
        const redelivered = await send(payload, endpoint.secret!);
        assert.equal(redelivered.status, 200, redelivered.text);
        assert.deepEqual(redelivered.json, { received: true });
        const count = async () => Number((await a.db.query<{ count: string }>('SELECT count(*) FROM provider_webhook_events WHERE connector_configuration_id = $1', [configuration])).rows[0].count);
        const before = await count();

        // A body changed after signing, or signed with another secret, is refused and changes nothing.
        const tampered = payload.replace('"amount":3300', '"amount":1');
        assert.notEqual(tampered, payload);
        const refused = await send(tampered, endpoint.secret!);
        assert.equal(refused.status, 400);
        assert.equal(refused.json.error.code, 'webhook_not_verified');
        const forged = await a.request('POST', `/payrail/webhooks/${configuration}`, {
          body: payload, contentType: 'application/json', headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else' }) },
        });
        assert.equal(forged.status, 400);
        assert.equal(await count(), before);
        assert.equal((await stripe.paymentIntents.retrieve(intent.id)).amount_received, 3300);
        const succeededEvents = await a.db.query(`SELECT 1 FROM events WHERE type = 'payment_intent.succeeded' AND data->'object'->>'id' = $1`, [intent.id]);
        assert.equal(succeededEvents.rowCount, 1, 'A recorded the success once, whatever the redeliveries');

        // A decline whose answer was lost: payment_intent.payment_failed carries the acquirer's decline to A.
        const lost = await withLostAnswer(await stripeCard(stripe, '4000000000009995'), 3400);
        const failed = await until('the payment_failed webhook', async () => {
          const current = await stripe.paymentIntents.retrieve(lost.intent.id);
          return current.status === 'processing' ? undefined : current;
        });
        assert.equal(failed.status, 'requires_payment_method');
        assert.equal(failed.last_payment_error?.code, 'card_declined');
        assert.equal(failed.last_payment_error?.decline_code, 'insufficient_funds');
        const failedCharge = await routedCharge(stripe, failed.latest_charge);
        assert.equal(failedCharge.status, 'failed');
        assert.equal(failedCharge.outcome?.reason, 'insufficient_funds');
        const [declined] = await attemptsOf(a, lost.intent.id);
        assert.equal(declined.status, 'declined');
        assert.equal(declined.decline_code, 'insufficient_funds');
        const [remoteDeclined] = await acquirerIntentsFor(acquirer, lost.attempt.id);
        assert.equal(declined.processor_reference, remoteDeclined.id);
        assert.equal(remoteDeclined.status, 'requires_payment_method');
        assert.deepEqual(appliedOrigins(lost.intent.id), ['provider_webhook']);
      } finally {
        await acquirer.webhookEndpoints.del(endpoint.id);
      }
    });
  });

  describe('routing and failover between Adyen and Stripe', () => {
    let merchant: TestAccount;
    /** The acquirer account of this merchant's Stripe configuration (its own, so its PaymentIntents are only these). */
    let merchantAcquirer: TestAccount;
    let adyenSandbox: AdyenSandbox;
    let adyenClosed = false;
    let adyenConfiguration: string;
    let stripeConfiguration: string;

    const profile = (params: Record<string, unknown>) => merchant.stripe.rawRequest('POST', routingProfilePath, params);
    const adyenPayments = (attemptId: string) => adyenSandbox.records().payments.filter((payment) => payment.merchantReference === attemptId);

    before(async () => {
      merchant = await a.createAccount('routing merchant');
      merchantAcquirer = await b.createAccount('routing acquirer');
      adyenSandbox = await startAdyenSandbox({ apiKey: adyenApiKey, hmacKeyHex: adyenHmacKeyHex, merchantAccounts: [adyenMerchantAccount] });
      const adyen = await merchant.stripe.rawRequest('POST', configurationsPath, {
        connector: 'adyen',
        credentials: { api_key: adyenApiKey, hmac_key: adyenHmacKeyHex },
        settings: { merchant_account: adyenMerchantAccount, base_url: adyenSandbox.url },
        priority: 1,
        supported_currencies: ['eur', 'usd'],
      });
      adyenConfiguration = adyen.id as string;
      stripeConfiguration = await configureStripe(merchant, b.baseUrl, merchantAcquirer, { priority: 2, supported_currencies: ['eur', 'usd'] });
    });
    after(async () => {
      if (!adyenClosed) await adyenSandbox?.close();
    });

    it('routes by currency rules: eur to Adyen, usd to Stripe, with the rule and reason on the charge', async () => {
      await profile({
        strategy: 'priority',
        exploration_bps: 0,
        rules: [
          { id: 'r_eur', conditions: { currencies: ['eur'] }, action: { type: 'prefer', configurations: [adyenConfiguration] } },
          { id: 'r_usd', conditions: { currencies: ['usd'] }, action: { type: 'prefer', configurations: [stripeConfiguration] } },
        ],
      });

      const euro = await merchant.stripe.paymentIntents.create({ amount: 1500, currency: 'eur', payment_method: await adyenTestCard(merchant.stripe), confirm: true });
      assert.equal(euro.status, 'succeeded');
      const euroRouting = routingOf(await routedCharge(merchant.stripe, euro.latest_charge));
      assert.equal(euroRouting.connector, 'adyen');
      assert.equal(euroRouting.connector_configuration, adyenConfiguration);
      assert.equal(euroRouting.rule, 'r_eur');
      assert.equal(euroRouting.strategy, 'priority');
      assert.equal(euroRouting.reason, `adyen ${adyenConfiguration}: rule r_eur (preference 1 of 1)`);
      assert.equal(euroRouting.attempts[0].routing_reason, 'rule r_eur (preference 1 of 1)');
      assert.equal(adyenPayments(euroRouting.attempt).length, 1);
      assert.equal((await acquirerIntentsFor(merchantAcquirer.stripe, euroRouting.attempt)).length, 0);

      const dollar = await merchant.stripe.paymentIntents.create({ amount: 1600, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      assert.equal(dollar.status, 'succeeded');
      const dollarRouting = routingOf(await routedCharge(merchant.stripe, dollar.latest_charge));
      assert.equal(dollarRouting.connector, 'stripe');
      assert.equal(dollarRouting.connector_configuration, stripeConfiguration);
      assert.equal(dollarRouting.rule, 'r_usd');
      assert.equal(dollarRouting.reason, `stripe ${stripeConfiguration}: rule r_usd (preference 1 of 1)`);
      const [remote] = await acquirerIntentsFor(merchantAcquirer.stripe, dollarRouting.attempt);
      assert.equal(remote.status, 'succeeded');
      assert.equal(remote.amount_received, 1600);
      assert.equal(adyenPayments(dollarRouting.attempt).length, 0);
    });

    it('splits volume 50/50 over both connectors', async () => {
      await profile({
        strategy: 'priority',
        exploration_bps: 0,
        rules: [{ id: 'r_split', action: { type: 'split', split: [{ configuration: adyenConfiguration, weight: 50 }, { configuration: stripeConfiguration, weight: 50 }] } }],
      });
      const payments = 40;
      const byConnector: Record<string, string[]> = { adyen: [], stripe: [] };
      // In small batches: both sandboxes see concurrent traffic, and the file stays quick.
      const batchSize = 8;
      for (let start = 0; start < payments; start += batchSize) {
        await Promise.all(Array.from({ length: batchSize }, async () => {
          const intent = await merchant.stripe.paymentIntents.create({ amount: 1000, currency: 'eur', payment_method: await adyenTestCard(merchant.stripe), confirm: true });
          assert.equal(intent.status, 'succeeded');
          const routing = routingOf(await routedCharge(merchant.stripe, intent.latest_charge));
          assert.equal(routing.rule, 'r_split');
          assert.match(routing.reason, /: rule r_split \(weighted split 50\/50\)$/);
          assert.equal(routing.attempts.length, 1);
          byConnector[routing.connector].push(routing.attempt);
        }));
      }
      assert.equal(byConnector.adyen.length + byConnector.stripe.length, payments);
      assert.ok(byConnector.adyen.length > 0, 'Adyen got a share');
      assert.ok(byConnector.stripe.length > 0, 'Stripe got a share');
      // Each sandbox saw exactly the payments routed to it.
      for (const attempt of byConnector.adyen) assert.equal(adyenPayments(attempt).length, 1);
      const acquired = new Set<string>();
      for await (const intent of merchantAcquirer.stripe.paymentIntents.list({ limit: 100 })) acquired.add(intent.metadata.payrail_attempt);
      for (const attempt of byConnector.stripe) assert.ok(acquired.has(attempt), `attempt ${attempt} reached the acquirer`);
      for (const attempt of byConnector.adyen) assert.ok(!acquired.has(attempt));
    });

    it('picks the cheaper connector per currency with the lowest_cost strategy', async () => {
      await merchant.stripe.rawRequest('POST', `${configurationsPath}/${adyenConfiguration}`, { fees: { eur: { percent_bps: 150, fixed: 10 }, usd: { percent_bps: 350, fixed: 30 } } });
      await merchant.stripe.rawRequest('POST', `${configurationsPath}/${stripeConfiguration}`, { fees: { eur: { percent_bps: 290, fixed: 25 }, usd: { percent_bps: 200, fixed: 30 } } });
      const updated = await profile({ strategy: 'lowest_cost', rules: '' });
      assert.equal(updated.strategy, 'lowest_cost');
      assert.deepEqual(updated.rules, []);

      // eur 10.00: Adyen 0.15 + 0.10 against Stripe 0.29 + 0.25. usd 10.00: Stripe 0.20 + 0.30 against Adyen 0.35 + 0.30.
      for (const [currency, connector, id] of [['eur', 'adyen', adyenConfiguration], ['usd', 'stripe', stripeConfiguration]] as const) {
        const intent = await merchant.stripe.paymentIntents.create({ amount: 1000, currency, payment_method: await adyenTestCard(merchant.stripe), confirm: true });
        assert.equal(intent.status, 'succeeded');
        const routing = routingOf(await routedCharge(merchant.stripe, intent.latest_charge));
        assert.equal(routing.strategy, 'lowest_cost');
        assert.equal(routing.rule, null);
        assert.equal(routing.connector, connector, `${currency} goes to ${connector}`);
        assert.equal(routing.connector_configuration, id);
        assert.match(routing.reason, new RegExp(`^${connector} ${id}: lowest expected cost `));
        assert.match(routing.attempts[0].routing_reason, /^lowest expected cost /);
      }
    });

    describe('failover', () => {
      before(async () => {
        // Adyen first, Stripe second, by priority; fees off so nothing but priority decides.
        await merchant.stripe.rawRequest('POST', `${configurationsPath}/${adyenConfiguration}`, { fees: '' });
        await merchant.stripe.rawRequest('POST', `${configurationsPath}/${stripeConfiguration}`, { fees: '' });
        await profile({ strategy: 'priority', rules: '', failover: { enabled: true } });
      });

      it('never retries a hard decline at the next connector', async () => {
        for (const [holderName, declineCode] of [['NOT_ENOUGH_BALANCE', 'insufficient_funds'], ['BLOCK_CARD', 'restricted_card']] as const) {
          const error = await expectStripeError(
            merchant.stripe.paymentIntents.create({ amount: 1200, currency: 'eur', payment_method: await adyenTestCard(merchant.stripe, holderName), confirm: true }),
            { class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402 },
          );
          assert.equal(error.decline_code, declineCode);
          const intent = (error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent;
          const routing = routingOf(await routedCharge(merchant.stripe, intent.latest_charge as string));
          assert.equal(routing.connector, 'adyen');
          assert.deepEqual(routing.attempts.map((attempt) => [attempt.connector, attempt.status, attempt.decline_code]), [['adyen', 'declined', declineCode]]);
          const attempts = await attemptsOf(a, intent.id);
          assert.equal(attempts.length, 1, 'no attempt at Stripe');
          assert.equal(attempts[0].detail, 'Hard decline: never retried elsewhere.');
          assert.equal(adyenPayments(attempts[0].id).length, 1);
          assert.equal((await acquirerIntentsFor(merchantAcquirer.stripe, attempts[0].id)).length, 0);
        }
      });

      it('retries a soft decline at Stripe, which authorizes', async () => {
        const intent = await merchant.stripe.paymentIntents.create({ amount: 1300, currency: 'eur', payment_method: await adyenTestCard(merchant.stripe, 'ISSUER_UNAVAILABLE'), confirm: true });
        assert.equal(intent.status, 'succeeded');
        const routing = routingOf(await routedCharge(merchant.stripe, intent.latest_charge));
        assert.equal(routing.connector, 'stripe');
        assert.equal(routing.connector_configuration, stripeConfiguration);
        assert.deepEqual(routing.attempts.map((attempt) => [attempt.connector, attempt.status, attempt.decline_code]), [['adyen', 'declined', 'issuer_not_available'], ['stripe', 'authorized', null]]);
        assert.match(routing.attempts[1].routing_reason, /^failover after soft decline issuer_not_available/);

        const attempts = await attemptsOf(a, intent.id);
        assert.deepEqual(attempts.map((attempt) => [attempt.position, attempt.connector, attempt.status]), [[1, 'adyen', 'declined'], [2, 'stripe', 'authorized']]);
        assert.equal(routing.attempt, attempts[1].id);
        const refused = adyenPayments(attempts[0].id);
        assert.equal(refused.length, 1);
        assert.equal(refused[0].resultCode, 'Refused');
        const [remote] = await acquirerIntentsFor(merchantAcquirer.stripe, attempts[1].id);
        assert.equal(remote.id, attempts[1].processor_reference);
        assert.equal(remote.status, 'succeeded');
        assert.equal(remote.amount_received, 1300);
        assert.equal(remote.currency, 'eur');
      });

      it('does not fail over when the profile disables it', async () => {
        const disabled = await profile({ failover: { enabled: false } });
        assert.equal(disabled.failover.enabled, false);
        try {
          const error = await expectStripeError(
            merchant.stripe.paymentIntents.create({ amount: 1400, currency: 'eur', payment_method: await adyenTestCard(merchant.stripe, 'ISSUER_UNAVAILABLE'), confirm: true }),
            { class: Stripe.errors.StripeCardError, code: 'card_declined', statusCode: 402 },
          );
          assert.equal(error.decline_code, 'issuer_not_available');
          const intent = (error.raw as { payment_intent: Stripe.PaymentIntent }).payment_intent;
          const attempts = await attemptsOf(a, intent.id);
          assert.deepEqual(attempts.map((attempt) => [attempt.connector, attempt.status, attempt.decline_code]), [['adyen', 'declined', 'issuer_not_available']]);
          assert.equal((await acquirerIntentsFor(merchantAcquirer.stripe, attempts[0].id)).length, 0);
        } finally {
          await profile({ failover: { enabled: true } });
        }
      });

      it('refuses a payment no connector can take, recording nothing', async () => {
        const paymentMethod = await adyenTestCard(merchant.stripe);
        const intent = await merchant.stripe.paymentIntents.create({ amount: 1500, currency: 'gbp', payment_method: paymentMethod });
        assert.equal(intent.status, 'requires_confirmation');
        const error = await expectStripeError(merchant.stripe.paymentIntents.confirm(intent.id), { class: Stripe.errors.StripeInvalidRequestError, code: 'no_eligible_connector', statusCode: 400 });
        assert.match(error.message, new RegExp(`${adyenConfiguration}: .*gbp`));
        assert.match(error.message, new RegExp(`${stripeConfiguration}: .*gbp`));
        const after = await merchant.stripe.paymentIntents.retrieve(intent.id);
        assert.equal(after.status, 'requires_confirmation');
        assert.equal(after.latest_charge, null);
        assert.equal((await attemptsOf(a, intent.id)).length, 0);
        assert.equal((await a.db.query('SELECT 1 FROM charges WHERE payment_intent_id = $1', [intent.id])).rowCount, 0);

        // Created and confirmed in one call: refused as well, and no intent is left behind.
        const countIntents = async () => Number((await a.db.query<{ count: string }>('SELECT count(*) FROM payment_intents WHERE account_id = $1', [merchant.accountId])).rows[0].count);
        const intentsBefore = await countIntents();
        await expectStripeError(
          merchant.stripe.paymentIntents.create({ amount: 1500, currency: 'gbp', payment_method: paymentMethod, confirm: true }),
          { class: Stripe.errors.StripeInvalidRequestError, code: 'no_eligible_connector', statusCode: 400 },
        );
        assert.equal(await countIntents(), intentsBefore);
      });

      // Last: it closes the Adyen sandbox.
      it('fails over to Stripe when Adyen cannot be reached, without Adyen having seen anything', async () => {
        const paymentsBefore = adyenSandbox.records().payments.length;
        await adyenSandbox.close();
        adyenClosed = true;
        const intent = await merchant.stripe.paymentIntents.create({ amount: 1700, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
        assert.equal(intent.status, 'succeeded');
        const routing = routingOf(await routedCharge(merchant.stripe, intent.latest_charge));
        assert.equal(routing.connector, 'stripe');
        assert.deepEqual(routing.attempts.map((attempt) => [attempt.connector, attempt.status, attempt.failure_code]), [['adyen', 'failed', 'not_sent'], ['stripe', 'authorized', null]]);
        assert.match(routing.attempts[1].routing_reason, /^failover after not_sent/);
        const attempts = await attemptsOf(a, intent.id);
        assert.deepEqual(attempts.map((attempt) => [attempt.connector, attempt.status, attempt.failure_code]), [['adyen', 'failed', 'not_sent'], ['stripe', 'authorized', null]]);
        assert.equal(attempts[0].processor_reference, null);
        assert.equal(adyenSandbox.records().payments.length, paymentsBefore);
        const [remote] = await acquirerIntentsFor(merchantAcquirer.stripe, attempts[1].id);
        assert.equal(remote.status, 'succeeded');
        assert.equal(remote.amount_received, 1700);
      });
    });
  });
});
