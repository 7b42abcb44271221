import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import type { AuthorizeOutput } from '../src/connectors/connector.ts';
import type { RefundInput, ReferenceInput, SimpleOutput } from '../src/connectors/connector.ts';
import { findAttempt } from '../src/orchestration/attempts-repository.ts';
import { applyAttemptOutcome, attemptOutcomeChannel, type AttemptOutcomeMessage } from '../src/orchestration/attempt-outcome.ts';
import { findPaymentMethod } from '../src/payment-methods/repository.ts';
import { findCharge, findPaymentIntent } from '../src/payments/repository.ts';
import { resolveStuckAttempts } from '../src/orchestration/janitor.ts';
import { submitChallengePage } from './helpers/challenge.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/**
 * Every origin of an attempt's outcome (the confirming request, the customer's return, the janitor) goes through
 * applyAttemptOutcome, which publishes each application on its diagnostics channel. The provider webhook origin is
 * covered in test/orchestration-stripe.test.ts (the built-in processor sends no webhooks).
 */
describe('one attempt-outcome path', () => {
  let server: TestServer;
  const messages: AttemptOutcomeMessage[] = [];
  const listener = (message: unknown) => messages.push(message as AttemptOutcomeMessage);
  before(async () => {
    subscribe(attemptOutcomeChannel.name, listener);
    server = await startTestServer();
  });
  after(async () => {
    unsubscribe(attemptOutcomeChannel.name, listener);
    await server.close();
  });

  const outcomesOf = (intentId: string) => messages.filter((message) => message.paymentIntentId === intentId);
  const attemptsOf = async (intentId: string) =>
    (await server.db.query<{ id: string; status: string }>('SELECT id, status FROM payment_attempts WHERE payment_intent_id = $1 ORDER BY position', [intentId])).rows;

  it('the confirming request applies its answer through it', async () => {
    const intent = await server.account.stripe.paymentIntents.create({ amount: 1800, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    assert.equal(intent.status, 'succeeded');
    const [attempt] = await attemptsOf(intent.id);
    assert.deepEqual(outcomesOf(intent.id), [{ attemptId: attempt.id, paymentIntentId: intent.id, origin: 'confirming_request', outputStatus: 'authorized', applied: true }]);
  });

  it("the customer's return from a 3-D Secure challenge applies the answer through it", async () => {
    const intent = await server.account.stripe.paymentIntents.create({
      amount: 1900, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: 'https://shop.example.com/return',
    });
    assert.equal(intent.status, 'requires_action');
    const url = intent.next_action?.redirect_to_url?.url;
    assert.ok(url);
    const response = await submitChallengePage(url, 'complete');
    assert.equal(response.status, 303);
    assert.equal((await server.account.stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded');
    const [attempt] = await attemptsOf(intent.id);
    assert.deepEqual(outcomesOf(intent.id).map(({ attemptId, origin, outputStatus, applied }) => ({ attemptId, origin, outputStatus, applied })), [
      { attemptId: attempt.id, origin: 'confirming_request', outputStatus: 'requires_authentication', applied: true },
      { attemptId: attempt.id, origin: 'redirect_return', outputStatus: 'authorized', applied: true },
    ]);
  });

  it('an authorization the janitor brings for an attempt already ended without one is given back once, and the attempt keeps its status', async () => {
    // The race behind it (orchestration fault run, seed 771087878): the janitor found an attempt still pending and
    // asked the provider by replaying its request (its idempotency key), while the confirming request recorded that
    // attempt as not sent; the replay was the provider's first sight of it, and it authorized and captured.
    const declined = await server.account.stripe.paymentIntents.create({ amount: 2100, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }).catch((error: { raw?: { payment_intent?: { id: string } } }) => error.raw?.payment_intent);
    assert.ok(declined);
    const scope = { accountId: server.account.accountId, livemode: false };
    const intent = await findPaymentIntent(server.db, scope, declined.id);
    assert.equal(intent?.status, 'requires_payment_method');
    const charge = await findCharge(server.db, scope, intent!.latest_charge_id!);
    const paymentMethod = await findPaymentMethod(server.db, scope, charge!.payment_method_id);
    const [{ id: attemptId }] = await attemptsOf(declined.id);
    const attempt = await findAttempt(server.db, attemptId);
    assert.equal(attempt?.status, 'declined');

    const connector = server.deps.connectors.builtIn;
    const originalRefund = connector.refund;
    const originalVoid = connector.void;
    const released: string[] = [];
    connector.refund = async (input: RefundInput): Promise<SimpleOutput> => { released.push(`refund ${input.refundId} ${input.amount}`); return { status: 'succeeded', processorReference: 'ref_late' }; };
    connector.void = async (input: ReferenceInput): Promise<SimpleOutput> => { released.push(`void ${input.attemptId}`); return { status: 'succeeded', processorReference: 'ref_void' }; };
    try {
      // The janitor's view, read before the confirming request ended the charge: processing, its charge pending.
      const stale = { intent: { ...intent!, status: 'processing' as const }, charge: { ...charge!, status: 'pending' as const }, paymentMethod: paymentMethod! };
      const answer: AuthorizeOutput = { status: 'authorized', captured: true, processorReference: 'psp_replayed', riskScore: 0 };
      for (let time = 0; time < 2; time += 1) {
        const result = await applyAttemptOutcome(server.deps, scope, stale, attemptId, answer, { kind: 'janitor', attempt: attempt!, authentication: undefined });
        assert.notEqual(result.applied, true);
      }
    } finally {
      connector.refund = originalRefund;
      connector.void = originalVoid;
    }
    assert.deepEqual(released, [`refund late_${attemptId} 2100`]);
    const after = await findAttempt(server.db, attemptId);
    assert.equal(after?.status, 'declined');
    assert.equal(after?.processor_reference, 'psp_replayed');
    assert.match(after?.detail ?? '', /^Authorized by the provider after Payrail had recorded this attempt as declined \(card_declined\): the capture was refunded\.$/);
    assert.equal((await server.account.stripe.paymentIntents.retrieve(declined.id)).status, 'requires_payment_method');
  });

  it("the janitor applies the provider's answer to a payment left in doubt through it", async () => {
    const connector = server.deps.connectors.builtIn;
    const originalAuthorize = connector.authorize;
    const originalSync = connector.sync;
    // The provider's answers are lost (the request and its inline syncs learn nothing), as after a timeout.
    connector.authorize = async (): Promise<AuthorizeOutput> => { throw new Error('socket hang up'); };
    connector.sync = async (): Promise<AuthorizeOutput> => ({ status: 'pending' });
    let intentId: string;
    try {
      const intent = await server.account.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      assert.equal(intent.status, 'processing');
      intentId = intent.id;
    } finally {
      connector.authorize = originalAuthorize;
      connector.sync = originalSync;
    }
    const [attempt] = await attemptsOf(intentId);
    assert.deepEqual(outcomesOf(intentId).map(({ origin, outputStatus, applied }) => ({ origin, outputStatus, applied })), [
      { origin: 'confirming_request', outputStatus: 'pending', applied: false },
    ]);

    assert.equal(await resolveStuckAttempts(server.deps, 0), 1);
    assert.equal((await server.account.stripe.paymentIntents.retrieve(intentId)).status, 'succeeded');
    assert.deepEqual(outcomesOf(intentId).at(-1), { attemptId: attempt.id, paymentIntentId: intentId, origin: 'janitor', outputStatus: 'authorized', applied: true });
  });
});
